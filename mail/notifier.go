package mail

import (
	"context"
	"database/sql"
	"time"

	"leaddesk/config"
	"leaddesk/db"
	"leaddesk/lead"
)

// Notifier is the leads service's subscriber for people: it turns domain events into outbox rows and
// Action Center items inside the event's transaction — the new-lead mail (single or digest by each
// recipient's choice) and items, the Action Center closing once a lead is answered, the customer's
// decline notice (only with consent) and the sender's, the sender's expiry notice, and the 48-hour
// reminder. Messages are dated by the event, not by a clock of their own, so a job run "as of" a time
// queues what that time calls for.
type Notifier struct {
	cfg *config.Config // BaseURL for links, Location for the local day; read per event
}

// NewNotifier returns the notifier for the instance cfg describes.
func NewNotifier(cfg *config.Config) *Notifier { return &Notifier{cfg: cfg} }

// env is the one place the instance and the moment are put together for queued messages.
func (n *Notifier) env(now time.Time) Env {
	return Env{BaseURL: n.cfg.BaseURL, Loc: n.cfg.Location, Now: now}
}

// Handle implements lead.Subscriber.
func (n *Notifier) Handle(ctx context.Context, tx *sql.Tx, e lead.Event) error {
	env := n.env(e.When())
	switch e := e.(type) {
	case lead.Received:
		return newLeadTx(ctx, tx, env, e.Lead)
	case lead.Accepted:
		return leadAnsweredTx(ctx, tx, env, e.Lead.ID)
	case lead.Declined:
		return leadDeclinedTx(ctx, tx, env, e.Lead)
	case lead.Expired:
		return leadExpiredTx(ctx, tx, env, e.Lead)
	case lead.ExpiryNear:
		return expiryReminderTx(ctx, tx, env, e.Lead)
	case lead.ResponseDueSoon:
		return responseDueSoonTx(ctx, tx, env, e)
	case lead.ResponseMissed:
		return responseMissedTx(ctx, tx, env, e)
	case lead.ChangedInPartnerCenter:
		// Answered there (accepted, declined, expired in Partner Center): the Action Center closes
		// here too; nobody is mailed about a decision someone already made.
		if e.Before.Status == "received" && e.Lead.Status != "received" {
			return leadAnsweredTx(ctx, tx, env, e.Lead.ID)
		}
	}
	return nil
}

// QueueDigests queues the digests of every finished local day as of now (the mail-digests job).
func (n *Notifier) QueueDigests(ctx context.Context, d *db.DB, now time.Time) error {
	return QueueDigests(ctx, d, n.env(now))
}
