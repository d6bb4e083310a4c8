package db

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// ActionItemKinds are the Action Center's recommended actions, in display order.
var ActionItemKinds = []string{"requested_contact", "new_lead", "expiring", "expired"}

// ActionItem is one recommended action for a lead, as one user sees it.
type ActionItem struct {
	ID        int64
	LeadID    int64
	Kind      string
	CreatedAt time.Time
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

// ActionItems lists up to limit open items for a user as of now, newest first.
func (d *DB) ActionItems(ctx context.Context, userID int64, now time.Time, limit int) ([]ActionItem, error) {
	rows, err := d.QueryContext(ctx, `SELECT a.id, a.lead_id, a.kind, a.created_at, r.read_at IS NOT NULL, l.customer_company, l.tab,
		COALESCE(l.cta, ''), l.expires_at `+openItemsSQL+` ORDER BY a.created_at DESC, a.id DESC LIMIT ?`,
		userID, now.Add(-ActionCenterWindow).Unix(), limit)
	if err != nil {
		return nil, fmt.Errorf("db: action items: %w", err)
	}
	defer rows.Close()
	var out []ActionItem
	for rows.Next() {
		var it ActionItem
		var created int64
		var expires sql.NullInt64
		if err := rows.Scan(&it.ID, &it.LeadID, &it.Kind, &created, &it.Read, &it.Company, &it.Tab, &it.CTA, &expires); err != nil {
			return nil, err
		}
		it.CreatedAt = time.Unix(created, 0).UTC()
		it.ExpiresAt = nullTime(expires)
		out = append(out, it)
	}
	return out, rows.Err()
}

// UnreadActionItems counts a user's open items not yet seen, as of now.
func (d *DB) UnreadActionItems(ctx context.Context, userID int64, now time.Time) (int, error) {
	var n int
	if err := d.QueryRowContext(ctx, `SELECT COUNT(*) `+openItemsSQL+` AND r.read_at IS NULL`,
		userID, now.Add(-ActionCenterWindow).Unix()).Scan(&n); err != nil {
		return 0, fmt.Errorf("db: unread action items: %w", err)
	}
	return n, nil
}

// MarkActionItemsRead records that a user saw these items.
func (d *DB) MarkActionItemsRead(ctx context.Context, userID int64, ids []int64, at time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	args := []any{userID, at.Unix()}
	for _, id := range ids {
		args = append(args, id)
	}
	_, err := d.ExecContext(ctx, `INSERT INTO action_item_reads (item_id, user_id, read_at)
		SELECT id, ?, ? FROM action_items WHERE id IN (?`+strings.Repeat(", ?", len(ids)-1)+`) AND true
		ON CONFLICT (item_id, user_id) DO UPDATE SET read_at = COALESCE(read_at, excluded.read_at)`, args...)
	if err != nil {
		return fmt.Errorf("db: mark action items read: %w", err)
	}
	return nil
}

// DismissActionItem hides an item for one user. An unknown item gives ErrNotFound.
func (d *DB) DismissActionItem(ctx context.Context, userID, itemID int64, at time.Time) error {
	res, err := d.ExecContext(ctx, `INSERT INTO action_item_reads (item_id, user_id, read_at, dismissed_at)
		SELECT id, ?, ?, ? FROM action_items WHERE id = ? AND true
		ON CONFLICT (item_id, user_id) DO UPDATE SET dismissed_at = excluded.dismissed_at, read_at = COALESCE(read_at, excluded.read_at)`,
		userID, at.Unix(), at.Unix(), itemID)
	if err != nil {
		return fmt.Errorf("db: dismiss action item %d: %w", itemID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}
