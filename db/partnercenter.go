package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// The Partner Center sync's tables (migration 0030): the connection, connects in flight, the leads
// that came from Partner Center, the sync queue, the call log, the sync errors and the marketplace
// reminders.

// PCConnection is the one Partner Center connection.
type PCConnection struct {
	RefreshSealed string // the refresh token sealed by secretkey; "" when not connected
	ConnectedAt   *time.Time
	RevokedAt     *time.Time
	RevokedError  string
	WebhookSecret string
	PullCursor    time.Time // zero: nothing pulled yet
	LastPullAt    *time.Time
	LastPullCount int
	LastPullError string
}

// Connected reports whether a grant is stored and Entra has not refused it.
func (c *PCConnection) Connected() bool { return c.RefreshSealed != "" && c.RevokedAt == nil }

// PCConnection reads the connection (an empty one before the first connect).
func (d *DB) PCConnection(ctx context.Context) (*PCConnection, error) {
	if _, err := d.ExecContext(ctx, `INSERT OR IGNORE INTO pc_connection (id) VALUES (1)`); err != nil {
		return nil, fmt.Errorf("db: partner center connection: %w", err)
	}
	var c PCConnection
	var connected, revoked, pulled sql.NullInt64
	var cursor string
	err := d.QueryRowContext(ctx, `SELECT refresh_token_sealed, connected_at, revoked_at, revoked_error, webhook_secret,
		pull_cursor, last_pull_at, last_pull_count, last_pull_error FROM pc_connection WHERE id = 1`).Scan(
		&c.RefreshSealed, &connected, &revoked, &c.RevokedError, &c.WebhookSecret, &cursor, &pulled, &c.LastPullCount, &c.LastPullError)
	if err != nil {
		return nil, fmt.Errorf("db: partner center connection: %w", err)
	}
	c.ConnectedAt, c.RevokedAt, c.LastPullAt = nullTime(connected), nullTime(revoked), nullTime(pulled)
	if cursor != "" {
		if c.PullCursor, err = time.Parse(time.RFC3339Nano, cursor); err != nil {
			return nil, fmt.Errorf("db: partner center pull cursor %q: %w", cursor, err)
		}
	}
	return &c, nil
}

// execPC runs one statement on the connection row, creating it first.
func (d *DB) execPC(ctx context.Context, what, query string, args ...any) error {
	if _, err := d.ExecContext(ctx, `INSERT OR IGNORE INTO pc_connection (id) VALUES (1)`); err != nil {
		return fmt.Errorf("db: partner center %s: %w", what, err)
	}
	if _, err := d.ExecContext(ctx, query, args...); err != nil {
		return fmt.Errorf("db: partner center %s: %w", what, err)
	}
	return nil
}

// MarkPCConnected records a connect by user by (the grant itself was stored by SetPCRefreshToken).
func (d *DB) MarkPCConnected(ctx context.Context, by int64, now time.Time) error {
	return d.execPC(ctx, "connect", `UPDATE pc_connection SET connected_at = ?, connected_by = ?, revoked_at = NULL, revoked_error = ''
		WHERE id = 1`, now.Unix(), nullID(by))
}

// SetPCRefreshToken replaces the stored grant with the one Entra rotated to.
func (d *DB) SetPCRefreshToken(ctx context.Context, sealed string) error {
	return d.execPC(ctx, "refresh token", `UPDATE pc_connection SET refresh_token_sealed = ? WHERE id = 1`, sealed)
}

// MarkPCRevoked records that Entra refused the grant: the admin page offers Reconnect.
func (d *DB) MarkPCRevoked(ctx context.Context, now time.Time, reason string) error {
	return d.execPC(ctx, "revoked", `UPDATE pc_connection SET revoked_at = COALESCE(revoked_at, ?), revoked_error = ?
		WHERE id = 1 AND refresh_token_sealed <> ''`, now.Unix(), reason)
}

// DeletePCGrant forgets the grant (Disconnect). The pull watermark stays, so a reconnect goes on
// where the sync stopped.
func (d *DB) DeletePCGrant(ctx context.Context) error {
	return d.execPC(ctx, "disconnect", `UPDATE pc_connection SET refresh_token_sealed = '', connected_at = NULL, connected_by = NULL,
		revoked_at = NULL, revoked_error = '' WHERE id = 1`)
}

// SetPCWebhookSecret sets the secret of the webhook receiver's URL.
func (d *DB) SetPCWebhookSecret(ctx context.Context, secret string) error {
	return d.execPC(ctx, "webhook secret", `UPDATE pc_connection SET webhook_secret = ? WHERE id = 1`, secret)
}

