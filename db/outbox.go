package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
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

// OutboxStatuses are the states of an outbox row, in the order the admin page shows them.
var OutboxStatuses = []string{"queued", "sending", "sent", "failed"}

// OutboxRow is one outbox row as stored, for the sender and the admin page.
type OutboxRow struct {
	OutboxMessage
	Status        string
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	CreatedAt     time.Time
	SentAt        *time.Time
}

const outboxColumns = `id, kind, to_email, to_name, lang, params, COALESCE(lead_id, 0), COALESCE(dedupe_key, ''), status, attempts,
	next_attempt_at, last_error, created_at, sent_at`

func scanOutbox(row interface{ Scan(...any) error }) (*OutboxRow, error) {
	var r OutboxRow
	var params string
	var next, created int64
	var sent sql.NullInt64
	if err := row.Scan(&r.ID, &r.Kind, &r.ToEmail, &r.ToName, &r.Lang, &params, &r.LeadID, &r.DedupeKey, &r.Status, &r.Attempts,
		&next, &r.LastError, &created, &sent); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(params), &r.Params); err != nil {
		return nil, fmt.Errorf("db: outbox %d params: %w", r.ID, err)
	}
	r.NextAttemptAt = time.Unix(next, 0).UTC()
	r.CreatedAt = time.Unix(created, 0).UTC()
	r.SentAt = nullTime(sent)
	return &r, nil
}

// ClaimOutbox takes the next due message for delivery: a queued row whose time has come, or a row left
// 'sending' by a sender that died (its lease, next_attempt_at, ran out). One UPDATE … RETURNING makes
// the claim atomic, so two senders never hold the same row; the lease says when another may retry it.
// It returns ErrNotFound when nothing is due.
func (d *DB) ClaimOutbox(ctx context.Context, now time.Time, lease time.Duration) (*OutboxRow, error) {
	row := d.QueryRowContext(ctx, `UPDATE outbox SET status = 'sending', attempts = attempts + 1, next_attempt_at = ?
		WHERE id = (SELECT id FROM outbox WHERE status IN ('queued', 'sending') AND next_attempt_at <= ?
		            ORDER BY next_attempt_at, id LIMIT 1)
		RETURNING `+outboxColumns, now.Add(lease).Unix(), now.Unix())
	r, err := scanOutbox(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("db: claim outbox: %w", err)
	}
	return r, nil
}

// MarkOutboxSent records a delivered message.
func (d *DB) MarkOutboxSent(ctx context.Context, id int64, at time.Time) error {
	_, err := d.ExecContext(ctx, `UPDATE outbox SET status = 'sent', sent_at = ?, last_error = '' WHERE id = ?`, at.Unix(), id)
	if err != nil {
		return fmt.Errorf("db: mark outbox %d sent: %w", id, err)
	}
	return nil
}

// RetryOutbox puts a message back in the queue after a temporary failure, due again at next.
func (d *DB) RetryOutbox(ctx context.Context, id int64, next time.Time, reason string) error {
	_, err := d.ExecContext(ctx, `UPDATE outbox SET status = 'queued', next_attempt_at = ?, last_error = ? WHERE id = ?`,
		next.Unix(), reason, id)
	if err != nil {
		return fmt.Errorf("db: retry outbox %d: %w", id, err)
	}
	return nil
}

// FailOutbox marks a message permanently refused, keeping the server's answer.
func (d *DB) FailOutbox(ctx context.Context, id int64, reason string) error {
	_, err := d.ExecContext(ctx, `UPDATE outbox SET status = 'failed', last_error = ? WHERE id = ?`, reason, id)
	if err != nil {
		return fmt.Errorf("db: fail outbox %d: %w", id, err)
	}
	return nil
}

// ResendOutboxTx queues a failed (or sent) message again, due now. Its id, and so its Message-ID, stay.
func ResendOutboxTx(ctx context.Context, tx Querier, id int64, now time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'queued', next_attempt_at = ?, attempts = 0
		WHERE id = ? AND status IN ('failed', 'sent')`, now.Unix(), id)
	if err != nil {
		return fmt.Errorf("db: resend outbox %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// OutboxFilter selects rows for the admin page.
type OutboxFilter struct {
	Status  string // "" = all
	Q       string // part of the recipient address
	Page    int    // 1-based
	PerPage int
}

// ListOutbox returns one page of outbox rows, newest first, and how many match in total.
func (d *DB) ListOutbox(ctx context.Context, f OutboxFilter) ([]*OutboxRow, int, error) {
	where := `WHERE (? = '' OR status = ?) AND (? = '' OR to_email LIKE '%' || ? || '%' ESCAPE '\')`
	q := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(f.Q)
	args := []any{f.Status, f.Status, q, q}
	var total int
	if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox `+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("db: count outbox: %w", err)
	}
	if f.PerPage <= 0 {
		f.PerPage = 50
	}
	if f.Page < 1 {
		f.Page = 1
	}
	rows, err := d.QueryContext(ctx, `SELECT `+outboxColumns+` FROM outbox `+where+` ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`,
		append(args, f.PerPage, (f.Page-1)*f.PerPage)...)
	if err != nil {
		return nil, 0, fmt.Errorf("db: list outbox: %w", err)
	}
	defer rows.Close()
	var out []*OutboxRow
	for rows.Next() {
		r, err := scanOutbox(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, r)
	}
	return out, total, rows.Err()
}

// OutboxCounts counts rows per status.
func (d *DB) OutboxCounts(ctx context.Context) (map[string]int, error) {
	rows, err := d.QueryContext(ctx, `SELECT status, COUNT(*) FROM outbox GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("db: outbox counts: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, err
		}
		out[s] = n
	}
	return out, rows.Err()
}
