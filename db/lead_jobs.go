package db

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"leaddesk/lead"
)

// The background jobs' reads: the leads that may be due for a transition, found by their indexed
// columns. Whether each one is due is the lifecycle's decision (lifecycle.DueToExpire, …), which the
// leads service asks before it changes anything; these queries only keep the candidates few.

// LeadsToExpireTx lists up to limit received actionable leads whose respond-by time is at or before
// now, the oldest deadline first.
func LeadsToExpireTx(ctx context.Context, q Querier, now time.Time, limit int) ([]*Lead, error) {
	return queryLeads(ctx, q, `SELECT `+LeadColumns+` FROM leads WHERE status = 'received' AND actionable = 1 AND expires_at <= ?
		ORDER BY expires_at, id LIMIT ?`, now.Unix(), limit)
}

// LeadsToArchiveTx lists up to limit received informational leads created at or before
// now − lead.InformationalArchiveAfter, the oldest first.
func LeadsToArchiveTx(ctx context.Context, q Querier, now time.Time, limit int) ([]*Lead, error) {
	return queryLeads(ctx, q, `SELECT `+LeadColumns+` FROM leads WHERE status = 'received' AND actionable = 0 AND created_at <= ?
		ORDER BY created_at, id LIMIT ?`, now.Add(-lead.InformationalArchiveAfter).Unix(), limit)
}

// LeadsToRemindTx lists up to limit received actionable leads that expire after now and within
// before, and were not reminded yet (no 'reminded' timeline entry), the soonest first.
func LeadsToRemindTx(ctx context.Context, q Querier, now time.Time, before time.Duration, limit int) ([]*Lead, error) {
	return queryLeads(ctx, q, `SELECT `+LeadColumns+` FROM leads l WHERE status = 'received' AND actionable = 1
		AND expires_at > ? AND expires_at <= ?
		AND NOT EXISTS (SELECT 1 FROM lead_events e WHERE e.lead_id = l.id AND e.kind = 'reminded')
		ORDER BY expires_at, id LIMIT ?`, now.Unix(), now.Add(before).Unix(), limit)
}

// MarkRemindedTx records a lead's 'reminded' timeline entry unless it has one, and reports whether
// it did: the entry is the once-only guard of the reminder.
func MarkRemindedTx(ctx context.Context, tx *sql.Tx, leadID int64, actor Actor, now time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO lead_events (lead_id, at, actor_user_id, actor_label, kind, changes)
		SELECT ?, ?, ?, ?, 'reminded', '{}' WHERE NOT EXISTS (SELECT 1 FROM lead_events WHERE lead_id = ? AND kind = 'reminded')`,
		leadID, now.Unix(), nullID(actor.UserID), actor.Label, leadID)
	if err != nil {
		return false, fmt.Errorf("db: remind lead %d: %w", leadID, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

func queryLeads(ctx context.Context, q Querier, query string, args ...any) ([]*Lead, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("db: query leads: %w", err)
	}
	defer rows.Close()
	var out []*Lead
	for rows.Next() {
		l, err := ScanLead(rows)
		if err != nil {
			return nil, fmt.Errorf("db: scan lead: %w", err)
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: query leads: %w", err)
	}
	return out, nil
}