// SetPCPull records a pull: the new watermark (zero keeps the old one), when, how many referrals it
// stored and its error, if any.
func (d *DB) SetPCPull(ctx context.Context, cursor time.Time, at time.Time, count int, errText string) error {
	c := ""
	if !cursor.IsZero() {
		c = cursor.UTC().Format(time.RFC3339Nano)
	}
	return d.execPC(ctx, "pull", `UPDATE pc_connection SET pull_cursor = CASE WHEN ? = '' THEN pull_cursor ELSE ? END,
		last_pull_at = ?, last_pull_count = ?, last_pull_error = ? WHERE id = 1`, c, c, at.Unix(), count, errText)
}

// SavePCAuthRequest keeps a connect's state and PKCE verifier on the server, dropping ones older
// than an hour.
func (d *DB) SavePCAuthRequest(ctx context.Context, state, verifier string, userID int64, now time.Time) error {
	if _, err := d.ExecContext(ctx, `DELETE FROM pc_auth_requests WHERE created_at < ?`, now.Add(-time.Hour).Unix()); err != nil {
		return fmt.Errorf("db: partner center auth request: %w", err)
	}
	if _, err := d.ExecContext(ctx, `INSERT INTO pc_auth_requests (state, verifier, user_id, created_at) VALUES (?, ?, ?, ?)`,
		state, verifier, nullID(userID), now.Unix()); err != nil {
		return fmt.Errorf("db: partner center auth request: %w", err)
	}
	return nil
}

// TakePCAuthRequest returns and deletes the verifier of state if userID started it no earlier than
// notBefore; ErrNotFound otherwise. A state is usable once.
func (d *DB) TakePCAuthRequest(ctx context.Context, state string, userID int64, notBefore time.Time) (string, error) {
	var verifier string
	err := d.QueryRowContext(ctx, `DELETE FROM pc_auth_requests WHERE state = ? AND user_id = ? AND created_at >= ? RETURNING verifier`,
		state, userID, notBefore.Unix()).Scan(&verifier)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("db: partner center auth request: %w", err)
	}
	return verifier, nil
}

// PC sync states of a lead.
const (
	PCInSync   = "in_sync"
	PCPending  = "pending"
	PCFailed   = "failed"
	PCConflict = "conflict"
)

// PCReferral is what the sync keeps beside a lead that came from Partner Center.
type PCReferral struct {
	LeadID     int64
	ReferralID string
	ETag       string
	UpdatedAt  string // the referral's updatedDateTime, RFC 3339
	State      string
	Error      string
	Conflict   string // JSON of both sides, when State is conflict
	LastSyncAt *time.Time
}

const pcReferralColumns = `lead_id, referral_id, etag, pc_updated_at, state, error, conflict, last_sync_at`

func scanPCReferral(row interface{ Scan(...any) error }) (*PCReferral, error) {
	var r PCReferral
	var last sql.NullInt64
	if err := row.Scan(&r.LeadID, &r.ReferralID, &r.ETag, &r.UpdatedAt, &r.State, &r.Error, &r.Conflict, &last); err != nil {
		return nil, err
	}
	r.LastSyncAt = nullTime(last)
	return &r, nil
}

