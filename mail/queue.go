// Package mail is Leaddesk's outgoing mail: what gets queued when something happens (this file), and
// the outbox sender that renders and delivers it over SMTP. Every Queue… function runs inside the
// caller's transaction, so a message exists exactly when the change that causes it was committed.
package mail

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"leaddesk/db"
)

// Env is what queued messages need to know about the instance and the moment.
type Env struct {
	BaseURL string
	Loc     *time.Location
	Now     time.Time
}

// LeadURL is the link to a lead's details page.
func (e Env) LeadURL(id int64) string { return e.BaseURL + "/leads/" + strconv.FormatInt(id, 10) }

func addActionItem(ctx context.Context, tx *sql.Tx, leadID int64, kind string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO action_items (lead_id, kind, created_at) VALUES (?, ?, ?)
		ON CONFLICT (lead_id, kind) DO NOTHING`, leadID, kind, now.Unix())
	if err != nil {
		return fmt.Errorf("mail: action item %s for lead %d: %w", kind, leadID, err)
	}
	return nil
}

// NewLeadTx is called in the transaction that stores a new lead: it adds the Action Center items and
// queues the new-lead mail. Test leads and informational leads cause neither.
func NewLeadTx(ctx context.Context, tx *sql.Tx, env Env, l *db.Lead) error {
	if l.IsTest || !l.Actionable || l.Status != "received" {
		return nil
	}
	if err := addActionItem(ctx, tx, l.ID, "new_lead", env.Now); err != nil {
		return err
	}
	if l.CustomerRequestedContact {
		if err := addActionItem(ctx, tx, l.ID, "requested_contact", env.Now); err != nil {
			return err
		}
	}
	return nil
}

// LeadAnsweredTx marks a lead's open Action Center items done once it is accepted or declined.
func LeadAnsweredTx(ctx context.Context, tx *sql.Tx, env Env, leadID int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE action_items SET done_at = ? WHERE lead_id = ? AND done_at IS NULL`, env.Now.Unix(), leadID)
	if err != nil {
		return fmt.Errorf("mail: close action items of lead %d: %w", leadID, err)
	}
	return nil
}

// LeadDeclinedTx queues the customer's "please choose another partner" notice (only with consent and a
// valid, non-spam address) and the sender's notice.
func LeadDeclinedTx(ctx context.Context, tx *sql.Tx, env Env, l *db.Lead) error {
	if err := LeadAnsweredTx(ctx, tx, env, l.ID); err != nil {
		return err
	}
	if l.IsTest {
		return nil
	}
	if l.CustomerConsent && l.EmailValidity == "valid" && l.ContactEmail != "" {
		if _, err := db.EnqueueMailTx(ctx, tx, env.Now, db.OutboxMessage{Kind: "decline_customer", ToEmail: l.ContactEmail,
			ToName: l.ContactName(), LeadID: l.ID, DedupeKey: "decline_customer:" + strconv.FormatInt(l.ID, 10),
			Params: map[string]any{"company": l.CustomerCompany, "offer": l.OfferTitle}}); err != nil {
			return err
		}
	}
	if l.SenderEmail != "" {
		if _, err := db.EnqueueMailTx(ctx, tx, env.Now, db.OutboxMessage{Kind: "decline_sender", ToEmail: l.SenderEmail,
			ToName: l.SenderName, LeadID: l.ID, DedupeKey: "decline_sender:" + strconv.FormatInt(l.ID, 10),
			Params: map[string]any{"company": l.CustomerCompany, "reason": l.Reason, "link": env.LeadURL(l.ID)}}); err != nil {
			return err
		}
	}
	return nil
}

// LeadExpiredTx is called when a lead expires unanswered: Action Center item and the sender's notice.
func LeadExpiredTx(ctx context.Context, tx *sql.Tx, env Env, l *db.Lead) error {
	if _, err := tx.ExecContext(ctx, `UPDATE action_items SET done_at = ? WHERE lead_id = ? AND kind IN ('new_lead', 'requested_contact', 'expiring') AND done_at IS NULL`,
		env.Now.Unix(), l.ID); err != nil {
		return fmt.Errorf("mail: close action items of lead %d: %w", l.ID, err)
	}
	if l.IsTest {
		return nil
	}
	if err := addActionItem(ctx, tx, l.ID, "expired", env.Now); err != nil {
		return err
	}
	if l.SenderEmail != "" {
		if _, err := db.EnqueueMailTx(ctx, tx, env.Now, db.OutboxMessage{Kind: "expired_sender", ToEmail: l.SenderEmail,
			ToName: l.SenderName, LeadID: l.ID, DedupeKey: "expired_sender:" + strconv.FormatInt(l.ID, 10),
			Params: map[string]any{"company": l.CustomerCompany, "link": env.LeadURL(l.ID)}}); err != nil {
			return err
		}
	}
	return nil
}

// ExpiryReminderTx is called once per lead 48 hours before it expires: Action Center item (mail to the
// Referrals admins is added by the notifications feature).
func ExpiryReminderTx(ctx context.Context, tx *sql.Tx, env Env, l *db.Lead) error {
	if l.IsTest {
		return nil
	}
	return addActionItem(ctx, tx, l.ID, "expiring", env.Now)
}

// InvitationTx queues an invitation to join the team.
func InvitationTx(ctx context.Context, tx *sql.Tx, env Env, to, lang, inviter, link string) error {
	_, err := db.EnqueueMailTx(ctx, tx, env.Now, db.OutboxMessage{Kind: "invitation", ToEmail: to, Lang: lang,
		Params: map[string]any{"inviter": inviter, "link": link}})
	return err
}

// PasswordResetTx queues a password-reset link.
func PasswordResetTx(ctx context.Context, tx *sql.Tx, env Env, to, name, lang, link string) error {
	_, err := db.EnqueueMailTx(ctx, tx, env.Now, db.OutboxMessage{Kind: "password_reset", ToEmail: to, ToName: name, Lang: lang,
		Params: map[string]any{"link": link}})
	return err
}
