package db

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// ActionReasons are why a lead is in the Action Center, most urgent first: it expires within
// ActionExpiringWindow, the customer asked to be contacted, it is new and waits for an answer, it
// expired unanswered. A lead shows once, with its most urgent reason.
var ActionReasons = []string{"expiring", "requested_contact", "new_lead", "expired"}

// ActionExpiringWindow is how close to its respond-by time a lead counts as expiring.
const ActionExpiringWindow = 48 * time.Hour

// ActionRow is one lead in the Action Center as one user sees it: its most urgent open reason and
// whether the user has seen everything it holds.
type ActionRow struct {
	LeadID    int64
	Reason    string    // one of ActionReasons
	At        time.Time // when its newest open item arose; for an expired lead, when it expired
	Read      bool
	Company   string
	Tab       string
	CTA       string
	ExpiresAt *time.Time
}

// ActionCenterWindow is how far back the Action Center looks: an item nobody dismissed (an expired
// lead, say) leaves it after this, so the bell's count stays meaningful and its query small.
const ActionCenterWindow = 30 * 24 * time.Hour

// openItemsSQL selects the open items of the window that user ? has not dismissed, of real (not
// test) leads; its parameters are the user and the window's start.
const openItemsSQL = `FROM action_items a JOIN leads l ON l.id = a.lead_id
	LEFT JOIN action_item_reads r ON r.item_id = a.id AND r.user_id = ?
	WHERE a.done_at IS NULL AND a.created_at >= ? AND l.is_test = 0 AND r.dismissed_at IS NULL`

// ActionRows lists a user's Action Center as of now, one row per lead, by urgency: expiring within
// ActionExpiringWindow (soonest first), customer asked for contact, new, expired (each newest first).
// It answers up to limit rows from offset, and whether more follow.
func (d *DB) ActionRows(ctx context.Context, userID int64, now time.Time, offset, limit int) ([]ActionRow, bool, error) {
	rows, err := d.QueryContext(ctx, `WITH o AS (
			SELECT a.lead_id, MAX(a.kind = 'requested_contact') AS asked, MAX(a.kind IN ('new_lead', 'expiring')) AS waiting,
				MIN(r.read_at IS NOT NULL) AS seen, MAX(a.created_at) AS at `+openItemsSQL+` GROUP BY a.lead_id),
		ranked AS (
			SELECT o.lead_id, o.seen, o.at, l.customer_company, l.tab, COALESCE(l.cta, '') AS cta, l.expires_at, l.archived_at,
				CASE WHEN l.status = 'received' AND (o.asked OR o.waiting) AND l.expires_at > ? AND l.expires_at <= ? THEN 0
					WHEN o.asked THEN 1 WHEN o.waiting THEN 2 ELSE 3 END AS rank
			FROM o JOIN leads l ON l.id = o.lead_id)
		SELECT lead_id, rank, at, seen, customer_company, tab, cta, expires_at, archived_at FROM ranked
		ORDER BY rank, CASE WHEN rank = 0 THEN expires_at END, at DESC, lead_id DESC LIMIT ? OFFSET ?`,
		userID, now.Add(-ActionCenterWindow).Unix(), now.Unix(), now.Add(ActionExpiringWindow).Unix(), limit+1, offset)
	if err != nil {
		return nil, false, fmt.Errorf("db: action center: %w", err)
	}
	defer rows.Close()
	var out []ActionRow
	for rows.Next() {
		var it ActionRow
		var rank int
		var at int64
		var expires, archived sql.NullInt64
		if err := rows.Scan(&it.LeadID, &rank, &at, &it.Read, &it.Company, &it.Tab, &it.CTA, &expires, &archived); err != nil {
			return nil, false, fmt.Errorf("db: action center: %w", err)
		}
		it.Reason = ActionReasons[rank]
		it.At = time.Unix(at, 0).UTC()
		if it.Reason == "expired" && archived.Valid {
			it.At = time.Unix(archived.Int64, 0).UTC()
		}
		it.ExpiresAt = nullTime(expires)
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("db: action center: %w", err)
	}
	if len(out) > limit {
		return out[:limit], true, nil
	}
	return out, false, nil
}

// UnreadActionItems counts the leads of a user's Action Center with something not yet seen, as of
// now: what the bell's badge shows (one per lead, like the rows).
func (d *DB) UnreadActionItems(ctx context.Context, userID int64, now time.Time) (int, error) {
	var n int
	if err := d.QueryRowContext(ctx, `SELECT COUNT(DISTINCT a.lead_id) `+openItemsSQL+` AND r.read_at IS NULL`,
		userID, now.Add(-ActionCenterWindow).Unix()).Scan(&n); err != nil {
		return 0, fmt.Errorf("db: unread action items: %w", err)
	}
	return n, nil
}

// MarkActionLeadsRead records that a user saw the open items of these leads.
func (d *DB) MarkActionLeadsRead(ctx context.Context, userID int64, leadIDs []int64, at time.Time) error {
	if len(leadIDs) == 0 {
		return nil
	}
	args := []any{userID, at.Unix()}
	for _, id := range leadIDs {
		args = append(args, id)
	}
	_, err := d.ExecContext(ctx, `INSERT INTO action_item_reads (item_id, user_id, read_at)
		SELECT id, ?, ? FROM action_items WHERE done_at IS NULL AND lead_id IN (?`+strings.Repeat(", ?", len(leadIDs)-1)+`) AND true
		ON CONFLICT (item_id, user_id) DO UPDATE SET read_at = COALESCE(read_at, excluded.read_at)`, args...)
	if err != nil {
		return fmt.Errorf("db: mark action items read: %w", err)
	}
	return nil
}

// MarkAllActionItemsRead records that a user saw every open item of the window as of now (the
// Action Center's "mark all as read").
func (d *DB) MarkAllActionItemsRead(ctx context.Context, userID int64, now time.Time) error {
	_, err := d.ExecContext(ctx, `INSERT INTO action_item_reads (item_id, user_id, read_at)
		SELECT id, ?, ? FROM action_items WHERE done_at IS NULL AND created_at >= ? AND true
		ON CONFLICT (item_id, user_id) DO UPDATE SET read_at = COALESCE(read_at, excluded.read_at)`,
		userID, now.Unix(), now.Add(-ActionCenterWindow).Unix())
	if err != nil {
		return fmt.Errorf("db: mark all action items read: %w", err)
	}
	return nil
}

// DismissActionLead hides a lead's open items for one user (a reason that arises later shows it
// again). A lead without open items gives ErrNotFound.
func (d *DB) DismissActionLead(ctx context.Context, userID, leadID int64, at time.Time) error {
	res, err := d.ExecContext(ctx, `INSERT INTO action_item_reads (item_id, user_id, read_at, dismissed_at)
		SELECT id, ?, ?, ? FROM action_items WHERE lead_id = ? AND done_at IS NULL AND true
		ON CONFLICT (item_id, user_id) DO UPDATE SET dismissed_at = excluded.dismissed_at, read_at = COALESCE(read_at, excluded.read_at)`,
		userID, at.Unix(), at.Unix(), leadID)
	if err != nil {
		return fmt.Errorf("db: dismiss action items of lead %d: %w", leadID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}
