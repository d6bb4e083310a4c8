package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Activity is one logged call, email, meeting or note on a lead, with its optional next step.
type Activity struct {
	ID         int64
	LeadID     int64
	UserID     int64
	UserName   string
	Kind       string
	Outcome    string
	Body       string
	At         time.Time
	NextStep   string
	NextDue    string // YYYY-MM-DD; "" = no next step
	NextDoneAt *time.Time
}

// AddActivityTx stores a; it sets a.ID.
func AddActivityTx(ctx context.Context, tx *sql.Tx, a *Activity, now time.Time) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO lead_activities (lead_id, user_id, kind, outcome, body, at, next_step, next_due, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.LeadID, nullID(a.UserID), a.Kind, a.Outcome, a.Body, a.At.Unix(), a.NextStep, a.NextDue, now.Unix())
	if err != nil {
		return fmt.Errorf("db: add activity: %w", err)
	}
	a.ID, _ = res.LastInsertId()
	return nil
}

// LeadActivities is a lead's activities, newest first.
func (d *DB) LeadActivities(ctx context.Context, leadID int64) ([]Activity, error) {
	rows, err := d.QueryContext(ctx, `SELECT a.id, a.lead_id, COALESCE(a.user_id, 0), COALESCE(NULLIF(u.name, ''), u.email, ''), a.kind, a.outcome,
		a.body, a.at, a.next_step, a.next_due, a.next_done_at
		FROM lead_activities a LEFT JOIN users u ON u.id = a.user_id WHERE a.lead_id = ? ORDER BY a.at DESC, a.id DESC`, leadID)
	if err != nil {
		return nil, fmt.Errorf("db: activities: %w", err)
	}
	defer rows.Close()
	var out []Activity
	for rows.Next() {
		var a Activity
		var at int64
		var done sql.NullInt64
		if err := rows.Scan(&a.ID, &a.LeadID, &a.UserID, &a.UserName, &a.Kind, &a.Outcome, &a.Body, &at, &a.NextStep, &a.NextDue, &done); err != nil {
			return nil, fmt.Errorf("db: activities: %w", err)
		}
		a.At = time.Unix(at, 0).UTC()
		a.NextDoneAt = nullTime(done)
		out = append(out, a)
	}
	return out, rows.Err()
}

// ActivityByIDTx is one activity, or ErrNotFound.
func ActivityByIDTx(ctx context.Context, q Querier, id int64) (*Activity, error) {
	var a Activity
	var at int64
	var done sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT id, lead_id, COALESCE(user_id, 0), kind, outcome, body, at, next_step, next_due, next_done_at
		FROM lead_activities WHERE id = ?`, id).Scan(&a.ID, &a.LeadID, &a.UserID, &a.Kind, &a.Outcome, &a.Body, &at, &a.NextStep, &a.NextDue, &done)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("db: activity %d: %w", id, err)
	}
	a.At, a.NextDoneAt = time.Unix(at, 0).UTC(), nullTime(done)
	return &a, nil
}

// CompleteNextStepTx marks an activity's next step done.
func CompleteNextStepTx(ctx context.Context, tx *sql.Tx, id int64, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `UPDATE lead_activities SET next_done_at = ? WHERE id = ? AND next_done_at IS NULL`, now.Unix(), id); err != nil {
		return fmt.Errorf("db: next step %d: %w", id, err)
	}
	return nil
}

// DueStep is a next step due for a user: on a lead they own (or, unassigned, one they logged).
type DueStep struct {
	ActivityID int64
	LeadID     int64
	Company    string
	Step       string
	Due        string
}

// DueNextSteps is userID's open next steps due on or before today (YYYY-MM-DD), oldest due first:
// on leads they own, or on unassigned leads where they logged the activity. Archived leads' steps are
// left out (their history is read-only).
func (d *DB) DueNextSteps(ctx context.Context, userID int64, today string) ([]DueStep, error) {
	rows, err := d.QueryContext(ctx, `SELECT a.id, a.lead_id, l.customer_company, a.next_step, a.next_due
		FROM lead_activities a JOIN leads l ON l.id = a.lead_id
		WHERE a.next_due != '' AND a.next_done_at IS NULL AND a.next_due <= ? AND l.status != 'archived'
		  AND (l.owner_id = ? OR (l.owner_id IS NULL AND a.user_id = ?))
		ORDER BY a.next_due, a.id LIMIT 50`, today, userID, userID)
	if err != nil {
		return nil, fmt.Errorf("db: due next steps: %w", err)
	}
	defer rows.Close()
	var out []DueStep
	for rows.Next() {
		var s DueStep
		if err := rows.Scan(&s.ActivityID, &s.LeadID, &s.Company, &s.Step, &s.Due); err != nil {
			return nil, fmt.Errorf("db: due next steps: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// OverdueNextSteps is which of the given leads have an open next step due before today (YYYY-MM-DD),
// for the list's overdue mark.
func (d *DB) OverdueNextSteps(ctx context.Context, ids []int64, today string) (map[int64]bool, error) {
	out := map[int64]bool{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := d.QueryContext(ctx, `SELECT DISTINCT lead_id FROM lead_activities WHERE lead_id IN (`+placeholders(len(ids))+`)
		AND next_due != '' AND next_done_at IS NULL AND next_due < ?`, append(anySlice(ids), today)...)
	if err != nil {
		return nil, fmt.Errorf("db: overdue next steps: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("db: overdue next steps: %w", err)
		}
		out[id] = true
	}
	return out, rows.Err()
}
