package db

import (
	"context"
	"fmt"
	"time"

	"leaddesk/lead"
)

// LeadChange is one entry of the changes feed: a lead and the sequence number (domain_events.id) of
// its latest change; Lead is nil when the lead no longer exists (a tombstone).
type LeadChange struct {
	Seq    int64
	LeadID int64
	Lead   *lead.Lead
}

// LeadChangesAfter answers the leads changed after sequence number after, each once at its latest
// change, ordered by that change, at most limit. The sequence is the append-only domain_events id:
// every write transaction takes SQLite's write lock at BEGIN (_txlock=immediate), so ids become
// visible in the order they were given, and a reader holding cursor N never later finds a change
// numbered N or less that it has not seen. A lead that changes again after it was served is served
// again with its new number; nothing is skipped and no change is served twice.
func (d *DB) LeadChangesAfter(ctx context.Context, after int64, limit int) ([]LeadChange, error) {
	tx, err := d.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("db: changes after %d: %w", after, err)
	}
	defer tx.Rollback()
	// Both reads in one read transaction: the leads are read as of the snapshot that numbered them.
	rows, err := tx.QueryContext(ctx, `SELECT lead_id, MAX(id) AS seq FROM domain_events WHERE id > ?
		GROUP BY lead_id ORDER BY seq LIMIT ?`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("db: changes after %d: %w", after, err)
	}
	var out []LeadChange
	for rows.Next() {
		var c LeadChange
		if err := rows.Scan(&c.LeadID, &c.Seq); err != nil {
			rows.Close()
			return nil, fmt.Errorf("db: changes after %d: %w", after, err)
		}
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: changes after %d: %w", after, err)
	}
	for i := range out {
		l, err := LeadByIDTx(ctx, tx, out[i].LeadID)
		if err == nil {
			out[i].Lead = l
		} else if err != ErrNotFound {
			return nil, err
		}
	}
	return out, nil
}

// ChangeSeqAt is the sequence number just before the first change at or after t, so that
// LeadChangesAfter(ChangeSeqAt(t)) starts there; with no change since t it is the latest number.
func (d *DB) ChangeSeqAt(ctx context.Context, t time.Time) (int64, error) {
	var seq int64
	err := d.QueryRowContext(ctx, `SELECT COALESCE((SELECT MIN(id) - 1 FROM domain_events WHERE at >= ?),
		(SELECT COALESCE(MAX(id), 0) FROM domain_events))`, t.Unix()).Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("db: change at %s: %w", t, err)
	}
	return seq, nil
}
