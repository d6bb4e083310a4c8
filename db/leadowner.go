package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Owner is a user who may own leads (issue 17): an enabled user with the Referrals admin role.
type Owner struct {
	ID    int64
	Name  string
	Email string
}

// Label is how pages and the timeline name the owner: the name, else the email address.
func (o Owner) Label() string {
	if o.Name != "" {
		return o.Name
	}
	return o.Email
}

// Initials is the owner's avatar text: the first letters of the first two words of the name (or the
// first letter of the email address), "KS" for "Katrin Schmidt", "鈴木" for "鈴木 彩".
func (o Owner) Initials() string {
	words := strings.Fields(o.Name)
	if len(words) == 0 {
		r, _ := utf8.DecodeRuneInString(o.Email)
		return strings.ToUpper(string(r))
	}
	out := ""
	for _, w := range words[:min(2, len(words))] {
		r, _ := utf8.DecodeRuneInString(w)
		out += strings.ToUpper(string(r))
	}
	return out
}

// Owners is every user who may own leads, by name.
func (d *DB) Owners(ctx context.Context) ([]Owner, error) {
	rows, err := d.QueryContext(ctx, `SELECT u.id, u.name, u.email FROM users u
		JOIN user_roles r ON r.user_id = u.id AND r.role = ?
		WHERE u.disabled = 0 ORDER BY u.name COLLATE NOCASE, u.email`, RoleReferrals)
	if err != nil {
		return nil, fmt.Errorf("db: owners: %w", err)
	}
	defer rows.Close()
	var out []Owner
	for rows.Next() {
		var o Owner
		if err := rows.Scan(&o.ID, &o.Name, &o.Email); err != nil {
			return nil, fmt.Errorf("db: owners: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// OwnerByIDTx is user id as an owner, or ErrNotFound when no enabled Referrals admin has that id.
func OwnerByIDTx(ctx context.Context, q Querier, id int64) (Owner, error) {
	o := Owner{ID: id}
	err := q.QueryRowContext(ctx, `SELECT u.name, u.email FROM users u
		JOIN user_roles r ON r.user_id = u.id AND r.role = ?
		WHERE u.id = ? AND u.disabled = 0`, RoleReferrals, id).Scan(&o.Name, &o.Email)
	if errors.Is(err, sql.ErrNoRows) {
		return Owner{}, ErrNotFound
	}
	if err != nil {
		return Owner{}, fmt.Errorf("db: owner %d: %w", id, err)
	}
	return o, nil
}

// UserLabelTx is how the timeline names user id (name, else email), "" for 0 or a deleted user.
func UserLabelTx(ctx context.Context, q Querier, id int64) (string, error) {
	if id == 0 {
		return "", nil
	}
	var name, email string
	err := q.QueryRowContext(ctx, `SELECT name, email FROM users WHERE id = ?`, id).Scan(&name, &email)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("db: user %d: %w", id, err)
	}
	return Owner{Name: name, Email: email}.Label(), nil
}

// SetLeadOwnerTx gives the lead before an owner (0: none), guarded by before's version like
// SaveLeadTx: it bumps the version, stamps updated_at and records the change in the timeline as
// "assigned" with the owners' names. after is before with the new owner, version and time.
func SetLeadOwnerTx(ctx context.Context, tx *sql.Tx, before *Lead, owner int64, actor Actor, at time.Time) (after *Lead, changes map[string][2]string, err error) {
	res, err := tx.ExecContext(ctx, `UPDATE leads SET owner_id = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?`,
		nullID(owner), at.Unix(), before.ID, before.Version)
	if err != nil {
		return nil, nil, fmt.Errorf("db: assign lead %d: %w", before.ID, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil, nil, fmt.Errorf("db: assign lead %d version %d: %w", before.ID, before.Version, ErrStale)
	}
	a := *before
	a.OwnerID, a.UpdatedAt, a.Version = owner, at, before.Version+1
	from, err := UserLabelTx(ctx, tx, before.OwnerID)
	if err != nil {
		return nil, nil, err
	}
	to, err := UserLabelTx(ctx, tx, owner)
	if err != nil {
		return nil, nil, err
	}
	changes = map[string][2]string{"owner": {from, to}}
	if err := AddLeadEventTx(ctx, tx, before.ID, at, actor.UserID, actor.Label, "assigned", ChangesJSON(changes)); err != nil {
		return nil, nil, err
	}
	return &a, changes, nil
}

// OwnerLabels is the owners of the given user ids, by id, for pages that show many leads' owners.
func (d *DB) OwnerLabels(ctx context.Context, ids []int64) (map[int64]Owner, error) {
	out := map[int64]Owner{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := d.QueryContext(ctx, `SELECT id, name, email FROM users WHERE id IN (`+placeholders(len(ids))+`)`, anySlice(ids)...)
	if err != nil {
		return nil, fmt.Errorf("db: owner labels: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var o Owner
		if err := rows.Scan(&o.ID, &o.Name, &o.Email); err != nil {
			return nil, fmt.Errorf("db: owner labels: %w", err)
		}
		out[o.ID] = o
	}
	return out, rows.Err()
}
