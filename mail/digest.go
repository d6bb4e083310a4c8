package mail

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"leaddesk/db"
)

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
				it := map[string]any{"company": l.CustomerCompany, "cta": l.CTA, "flame": l.CustomerRequestedContact, "link": env.LeadURL(l.ID)}
				if l.ExpiresAt != nil {
					it["respond_by"] = l.ExpiresAt.Unix()
				}
				items = append(items, it)
			}
			if _, err := db.EnqueueMailTx(ctx, tx, env.Now, db.OutboxMessage{Kind: "digest", ToEmail: g.Recipient, Lang: g.Lang,
				Params:    map[string]any{"day": g.Day, "leads": items, "link": env.BaseURL + "/leads"},
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