func onePCReferral(ctx context.Context, q Querier, where string, arg any) (*PCReferral, error) {
	r, err := scanPCReferral(q.QueryRowContext(ctx, `SELECT `+pcReferralColumns+` FROM pc_referrals WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("db: partner center referral: %w", err)
	}
	return r, nil
}

// PCReferralByReferralID finds the lead of a referral, or ErrNotFound.
func PCReferralByReferralID(ctx context.Context, q Querier, referralID string) (*PCReferral, error) {
	return onePCReferral(ctx, q, `referral_id = ?`, referralID)
}

// PCReferralByLead reads what the sync keeps beside a lead, or ErrNotFound for a lead that did not
// come from Partner Center.
func PCReferralByLead(ctx context.Context, q Querier, leadID int64) (*PCReferral, error) {
	return onePCReferral(ctx, q, `lead_id = ?`, leadID)
}

// SavePCReferralTx stores or replaces what the sync keeps beside a lead.
func SavePCReferralTx(ctx context.Context, q Querier, r *PCReferral) error {
	_, err := q.ExecContext(ctx, `INSERT INTO pc_referrals (`+pcReferralColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (lead_id) DO UPDATE SET referral_id = excluded.referral_id, etag = excluded.etag, pc_updated_at = excluded.pc_updated_at,
		state = excluded.state, error = excluded.error, conflict = excluded.conflict, last_sync_at = excluded.last_sync_at`,
		r.LeadID, r.ReferralID, r.ETag, r.UpdatedAt, r.State, r.Error, r.Conflict, unixOrNil(r.LastSyncAt))
	if err != nil {
		return fmt.Errorf("db: save partner center referral of lead %d: %w", r.LeadID, err)
	}
	return nil
}

// SetPCStateTx sets a lead's sync state (and error) only.
func SetPCStateTx(ctx context.Context, q Querier, leadID int64, state, errText string) error {
	if _, err := q.ExecContext(ctx, `UPDATE pc_referrals SET state = ?, error = ? WHERE lead_id = ?`, state, errText, leadID); err != nil {
		return fmt.Errorf("db: partner center state of lead %d: %w", leadID, err)
	}
	return nil
}

// PCQueueRow is one row of the sync queue.
type PCQueueRow struct {
	ID         int64
	Kind       string // push, fetch
	LeadID     int64
	ReferralID string
	Ops        string // JSON Patch
	Base       string // JSON
	Status     string
	Attempts   int
	NextAt     time.Time
	LastError  string
	CreatedAt  time.Time
}

const pcQueueColumns = `id, kind, COALESCE(lead_id, 0), referral_id, ops, base, status, attempts, next_attempt_at, last_error, created_at`

func scanPCQueue(row interface{ Scan(...any) error }) (*PCQueueRow, error) {
	var r PCQueueRow
	var next, created int64
	if err := row.Scan(&r.ID, &r.Kind, &r.LeadID, &r.ReferralID, &r.Ops, &r.Base, &r.Status, &r.Attempts, &next, &r.LastError, &created); err != nil {
		return nil, err
	}
	r.NextAt, r.CreatedAt = time.Unix(next, 0).UTC(), time.Unix(created, 0).UTC()
	return &r, nil
}

// EnqueuePCPushTx queues a push of a lead's change, in the change's transaction, and marks the lead
// pending.
func EnqueuePCPushTx(ctx context.Context, q Querier, leadID int64, referralID, ops, base string, now time.Time) error {
	if _, err := q.ExecContext(ctx, `INSERT INTO pc_sync_queue (kind, lead_id, referral_id, ops, base, next_attempt_at, created_at)
		VALUES ('push', ?, ?, ?, ?, ?, ?)`, leadID, referralID, ops, base, now.Unix(), now.Unix()); err != nil {
		return fmt.Errorf("db: queue partner center push of lead %d: %w", leadID, err)
	}
	if _, err := q.ExecContext(ctx, `UPDATE pc_referrals SET state = 'pending', error = '' WHERE lead_id = ? AND state <> 'conflict'`, leadID); err != nil {
		return fmt.Errorf("db: queue partner center push of lead %d: %w", leadID, err)
	}
	return nil
}

// EnqueuePCFetch queues a fetch of one referral (a webhook event pointed at it). A fetch of the same
// referral already waiting is enough.
func (d *DB) EnqueuePCFetch(ctx context.Context, referralID string, now time.Time) error {
	if _, err := d.ExecContext(ctx, `INSERT INTO pc_sync_queue (kind, referral_id, next_attempt_at, created_at)
		SELECT 'fetch', ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM pc_sync_queue WHERE kind = 'fetch' AND referral_id = ? AND status = 'queued')`,
		referralID, now.Unix(), now.Unix(), referralID); err != nil {
		return fmt.Errorf("db: queue partner center fetch: %w", err)
	}
	return nil
}

// ClaimPCQueue takes the next due row, leasing it until now+lease (a row whose lease ran out — its
// sender died — is due again). A lead's pushes go one at a time in the order they were queued, and
// none while the lead is in conflict; ErrNotFound when nothing is due.
func (d *DB) ClaimPCQueue(ctx context.Context, now time.Time, lease time.Duration) (*PCQueueRow, error) {
	row := d.QueryRowContext(ctx, `UPDATE pc_sync_queue SET status = 'sending', attempts = attempts + 1, next_attempt_at = ?
		WHERE id = (SELECT q.id FROM pc_sync_queue q WHERE q.status IN ('queued', 'sending') AND q.next_attempt_at <= ?
		  AND (q.lead_id IS NULL OR (
		    NOT EXISTS (SELECT 1 FROM pc_sync_queue p WHERE p.lead_id = q.lead_id AND p.status IN ('queued', 'sending') AND p.id < q.id)
		    AND NOT EXISTS (SELECT 1 FROM pc_referrals r WHERE r.lead_id = q.lead_id AND r.state = 'conflict')))
		  ORDER BY q.next_attempt_at, q.id LIMIT 1)
		RETURNING `+pcQueueColumns, now.Add(lease).Unix(), now.Unix())
	r, err := scanPCQueue(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("db: claim partner center queue: %w", err)
	}
	return r, nil
}

// DonePCQueue marks a row done.
func (d *DB) DonePCQueue(ctx context.Context, id int64, now time.Time) error {
	_, err := d.ExecContext(ctx, `UPDATE pc_sync_queue SET status = 'done', done_at = ?, last_error = '' WHERE id = ?`, now.Unix(), id)
	if err != nil {
		return fmt.Errorf("db: partner center queue %d done: %w", id, err)
	}
	return nil
}

// RetryPCQueue puts a row back, due at next. keepAttempt false does not count the attempt (a wait
// that was no fault of the row, such as a grant to reconnect).
func (d *DB) RetryPCQueue(ctx context.Context, id int64, next time.Time, reason string, countAttempt bool) error {
	dec := 1
	if countAttempt {
		dec = 0
	}
	_, err := d.ExecContext(ctx, `UPDATE pc_sync_queue SET status = 'queued', next_attempt_at = ?, last_error = ?, attempts = attempts - ?
		WHERE id = ?`, next.Unix(), reason, dec, id)
	if err != nil {
		return fmt.Errorf("db: retry partner center queue %d: %w", id, err)
	}
	return nil
}

// FailPCQueue marks a row failed for good with the answer, and its lead failed.
func (d *DB) FailPCQueue(ctx context.Context, row *PCQueueRow, reason string, now time.Time) error {
	return d.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE pc_sync_queue SET status = 'failed', done_at = ?, last_error = ? WHERE id = ?`, now.Unix(), reason, row.ID); err != nil {
			return fmt.Errorf("db: fail partner center queue %d: %w", row.ID, err)
		}
		if row.LeadID != 0 {
			return SetPCStateTx(ctx, tx, row.LeadID, PCFailed, reason)
		}
		return nil
	})
}

// HoldPCQueue leaves a claimed row queued without counting the attempt (its lead went into conflict:
// the row waits for the Referrals admin's choice).
func (d *DB) HoldPCQueue(ctx context.Context, id int64, now time.Time) error {
	return d.RetryPCQueue(ctx, id, now, "", false)
}

// SupersedePCPushesTx drops what a lead's waiting pushes would change (a conflict was resolved:
// Partner Center's version was taken, or ours is pushed afresh). Only their team additions stay
// queued — adding the partner's people is never in conflict; a push left with nothing is done.
func SupersedePCPushesTx(ctx context.Context, q Querier, leadID int64, now time.Time) error {
	if _, err := q.ExecContext(ctx, `UPDATE pc_sync_queue SET base = '{}', ops = COALESCE((SELECT json_group_array(json(j.value))
		FROM json_each(pc_sync_queue.ops) j WHERE json_extract(j.value, '$.path') = '/team/-'), '[]')
		WHERE lead_id = ? AND status IN ('queued', 'sending')`, leadID); err != nil {
		return fmt.Errorf("db: supersede partner center pushes of lead %d: %w", leadID, err)
	}
	_, err := q.ExecContext(ctx, `UPDATE pc_sync_queue SET status = 'done', done_at = ?, last_error = 'superseded by the resolved conflict'
		WHERE lead_id = ? AND status IN ('queued', 'sending') AND ops = '[]'`, now.Unix(), leadID)
	if err != nil {
		return fmt.Errorf("db: supersede partner center pushes of lead %d: %w", leadID, err)
	}
	return nil
}

// PCPendingPushesTx counts a lead's pushes not yet done.
func PCPendingPushesTx(ctx context.Context, q Querier, leadID int64) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM pc_sync_queue WHERE lead_id = ? AND status IN ('queued', 'sending')`, leadID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("db: partner center pushes of lead %d: %w", leadID, err)
	}
	return n, nil
}

// PCQueueCounts counts the queue's rows by status.
func (d *DB) PCQueueCounts(ctx context.Context) (map[string]int, error) {
	rows, err := d.QueryContext(ctx, `SELECT status, COUNT(*) FROM pc_sync_queue GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("db: partner center queue counts: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, fmt.Errorf("db: partner center queue counts: %w", err)
		}
		out[s] = n
	}
	return out, rows.Err()
}

// PCProblem is a lead whose sync failed or is in conflict, for the admin page.
type PCProblem struct {
	LeadID     int64
	Company    string
	ReferralID string
	State      string
	Error      string
	LastSyncAt *time.Time
}

// PCProblems lists up to limit leads whose sync failed or is in conflict, newest first.
func (d *DB) PCProblems(ctx context.Context, limit int) ([]PCProblem, error) {
	rows, err := d.QueryContext(ctx, `SELECT r.lead_id, l.customer_company, r.referral_id, r.state, r.error, r.last_sync_at
		FROM pc_referrals r JOIN leads l ON l.id = r.lead_id WHERE r.state IN ('failed', 'conflict')
		ORDER BY r.last_sync_at DESC, r.lead_id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("db: partner center problems: %w", err)
	}
	defer rows.Close()
	var out []PCProblem
	for rows.Next() {
		var p PCProblem
		var last sql.NullInt64
		if err := rows.Scan(&p.LeadID, &p.Company, &p.ReferralID, &p.State, &p.Error, &last); err != nil {
			return nil, fmt.Errorf("db: partner center problems: %w", err)
		}
		p.LastSyncAt = nullTime(last)
		out = append(out, p)
	}
	return out, rows.Err()
}

// PCCall is one logged HTTP call.
type PCCall struct {
	At        time.Time
	Method    string
	Path      string
	Status    int
	Duration  time.Duration
	Error     string
	RequestID string
}

// pcCallsKept is how many calls the log keeps.
const pcCallsKept = 200

// AddPCCall logs one call, keeping the newest pcCallsKept.
func (d *DB) AddPCCall(ctx context.Context, c PCCall) error {
	res, err := d.ExecContext(ctx, `INSERT INTO pc_calls (at, method, path, status, duration_ms, error, request_id) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		c.At.Unix(), c.Method, c.Path, c.Status, c.Duration.Milliseconds(), c.Error, c.RequestID)
	if err != nil {
		return fmt.Errorf("db: partner center call log: %w", err)
	}
	if id, _ := res.LastInsertId(); id%50 == 0 {
		if _, err := d.ExecContext(ctx, `DELETE FROM pc_calls WHERE id <= ?`, id-pcCallsKept); err != nil {
			return fmt.Errorf("db: partner center call log: %w", err)
		}
	}
	return nil
}

// RecentPCCalls returns the newest limit calls.
func (d *DB) RecentPCCalls(ctx context.Context, limit int) ([]PCCall, error) {
	rows, err := d.QueryContext(ctx, `SELECT at, method, path, status, duration_ms, error, request_id FROM pc_calls ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("db: partner center calls: %w", err)
	}
	defer rows.Close()
	var out []PCCall
	for rows.Next() {
		var c PCCall
		var at, ms int64
		if err := rows.Scan(&at, &c.Method, &c.Path, &c.Status, &ms, &c.Error, &c.RequestID); err != nil {
			return nil, fmt.Errorf("db: partner center calls: %w", err)
		}
		c.At, c.Duration = time.Unix(at, 0).UTC(), time.Duration(ms)*time.Millisecond
		out = append(out, c)
	}
	return out, rows.Err()
}

// pcSyncErrorsKept is how many sync errors are kept.
const pcSyncErrorsKept = 1000

// PrunePCQueue deletes the queue's done rows finished before before (failed rows stay: they are shown
// until a person sees to the lead).
func (d *DB) PrunePCQueue(ctx context.Context, before time.Time) error {
	if _, err := d.ExecContext(ctx, `DELETE FROM pc_sync_queue WHERE status = 'done' AND done_at < ?`, before.Unix()); err != nil {
		return fmt.Errorf("db: prune partner center queue: %w", err)
	}
	return nil
}

// PCSyncError is a referral a pull or fetch could not use.
type PCSyncError struct {
	At         time.Time
	ReferralID string
	Error      string
}

// AddPCSyncError records a referral the sync could not use.
func (d *DB) AddPCSyncError(ctx context.Context, e PCSyncError) error {
	res, err := d.ExecContext(ctx, `INSERT INTO pc_sync_errors (at, referral_id, error) VALUES (?, ?, ?)`, e.At.Unix(), e.ReferralID, e.Error)
	if err != nil {
		return fmt.Errorf("db: partner center sync error: %w", err)
	}
	if id, _ := res.LastInsertId(); id%50 == 0 {
		if _, err := d.ExecContext(ctx, `DELETE FROM pc_sync_errors WHERE id <= ?`, id-pcSyncErrorsKept); err != nil {
			return fmt.Errorf("db: partner center sync error: %w", err)
		}
	}
	return nil
}

// RecentPCSyncErrors returns the newest limit sync errors.
func (d *DB) RecentPCSyncErrors(ctx context.Context, limit int) ([]PCSyncError, error) {
	rows, err := d.QueryContext(ctx, `SELECT at, referral_id, error FROM pc_sync_errors ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("db: partner center sync errors: %w", err)
	}
	defer rows.Close()
	var out []PCSyncError
	for rows.Next() {
		var e PCSyncError
		var at int64
		if err := rows.Scan(&at, &e.ReferralID, &e.Error); err != nil {
			return nil, fmt.Errorf("db: partner center sync errors: %w", err)
		}
		e.At = time.Unix(at, 0).UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// AddPCReminderTx opens the reminder to mark a marketplace lead accepted here in Partner Center too
// (once per lead).
func AddPCReminderTx(ctx context.Context, q Querier, leadID int64, now time.Time) error {
	if _, err := q.ExecContext(ctx, `INSERT OR IGNORE INTO pc_reminders (lead_id, created_at) VALUES (?, ?)`, leadID, now.Unix()); err != nil {
		return fmt.Errorf("db: partner center reminder of lead %d: %w", leadID, err)
	}
	return nil
}

// DismissPCReminder closes a lead's reminder.
func (d *DB) DismissPCReminder(ctx context.Context, leadID, by int64, now time.Time) error {
	if _, err := d.ExecContext(ctx, `UPDATE pc_reminders SET dismissed_at = ?, dismissed_by = ? WHERE lead_id = ? AND dismissed_at IS NULL`,
		now.Unix(), nullID(by), leadID); err != nil {
		return fmt.Errorf("db: dismiss partner center reminder of lead %d: %w", leadID, err)
	}
	return nil
}

// PCReminderOpen reports whether a lead's reminder is open.
func (d *DB) PCReminderOpen(ctx context.Context, leadID int64) (bool, error) {
	var n int
	if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM pc_reminders WHERE lead_id = ? AND dismissed_at IS NULL`, leadID).Scan(&n); err != nil {
		return false, fmt.Errorf("db: partner center reminder of lead %d: %w", leadID, err)
	}
	return n > 0, nil
}

// PCReminder is an open reminder, for the Action Center.
type PCReminder struct {
	LeadID    int64
	Company   string
	CreatedAt time.Time
}

// OpenPCReminders lists the open reminders, newest first.
func (d *DB) OpenPCReminders(ctx context.Context, limit int) ([]PCReminder, error) {
	rows, err := d.QueryContext(ctx, `SELECT r.lead_id, l.customer_company, r.created_at FROM pc_reminders r JOIN leads l ON l.id = r.lead_id
		WHERE r.dismissed_at IS NULL ORDER BY r.created_at DESC, r.lead_id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("db: partner center reminders: %w", err)
	}
	defer rows.Close()
	var out []PCReminder
	for rows.Next() {
		var r PCReminder
		var at int64
		if err := rows.Scan(&r.LeadID, &r.Company, &at); err != nil {
			return nil, fmt.Errorf("db: partner center reminders: %w", err)
		}
		r.CreatedAt = time.Unix(at, 0).UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

// NewPCTeamMembersTx lists the lead's team members (users) not yet added to its referral's team, and
// records them as added: the push that adds them is queued in the same transaction.
func NewPCTeamMembersTx(ctx context.Context, q Querier, leadID int64) ([]TeamMember, error) {
	team, err := LeadTeam(ctx, q, leadID)
	if err != nil {
		return nil, err
	}
	var out []TeamMember
	for _, m := range team {
		added, err := MarkPCTeamSentTx(ctx, q, leadID, m.Email)
		if err != nil {
			return nil, err
		}
		if added {
			out = append(out, m)
		}
	}
	return out, nil
}

// MarkPCTeamSentTx records that email is (about to be) on the referral's team; false when it already was.
func MarkPCTeamSentTx(ctx context.Context, q Querier, leadID int64, email string) (bool, error) {
	if email == "" {
		return false, nil
	}
	res, err := q.ExecContext(ctx, `INSERT OR IGNORE INTO pc_team_sent (lead_id, email) VALUES (?, ?)`, leadID, email)
	if err != nil {
		return false, fmt.Errorf("db: partner center team of lead %d: %w", leadID, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}
