package mail

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"leaddesk/db"
	"leaddesk/lead"
)

// digestState is how a digest lists a lead: waiting for an answer, or what became of it since.
func digestState(l *lead.Lead) string {
	switch {
	case l.Status == "received":
		return "waiting"
	case l.Outcome == "declined":
		return "declined"
	case l.Outcome == "expired":
		return "expired"
	default: // accepted, and won or lost after it
		return "accepted"
	}
}

// QueueDigests queues one digest per recipient and finished local day with the leads held for it
// (the digest job). It is idempotent: a digest is queued once, by its dedupe key.
func QueueDigests(ctx context.Context, d *db.DB, env Env) error {
	return d.InTx(ctx, func(tx *sql.Tx) error {
		today := Day(env.Now, env.Loc)
		due, err := db.DueDigestsTx(ctx, tx, today)
		if err != nil {
			return err
		}
		for _, g := range due {
			leads, err := db.DigestLeadsTx(ctx, tx, g.Recipient, g.Day)
			if err != nil {
				return err
			}
			if len(leads) == 0 {
				continue
			}
			items := make([]map[string]any, 0, len(leads))
			for _, l := range leads {
				// The digest is written when the day is over: a lead answered (or expired) since it
				// arrived is listed as it is now, not as waiting for an answer.
				state := digestState(l)
				it := map[string]any{"company": l.CustomerCompany, "cta": l.CTA, "flame": l.CustomerRequestedContact && state == "waiting",
					"link": env.LeadURL(l.ID), "state": state}
				if l.ExpiresAt != nil && state == "waiting" {
					it["respond_by"] = l.ExpiresAt.Unix()
				}
				items = append(items, it)
			}
			// The subject names the first lead and counts the others ("Contoso and 6 more" for 7).
			if _, err := db.EnqueueMailTx(ctx, tx, env.Now, db.OutboxMessage{Kind: "digest", ToEmail: g.Recipient, ToName: g.Name, Lang: g.Lang,
				Params: map[string]any{"day": g.Day, "leads": items, "link": env.BaseURL + "/leads",
					"first": leads[0].CustomerCompany, "others": len(leads) - 1},
				DedupeKey: "digest:" + strings.ToLower(g.Recipient) + ":" + g.Day}); err != nil {
				return err
			}
		}
		// A week back is plenty: a day's counts matter only while it lasts (and a clock set back a
		// little must not reset them).
		week, _ := time.ParseInLocation("2006-01-02", today, time.UTC)
		return db.PruneMailDaysTx(ctx, tx, week.AddDate(0, 0, -7).Format("2006-01-02"))
	})
}
