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

// SpamEntry is one line of the spam list: a whole domain or a single address.
type SpamEntry struct {
	ID        int64
	Kind      string // domain | address
	Value     string
	Note      string
	CreatedAt time.Time
}

// SpamChecker looks addresses up in the spam list; it implements contact.SpamList.
type SpamChecker struct {
	Ctx context.Context
	Q   Querier
}

// IsSpam reports whether the address or one of its domains is listed (the value column is NOCASE).
func (s SpamChecker) IsSpam(address string, domains []string) (bool, error) {
	args := make([]any, 0, len(domains)+1)
	args = append(args, address)
	for _, d := range domains {
		args = append(args, d)
	}
	var n int
	err := s.Q.QueryRowContext(s.Ctx, `SELECT COUNT(*) FROM spam_list WHERE value IN (?`+strings.Repeat(", ?", len(domains))+`)`, args...).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("db: spam lookup: %w", err)
	}
	return n > 0, nil
}

// ListSpam returns the whole spam list, domains and addresses in alphabetical order.
func (d *DB) ListSpam(ctx context.Context) ([]SpamEntry, error) {
	rows, err := d.QueryContext(ctx, `SELECT id, kind, value, note, created_at FROM spam_list ORDER BY value COLLATE NOCASE`)
	if err != nil {
		return nil, fmt.Errorf("db: spam list: %w", err)
	}
	defer rows.Close()
	var out []SpamEntry
	for rows.Next() {
		var e SpamEntry
		var at int64
		if err := rows.Scan(&e.ID, &e.Kind, &e.Value, &e.Note, &at); err != nil {
			return nil, fmt.Errorf("db: spam list: %w", err)
		}
		e.CreatedAt = time.Unix(at, 0).UTC()
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: spam list: %w", err)
	}
	return out, nil
}

// AddSpam adds an entry and audits it; an entry already listed gives ErrConflict.
func (d *DB) AddSpam(ctx context.Context, e *SpamEntry, actorID int64, now time.Time) error {
	return d.InTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO spam_list (kind, value, note, created_at) VALUES (?, ?, ?, ?)`,
			e.Kind, e.Value, e.Note, now.Unix())
		if err != nil {
			if IsUniqueViolation(err) {
				return fmt.Errorf("db: spam list %q: %w", e.Value, ErrConflict)
			}
			return fmt.Errorf("db: add spam %q: %w", e.Value, err)
		}
		e.ID, _ = res.LastInsertId()
		e.CreatedAt = now
		return Audit(ctx, tx, now, actorID, "", "spam.add", e.Value, jsonObject("kind", e.Kind, "note", e.Note))
	})
}

// DeleteSpam removes an entry and audits it.
func (d *DB) DeleteSpam(ctx context.Context, id, actorID int64, now time.Time) error {
	return d.InTx(ctx, func(tx *sql.Tx) error {
		var value string
		if err := tx.QueryRowContext(ctx, `DELETE FROM spam_list WHERE id = ? RETURNING value`, id).Scan(&value); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			return fmt.Errorf("db: delete spam %d: %w", id, err)
		}
		return Audit(ctx, tx, now, actorID, "", "spam.delete", value, "{}")
	})
}

// jsonObject builds a small JSON object from key, value pairs for audit details.
func jsonObject(kv ...string) string {
	m := make(map[string]string, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	b, _ := json.Marshal(m)
	return string(b)
}
