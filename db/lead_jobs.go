package db

import (
	"context"
	"database/sql"
	"fmt"
	"leaddesk/lead"
	"time"
)

// LeadHook runs inside the transaction of a job's change to one lead (for example to queue its mail),
// so the change and its consequences commit together.
type LeadHook func(ctx context.Context, tx *sql.Tx, l *Lead) error

// jobBatch bounds each job transaction, so a backlog never holds the write lock for long.
const jobBatch = 500

// jobActor is who the timeline names for changes made by the background jobs.
var jobActor = Actor{Label: "job"}

// ExpireOverdueLeads archives as expired every received actionable lead whose respond-by time has
// passed (DESIGN §3.3), calling onExpired for each in the same transaction, and returns how many it
// changed. Each row is changed by a guarded UPDATE (still received, still due), so two runs at once
// change, record and notify each lead exactly once.
func (d *DB) ExpireOverdueLeads(ctx context.Context, now time.Time, onExpired LeadHook) (int, error) {
	return d.leadJob(ctx, "expire",
		`SELECT `+LeadColumns+` FROM leads WHERE status = 'received' AND actionable = 1 AND expires_at <= ? ORDER BY expires_at, id LIMIT ?`,
		[]any{now.Unix(), jobBatch},
		`UPDATE leads SET status = 'archived', outcome = 'expired', archived_at = ?, updated_at = ?, expires_at = NULL, version = version + 1
			WHERE id = ? AND status = 'received' AND actionable = 1 AND expires_at <= ?`,
		func(l *Lead) []any { return []any{now.Unix(), now.Unix(), l.ID, now.Unix()} },
		func(l *Lead) (*Lead, string) {
			after := *l
			after.Status, after.Outcome, after.ArchivedAt, after.ExpiresAt, after.UpdatedAt = "archived", "expired", &now, nil, now
			return &after, "expired"
		}, now, onExpired)
}

// ArchiveInformationalLeads archives informational leads (no lifecycle) once they are
// InformationalArchiveAfter old, without an outcome, and returns how many it changed.
func (d *DB) ArchiveInformationalLeads(ctx context.Context, now time.Time) (int, error) {
	cutoff := now.Add(-lead.InformationalArchiveAfter).Unix()
	return d.leadJob(ctx, "archive informational",
		`SELECT `+LeadColumns+` FROM leads WHERE status = 'received' AND actionable = 0 AND created_at <= ? ORDER BY created_at, id LIMIT ?`,
		[]any{cutoff, jobBatch},
		`UPDATE leads SET status = 'archived', archived_at = ?, updated_at = ?, version = version + 1
			WHERE id = ? AND status = 'received' AND actionable = 0 AND created_at <= ?`,
		func(l *Lead) []any { return []any{now.Unix(), now.Unix(), l.ID, cutoff} },
		func(l *Lead) (*Lead, string) {
			after := *l
			after.Status, after.ArchivedAt, after.UpdatedAt = "archived", &now, now
			return &after, "archived"
		}, now, nil)
}

// RemindExpiringLeads calls remind once per received actionable lead that expires within the next
// `before` (48 hours), recording a "reminded" timeline entry, and returns how many it reminded. The
// timeline entry is the once-only guard: a lead with one is skipped, and the INSERT … WHERE NOT EXISTS
// inside the write transaction keeps two runs at once from both reminding.
func (d *DB) RemindExpiringLeads(ctx context.Context, now time.Time, before time.Duration, remind LeadHook) (int, error) {
	total := 0
	for {
		n, more, err := d.remindBatch(ctx, now, before, remind)
		total += n
		if err != nil || !more {
			return total, err
		}
	}
}

func (d *DB) remindBatch(ctx context.Context, now time.Time, before time.Duration, remind LeadHook) (int, bool, error) {
	n, seen := 0, 0
	err := d.InTx(ctx, func(tx *sql.Tx) error {
		leads, err := queryLeads(ctx, tx, `SELECT `+LeadColumns+` FROM leads l WHERE status = 'received' AND actionable = 1
			AND expires_at > ? AND expires_at <= ?
			AND NOT EXISTS (SELECT 1 FROM lead_events e WHERE e.lead_id = l.id AND e.kind = 'reminded')
			ORDER BY expires_at, id LIMIT ?`, now.Unix(), now.Add(before).Unix(), jobBatch)
		if err != nil {
			return err
		}
		seen = len(leads)
		for _, l := range leads {
			res, err := tx.ExecContext(ctx, `INSERT INTO lead_events (lead_id, at, actor_label, kind, changes)
				SELECT ?, ?, 'job', 'reminded', '{}' WHERE NOT EXISTS (SELECT 1 FROM lead_events WHERE lead_id = ? AND kind = 'reminded')`,
				l.ID, now.Unix(), l.ID)
			if err != nil {
				return fmt.Errorf("db: remind lead %d: %w", l.ID, err)
			}
			if k, _ := res.RowsAffected(); k != 1 {
				continue
			}
			if remind != nil {
				if err := remind(ctx, tx, l); err != nil {
					return err
				}
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, false, fmt.Errorf("db: remind expiring leads: %w", err)
	}
	return n, seen == jobBatch, nil
}

// leadJob runs a job's transition in batches: select due leads, change each with a guarded UPDATE,
// and for the rows actually changed write the timeline entry and call hook — all in one transaction
// per batch.
func (d *DB) leadJob(ctx context.Context, name, selectSQL string, selectArgs []any, updateSQL string, updateArgs func(*Lead) []any,
	apply func(*Lead) (*Lead, string), now time.Time, hook LeadHook) (int, error) {
	total := 0
	for {
		n, seen := 0, 0
		err := d.InTx(ctx, func(tx *sql.Tx) error {
			leads, err := queryLeads(ctx, tx, selectSQL, selectArgs...)
			if err != nil {
				return err
			}
			seen = len(leads)
			for _, l := range leads {
				res, err := tx.ExecContext(ctx, updateSQL, updateArgs(l)...)
				if err != nil {
					return fmt.Errorf("lead %d: %w", l.ID, err)
				}
				if k, _ := res.RowsAffected(); k != 1 {
					continue // changed by someone else meanwhile
				}
				after, kind := apply(l)
				after.Version = l.Version + 1
				if err := AddLeadEventTx(ctx, tx, l.ID, now, jobActor.UserID, jobActor.Label, kind, ChangesJSON(LeadChanges(l, after))); err != nil {
					return err
				}
				// Expiry hides the contact, so its name leaves the search index with it.
				if LeadSearchTerms(l) != LeadSearchTerms(after) {
					if err := IndexLeadSearchTx(ctx, tx, after); err != nil {
						return err
					}
				}
				if hook != nil {
					if err := hook(ctx, tx, after); err != nil {
						return err
					}
				}
				n++
			}
			return nil
		})
		if err != nil {
			return total, fmt.Errorf("db: %s leads: %w", name, err)
		}
		total += n
		// A full batch where nothing changed would loop forever; stop and let the next run retry.
		if seen < jobBatch || n == 0 {
			return total, nil
		}
	}
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
