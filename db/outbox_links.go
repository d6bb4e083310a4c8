package db

import (
	"context"
	"database/sql"
	"fmt"
)

// One-time links in the outbox (issue 11): an older Leaddesk stored invitation and reset links in
// clear; the mail sender seals them at start, so upgrading leaves none in the database.

// ClearOutboxLink is an outbox message that still holds its one-time link in clear.
type ClearOutboxLink struct {
	ID         int64
	Kind, Link string
}

// OutboxClearLinks lists the invitation and password-reset messages whose params still hold "link".
func (d *DB) OutboxClearLinks(ctx context.Context) ([]ClearOutboxLink, error) {
	rows, err := d.QueryContext(ctx, `SELECT id, kind, json_extract(params, '$.link') FROM outbox
		WHERE kind IN ('invitation', 'password_reset') AND json_extract(params, '$.link') IS NOT NULL`)
	if err != nil {
		return nil, fmt.Errorf("db: outbox links: %w", err)
	}
	defer rows.Close()
	var out []ClearOutboxLink
	for rows.Next() {
		var l ClearOutboxLink
		if err := rows.Scan(&l.ID, &l.Kind, &l.Link); err != nil {
			return nil, fmt.Errorf("db: outbox links: %w", err)
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: outbox links: %w", err)
	}
	return out, nil
}

// SealOutboxLink replaces message id's clear link with its sealed form, overwriting the old bytes.
func (d *DB) SealOutboxLink(ctx context.Context, id int64, sealed string) error {
	return d.withSecureDelete(ctx, func(conn *sql.Conn) error {
		_, err := conn.ExecContext(ctx, `UPDATE outbox SET params = json_set(json_remove(params, '$.link'), '$.link_sealed', ?) WHERE id = ?`, sealed, id)
		if err != nil {
			return fmt.Errorf("db: seal outbox link %d: %w", id, err)
		}
		return nil
	})
}

// withSecureDelete runs fn on one connection with secure_delete on, so bytes that fn deletes or
// replaces are zeroed rather than left in free space that a later backup would copy.
func (d *DB) withSecureDelete(ctx context.Context, fn func(conn *sql.Conn) error) error {
	conn, err := d.Conn(ctx)
	if err != nil {
		return fmt.Errorf("db: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA secure_delete = ON`); err != nil {
		return fmt.Errorf("db: secure_delete: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA secure_delete = OFF`)
	return fn(conn)
}
