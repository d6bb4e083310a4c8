package db

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// LeadCount is the number of leads in one tab and status.
type LeadCount struct {
	Tab, Status string
	Count       int
}

// OpsStats are the figures an operator watches: leads by tab and status, leads ever received, and the
// mail outbox (Admin › System, /metrics).
type OpsStats struct {
	Leads           []LeadCount
	LeadsReceived   int
	Outbox          map[string]int // by status
	OutboxOldestAge time.Duration  // oldest message not yet sent (queued or sending); 0 when none
	// Queues holds the rows of the Partner Center sync queue and the webhook deliveries that are not
	// done yet, by queue and status: queue → status (queued, sending, failed) → count.
	Queues map[string]map[string]int
}

// QueueStatuses are the states OpsStats counts in each queue: work not yet done.
var QueueStatuses = []string{"queued", "sending", "failed"}

// OpsStats reads the figures as of now.
func (d *DB) OpsStats(ctx context.Context, now time.Time) (*OpsStats, error) {
	s := &OpsStats{Outbox: map[string]int{}}
	rows, err := d.QueryContext(ctx, `SELECT tab, status, COUNT(*) FROM leads GROUP BY tab, status ORDER BY tab, status`)
	if err != nil {
		return nil, fmt.Errorf("db: ops stats: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var l LeadCount
		if err := rows.Scan(&l.Tab, &l.Status, &l.Count); err != nil {
			return nil, fmt.Errorf("db: ops stats: %w", err)
		}
		s.Leads = append(s.Leads, l)
		s.LeadsReceived += l.Count
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: ops stats: %w", err)
	}
	orows, err := d.QueryContext(ctx, `SELECT status, COUNT(*) FROM outbox GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("db: ops stats: outbox: %w", err)
	}
	defer orows.Close()
	for orows.Next() {
		var st string
		var n int
		if err := orows.Scan(&st, &n); err != nil {
			return nil, fmt.Errorf("db: ops stats: outbox: %w", err)
		}
		s.Outbox[st] = n
	}
	if err := orows.Err(); err != nil {
		return nil, fmt.Errorf("db: ops stats: outbox: %w", err)
	}
	var oldest sql.NullInt64
	if err := d.QueryRowContext(ctx, `SELECT MIN(created_at) FROM outbox WHERE status IN ('queued', 'sending')`).Scan(&oldest); err != nil {
		return nil, fmt.Errorf("db: ops stats: outbox age: %w", err)
	}
	if oldest.Valid {
		s.OutboxOldestAge = max(0, now.Sub(time.Unix(oldest.Int64, 0)))
	}
	s.Queues = map[string]map[string]int{}
	for queue, q := range map[string]string{
		"partner_center": `SELECT status, COUNT(*) FROM pc_sync_queue WHERE status IN ('queued', 'sending', 'failed') GROUP BY status`,
		"webhooks":       `SELECT status, COUNT(*) FROM webhook_deliveries WHERE status IN ('queued', 'sending', 'failed') GROUP BY status`,
	} {
		counts, err := d.statusCounts(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("db: ops stats: %s queue: %w", queue, err)
		}
		s.Queues[queue] = counts
	}
	return s, nil
}

func (d *DB) statusCounts(ctx context.Context, query string) (map[string]int, error) {
	rows, err := d.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[st] = n
	}
	return out, rows.Err()
}

// FileSchema reads the schema version of the database file at path without opening it for writing or
// migrating it; 0 when the file does not exist.
func FileSchema(ctx context.Context, path string) (int, error) {
	d, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&_busy_timeout=10000")
	if err != nil {
		return 0, fmt.Errorf("db: %s: %w", path, err)
	}
	defer d.Close()
	var v int
	if err := d.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("db: %s: schema version: %w", path, err)
	}
	return v, nil
}
