package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// TokenScopes are the API token scopes: intake (deliver leads), read (list and fetch), write (create).
var TokenScopes = []string{"intake", "read", "write"}

// APIToken is one API token; only the hash of its secret is stored.
type APIToken struct {
	ID         int64
	Name       string
	Scopes     []string
	CreatedBy  int64
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// Has reports whether the token carries scope.
func (t *APIToken) Has(scope string) bool {
	for _, s := range t.Scopes {
		if s == scope {
			return true
		}
	}
	return false
}

// ValidScopes checks a scope list, returning the first unknown scope.
func ValidScopes(scopes []string) (bad string, ok bool) {
	if len(scopes) == 0 {
		return "", false
	}
	for _, s := range scopes {
		known := false
		for _, k := range TokenScopes {
			known = known || s == k
		}
		if !known {
			return s, false
		}
	}
	return "", true
}

// CreateToken makes a new token and returns its secret, which is never stored and cannot be shown again.
func (d *DB) CreateToken(ctx context.Context, name string, scopes []string, actorID int64, actorLabel string, now time.Time) (string, *APIToken, error) {
	if bad, ok := ValidScopes(scopes); !ok {
		return "", nil, fmt.Errorf("db: create token: unknown scope %q", bad)
	}
	secret := "ld_" + NewSecretToken()
	t := &APIToken{Name: name, Scopes: scopes, CreatedBy: actorID, CreatedAt: now.UTC()}
	err := d.InTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (name, token_hash, scopes, created_by, created_at) VALUES (?, ?, ?, ?, ?)`,
			name, HashToken(secret), strings.Join(scopes, ","), nullID(actorID), now.Unix())
		if err != nil {
			return fmt.Errorf("db: create token: %w", err)
		}
		t.ID, _ = res.LastInsertId()
		return Audit(ctx, tx, now, actorID, actorLabel, "token.create", name, jsonObject("scopes", strings.Join(scopes, ",")))
	})
	if err != nil {
		return "", nil, err
	}
	return secret, t, nil
}

const tokenColumns = `id, name, scopes, COALESCE(created_by, 0), created_at, last_used_at, revoked_at`

func scanToken(row interface{ Scan(...any) error }) (*APIToken, error) {
	var t APIToken
	var scopes string
	var created int64
	var used, revoked sql.NullInt64
	if err := row.Scan(&t.ID, &t.Name, &scopes, &t.CreatedBy, &created, &used, &revoked); err != nil {
		return nil, err
	}
	t.Scopes = strings.Split(scopes, ",")
	t.CreatedAt = time.Unix(created, 0).UTC()
	t.LastUsedAt = nullTime(used)
	t.RevokedAt = nullTime(revoked)
	return &t, nil
}

// TokenBySecret finds the live (not revoked) token with this secret, or ErrNotFound.
func (d *DB) TokenBySecret(ctx context.Context, secret string) (*APIToken, error) {
	t, err := scanToken(d.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL`, HashToken(secret)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("db: token: %w", err)
	}
	return t, nil
}

// TouchToken records a token's use, at most once a minute so busy integrations do not turn every
// read into a write.
func (d *DB) TouchToken(ctx context.Context, t *APIToken, now time.Time) error {
	if t.LastUsedAt != nil && now.Sub(*t.LastUsedAt) < time.Minute {
		return nil
	}
	_, err := d.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`,
		now.Unix(), t.ID, now.Unix()-60)
	if err != nil {
		return fmt.Errorf("db: touch token %d: %w", t.ID, err)
	}
	return nil
}

// ListTokens returns every token, newest first, revoked ones included.
func (d *DB) ListTokens(ctx context.Context) ([]*APIToken, error) {
	rows, err := d.QueryContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens ORDER BY revoked_at IS NOT NULL, created_at DESC, id DESC`)
	if err != nil {
		return nil, fmt.Errorf("db: tokens: %w", err)
	}
	defer rows.Close()
	var out []*APIToken
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("db: tokens: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: tokens: %w", err)
	}
	return out, nil
}

// RevokeToken revokes a token for good; a token already revoked or missing gives ErrNotFound.
func (d *DB) RevokeToken(ctx context.Context, id, actorID int64, now time.Time) error {
	return d.InTx(ctx, func(tx *sql.Tx) error {
		var name string
		err := tx.QueryRowContext(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL RETURNING name`, now.Unix(), id).Scan(&name)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("db: revoke token %d: %w", id, err)
		}
		return Audit(ctx, tx, now, actorID, "", "token.revoke", name, "{}")
	})
}
