package mail

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"leaddesk/db"
	"leaddesk/lead"
)

// The response-target mails (issue 17): the warning at 75 % of a lead's target to its owner (every
// Referrals admin for an unassigned lead), and the escalation once it is missed to the chosen
// escalation user or the other Referrals admins. The job's notice row, the event and these outbox
// rows share one transaction, so each goes out once.

// responseDueSoonTx queues the warning.
func responseDueSoonTx(ctx context.Context, tx *sql.Tx, env Env, e lead.ResponseDueSoon) error {
	l := e.Lead
	recipients, err := db.SLAWarningRecipientsTx(ctx, tx, l.OwnerID)
	if err != nil {
		return err
	}
	params := map[string]any{"company": l.CustomerCompany, "flame": l.CustomerRequestedContact, "link": env.LeadURL(l.ID),
		"due": e.Due.Unix()}
	return queueResponseMails(ctx, tx, env, "response_due_soon", l.ID, recipients, params)
}

// responseMissedTx queues the escalation; it names the owner ("" for an unassigned lead).
func responseMissedTx(ctx context.Context, tx *sql.Tx, env Env, e lead.ResponseMissed) error {
	l := e.Lead
	recipients, err := db.SLAEscalationRecipientsTx(ctx, tx, l.OwnerID, e.EscalateTo)
	if err != nil {
		return err
	}
	params := map[string]any{"company": l.CustomerCompany, "flame": l.CustomerRequestedContact, "link": env.LeadURL(l.ID),
		"due": e.Due.Unix(), "owner": ""}
	if l.OwnerID != 0 {
		o, err := db.OwnerTx(ctx, tx, l.OwnerID)
		if err != nil && !errors.Is(err, db.ErrNotFound) {
			return err
		}
		if err == nil {
			params["owner"] = o.Label()
		}
	}
	return queueResponseMails(ctx, tx, env, "response_missed", l.ID, recipients, params)
}

func queueResponseMails(ctx context.Context, tx *sql.Tx, env Env, kind string, leadID int64, recipients []db.Recipient, params map[string]any) error {
	for _, r := range recipients {
		if _, err := db.EnqueueMailTx(ctx, tx, env.Now, db.OutboxMessage{Kind: kind, ToEmail: r.Email, ToName: r.Name,
			Lang: r.Lang, LeadID: leadID, Params: params,
			DedupeKey: kind + ":" + strconv.FormatInt(leadID, 10) + ":" + strings.ToLower(r.Email)}); err != nil {
			return err
		}
	}
	return nil
}
