package db

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// OutboxMessage is one mail waiting in the outbox. The sender renders Kind's template with Params in
// Lang when it delivers; the row is written in the same transaction as the change that causes it.
type OutboxMessage struct {
	ID        int64
	Kind      string
	ToEmail   string
	ToName    string
	Lang      string
	Params    map[string]any
	LeadID    int64
	DedupeKey string // optional: a message with the same key is queued only once
}

// EnqueueMailTx writes msg to the outbox inside tx. A message whose DedupeKey is already queued is
// skipped silently (reported by queued=false).
func EnqueueMailTx(ctx context.Context, tx Querier, now time.Time, msg OutboxMessage) (queued bool, err error) {
	if msg.Lang == "" {
		msg.Lang = "en"
	}
	params, err := json.Marshal(msg.Params)
	if err != nil {
		return false, fmt.Errorf("db: enqueue %s: %w", msg.Kind, err)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO outbox (kind, to_email, to_name, lang, params, lead_id, dedupe_key, next_attempt_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING`,
		msg.Kind, msg.ToEmail, msg.ToName, msg.Lang, string(params), nullID(msg.LeadID), nullStr(msg.DedupeKey), now.Unix(), now.Unix())
	if err != nil {
		return false, fmt.Errorf("db: enqueue %s: %w", msg.Kind, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}
