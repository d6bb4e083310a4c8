package db

import (
	"context"
	"fmt"
	"time"
)

// FavoriteIDs returns the leads userID hearted, newest heart first.
func (d *DB) FavoriteIDs(ctx context.Context, userID int64) ([]int64, error) {
	rows, err := d.QueryContext(ctx, `SELECT lead_id FROM favorites WHERE user_id = ? ORDER BY created_at DESC, lead_id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("db: favorites: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("db: favorites: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// SetFavorite hearts (on) or un-hearts a lead for userID. An unknown lead gives ErrNotFound.
func (d *DB) SetFavorite(ctx context.Context, userID, leadID int64, on bool, at time.Time) error {
	if !on {
		_, err := d.ExecContext(ctx, `DELETE FROM favorites WHERE user_id = ? AND lead_id = ?`, userID, leadID)
		if err != nil {
			return fmt.Errorf("db: unfavorite %d: %w", leadID, err)
		}
		return nil
	}
	res, err := d.ExecContext(ctx, `INSERT OR IGNORE INTO favorites (user_id, lead_id, created_at)
		SELECT ?, id, ? FROM leads WHERE id = ?`, userID, at.Unix(), leadID)
	if err != nil {
		return fmt.Errorf("db: favorite %d: %w", leadID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var one int
		if err := d.QueryRowContext(ctx, `SELECT 1 FROM leads WHERE id = ?`, leadID).Scan(&one); err != nil {
			return ErrNotFound
		}
	}
	return nil
}

// IsFavorite reports whether userID hearted the lead.
func (d *DB) IsFavorite(ctx context.Context, userID, leadID int64) (bool, error) {
	var n int
	err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM favorites WHERE user_id = ? AND lead_id = ?`, userID, leadID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("db: favorite %d: %w", leadID, err)
	}
	return n > 0, nil
}

// SetLastView remembers the user's last Leads view (a query string) across sign-ins.
func (d *DB) SetLastView(ctx context.Context, userID int64, view string) error {
	if _, err := d.ExecContext(ctx, `UPDATE users SET last_view = ? WHERE id = ?`, view, userID); err != nil {
		return fmt.Errorf("db: last view: %w", err)
	}
	return nil
}

// FavoriteCount is how many non-test leads userID hearted (the Favorites tab's count).
func (d *DB) FavoriteCount(ctx context.Context, userID int64) (int, error) {
	var n int
	if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM favorites f JOIN leads l ON l.id = f.lead_id
		WHERE f.user_id = ? AND l.is_test = 0`, userID).Scan(&n); err != nil {
		return 0, fmt.Errorf("db: favorite count: %w", err)
	}
	return n, nil
}
