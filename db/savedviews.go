package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"
)

// SavedView is a named view of the Leads list (issue 17): its query string as the list's URL holds it,
// personal or shared with the team.
type SavedView struct {
	ID         int64
	UserID     int64  // the author
	AuthorName string // the author's name, else email address
	Name       string
	Query      string // canonical query string of the list, without the page
	Shared     bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

const savedViewColumns = `v.id, v.user_id, COALESCE(NULLIF(u.name, ''), u.email, ''), v.name, v.query, v.shared, v.created_at, v.updated_at`

func scanSavedView(row interface{ Scan(...any) error }) (*SavedView, error) {
	var v SavedView
	var created, updated int64
	if err := row.Scan(&v.ID, &v.UserID, &v.AuthorName, &v.Name, &v.Query, &v.Shared, &created, &updated); err != nil {
		return nil, err
	}
	v.CreatedAt, v.UpdatedAt = time.Unix(created, 0).UTC(), time.Unix(updated, 0).UTC()
	return &v, nil
}

// SavedViewsFor is every view user sees — their own and those shared with the team — in the order
// they chose (views they never moved come last, oldest first). One query: the Leads page runs it.
func SavedViewsFor(ctx context.Context, q Querier, userID int64) ([]*SavedView, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+savedViewColumns+` FROM saved_views v
		LEFT JOIN users u ON u.id = v.user_id
		LEFT JOIN saved_view_positions p ON p.view_id = v.id AND p.user_id = ?
		WHERE v.user_id = ? OR v.shared = 1
		ORDER BY p.position IS NULL, p.position, v.id`, userID, userID)
	if err != nil {
		return nil, fmt.Errorf("db: saved views: %w", err)
	}
	defer rows.Close()
	var out []*SavedView
	for rows.Next() {
		v, err := scanSavedView(rows)
		if err != nil {
			return nil, fmt.Errorf("db: saved views: %w", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: saved views: %w", err)
	}
	return out, nil
}

// SavedViewByID is one saved view, or ErrNotFound.
func (d *DB) SavedViewByID(ctx context.Context, id int64) (*SavedView, error) {
	v, err := scanSavedView(d.QueryRowContext(ctx, `SELECT `+savedViewColumns+` FROM saved_views v
		LEFT JOIN users u ON u.id = v.user_id WHERE v.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("db: saved view %d: %w", id, err)
	}
	return v, nil
}

// SavedViewNameTaken reports whether a view user sees (their own or a shared one), other than
// exceptID, already has name (ASCII letters compared without case).
func (d *DB) SavedViewNameTaken(ctx context.Context, userID int64, name string, exceptID int64) (bool, error) {
	var n int
	err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM saved_views WHERE lower(name) = lower(?) AND id != ? AND (user_id = ? OR shared = 1)`,
		name, exceptID, userID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("db: saved view name: %w", err)
	}
	return n > 0, nil
}

// CreateSavedView stores v (its author, name, query and sharing); it sets v.ID.
func (d *DB) CreateSavedView(ctx context.Context, v *SavedView, now time.Time) error {
	res, err := d.ExecContext(ctx, `INSERT INTO saved_views (user_id, name, query, shared, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
		v.UserID, v.Name, v.Query, v.Shared, now.Unix(), now.Unix())
	if err != nil {
		return fmt.Errorf("db: create saved view: %w", err)
	}
	v.ID, _ = res.LastInsertId()
	return nil
}

// UpdateSavedView stores v's name, query and sharing.
func (d *DB) UpdateSavedView(ctx context.Context, v *SavedView, now time.Time) error {
	res, err := d.ExecContext(ctx, `UPDATE saved_views SET name = ?, query = ?, shared = ?, updated_at = ? WHERE id = ?`,
		v.Name, v.Query, v.Shared, now.Unix(), v.ID)
	if err != nil {
		return fmt.Errorf("db: update saved view %d: %w", v.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// DeleteSavedView removes a view (and everyone's place for it); leads are not touched.
func (d *DB) DeleteSavedView(ctx context.Context, id int64) error {
	res, err := d.ExecContext(ctx, `DELETE FROM saved_views WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("db: delete saved view %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// MoveSavedView moves view id one place up or down in user's order of the views they see, and
// stores that whole order; ErrNotFound when user does not see the view. At either end it stays.
func (d *DB) MoveSavedView(ctx context.Context, userID, id int64, up bool) error {
	return d.InTx(ctx, func(tx *sql.Tx) error {
		list, err := SavedViewsFor(ctx, tx, userID)
		if err != nil {
			return err
		}
		found, moved := swapNeighbour(list, id, func(v *SavedView) int64 { return v.ID }, up)
		if !found {
			return ErrNotFound
		}
		if !moved {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM saved_view_positions WHERE user_id = ?`, userID); err != nil {
			return fmt.Errorf("db: move saved view: %w", err)
		}
		for k, v := range list {
			if _, err := tx.ExecContext(ctx, `INSERT INTO saved_view_positions (user_id, view_id, position) VALUES (?, ?, ?)`,
				userID, v.ID, k+1); err != nil {
				return fmt.Errorf("db: move saved view: %w", err)
			}
		}
		return nil
	})
}

// SavedViews is SavedViewsFor on the database.
func (d *DB) SavedViews(ctx context.Context, userID int64) ([]*SavedView, error) {
	return SavedViewsFor(ctx, d, userID)
}

// swapNeighbour swaps the element of list with id and its neighbour above (up) or below: found is
// false when no element has id, moved false when it is already at that end.
func swapNeighbour[T any](list []T, id int64, idOf func(T) int64, up bool) (found, moved bool) {
	i := slices.IndexFunc(list, func(x T) bool { return idOf(x) == id })
	if i < 0 {
		return false, false
	}
	j := i + 1
	if up {
		j = i - 1
	}
	if j < 0 || j >= len(list) {
		return true, false
	}
	list[i], list[j] = list[j], list[i]
	return true, true
}
