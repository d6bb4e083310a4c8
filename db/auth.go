package db

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// One-time link kinds (auth_tokens.kind).
const (
	TokenSetup  = "setup"
	TokenInvite = "invite"
	TokenReset  = "reset"
)

// AuthToken is a one-time link: first-run setup, an invitation or a password reset. Only a hash of
// the secret part is stored, so a copy of the database gives nobody a working link.
type AuthToken struct {
	ID        int64
	Kind      string
	UserID    int64 // reset: whose password; invite/setup: 0
	Email     string
	Roles     []string // invite only
	CreatedBy int64
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

// HashToken is how a secret token (sign-in links and API tokens) is stored and looked up: hex SHA-256.
// Secrets carry 256 random bits, so a plain fast hash is enough (no password stretching needed).
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// NewSecretToken returns 32 random bytes, URL-safe.
func NewSecretToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// CreateAuthTokenTx stores t and returns the secret for the link, which is never stored.
func CreateAuthTokenTx(ctx context.Context, tx Querier, t *AuthToken) (string, error) {
	secret := NewSecretToken()
	res, err := tx.ExecContext(ctx, `INSERT INTO auth_tokens (kind, token_hash, user_id, email, roles, created_by, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, t.Kind, HashToken(secret), nullID(t.UserID), strings.TrimSpace(t.Email),
		strings.Join(t.Roles, ","), nullID(t.CreatedBy), t.CreatedAt.Unix(), t.ExpiresAt.Unix())
	if err != nil {
		return "", fmt.Errorf("db: create %s token: %w", t.Kind, err)
	}
	t.ID, _ = res.LastInsertId()
	return secret, nil
}

const authTokenColumns = `id, kind, COALESCE(user_id, 0), email, roles, COALESCE(created_by, 0), created_at, expires_at, used_at`

func scanAuthToken(row interface{ Scan(...any) error }) (*AuthToken, error) {
	var t AuthToken
	var roles string
	var created, expires int64
	var used sql.NullInt64
	if err := row.Scan(&t.ID, &t.Kind, &t.UserID, &t.Email, &roles, &t.CreatedBy, &created, &expires, &used); err != nil {
		return nil, err
	}
	if roles != "" {
		t.Roles = strings.Split(roles, ",")
	}
	t.CreatedAt = time.Unix(created, 0).UTC()
	t.ExpiresAt = time.Unix(expires, 0).UTC()
	t.UsedAt = nullTime(used)
	return &t, nil
}

// ValidAuthToken returns the unused, unexpired token of kind with this secret, or ErrNotFound. An
// unknown, expired and used link all look the same to the caller.
func (d *DB) ValidAuthToken(ctx context.Context, kind, secret string, now time.Time) (*AuthToken, error) {
	t, err := scanAuthToken(d.QueryRowContext(ctx, `SELECT `+authTokenColumns+` FROM auth_tokens
		WHERE token_hash = ? AND kind = ? AND used_at IS NULL AND expires_at > ?`, HashToken(secret), kind, now.Unix()))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("db: %s token: %w", kind, err)
	}
	return t, nil
}

// UseAuthTokenTx marks a token used. A token used meanwhile (two tabs, a replay) gives ErrNotFound,
// so each link works exactly once.
func UseAuthTokenTx(ctx context.Context, tx Querier, id int64, now time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE auth_tokens SET used_at = ? WHERE id = ? AND used_at IS NULL AND expires_at > ?`,
		now.Unix(), id, now.Unix())
	if err != nil {
		return fmt.Errorf("db: use token %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrNotFound
	}
	return nil
}

// RetireAuthTokensTx ends every open token of kind for email (kind invite) or user (kind reset), so
// only the newest link works.
func RetireAuthTokensTx(ctx context.Context, tx Querier, kind, email string, userID int64, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE auth_tokens SET used_at = ? WHERE kind = ? AND used_at IS NULL
		AND (email = ? COLLATE NOCASE AND ? <> '' OR user_id = ?)`, now.Unix(), kind, email, email, userID)
	if err != nil {
		return fmt.Errorf("db: retire %s tokens: %w", kind, err)
	}
	return nil
}

// OpenInvitation returns the newest unused, unexpired invitation for email, or ErrNotFound.
func (d *DB) OpenInvitation(ctx context.Context, email string, now time.Time) (*AuthToken, error) {
	t, err := scanAuthToken(d.QueryRowContext(ctx, `SELECT `+authTokenColumns+` FROM auth_tokens
		WHERE kind = 'invite' AND email = ? COLLATE NOCASE AND used_at IS NULL AND expires_at > ?
		ORDER BY id DESC LIMIT 1`, strings.TrimSpace(email), now.Unix()))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("db: invitation: %w", err)
	}
	return t, nil
}

// OpenInvitations lists unused, unexpired invitations, newest first.
func (d *DB) OpenInvitations(ctx context.Context, now time.Time) ([]*AuthToken, error) {
	rows, err := d.QueryContext(ctx, `SELECT `+authTokenColumns+` FROM auth_tokens
		WHERE kind = 'invite' AND used_at IS NULL AND expires_at > ? ORDER BY id DESC`, now.Unix())
	if err != nil {
		return nil, fmt.Errorf("db: invitations: %w", err)
	}
	defer rows.Close()
	var out []*AuthToken
	for rows.Next() {
		t, err := scanAuthToken(rows)
		if err != nil {
			return nil, fmt.Errorf("db: invitations: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// UserByIdentity returns the user linked to a provider's subject, or ErrNotFound.
func (d *DB) UserByIdentity(ctx context.Context, provider, subject string) (*User, error) {
	var id int64
	err := d.QueryRowContext(ctx, `SELECT user_id FROM user_identities WHERE provider = ? AND subject = ?`, provider, subject).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("db: identity: %w", err)
	}
	return d.UserByID(ctx, id)
}

// LinkIdentityTx links a provider's subject to a user (idempotent).
func LinkIdentityTx(ctx context.Context, tx Querier, provider, subject string, userID int64, email string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO user_identities (provider, subject, user_id, email, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (provider, subject) DO UPDATE SET email = excluded.email`, provider, subject, userID, email, now.Unix())
	if err != nil {
		return fmt.Errorf("db: link identity: %w", err)
	}
	return nil
}

// AttemptKey is one counter a sign-in attempt is counted against (an account, a client address, a
// browser); failures before Since are forgotten.
type AttemptKey struct {
	Key   string
	Since time.Time
}

// ReserveSignInAttempt counts an attempt as a failure against every key before the password is
// checked — unless wait, given a key's failures (since its Since) and the last one's time, asks for a
// wait: then nothing is counted and the longest wait is returned. Reading and counting happen in one
// write transaction, so attempts made in parallel cannot all slip under the limit. A successful
// attempt takes its count back with SignInSucceeded.
func (d *DB) ReserveSignInAttempt(ctx context.Context, now time.Time, keys []AttemptKey,
	wait func(i, failures int, last time.Time) time.Duration) (time.Duration, error) {
	var longest time.Duration
	err := d.InTx(ctx, func(tx *sql.Tx) error {
		for i, k := range keys {
			var n int
			var last int64
			err := tx.QueryRowContext(ctx, `SELECT failures, last_at FROM sign_in_failures WHERE key = ? AND last_at > ?`,
				k.Key, k.Since.Unix()).Scan(&n, &last)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if w := wait(i, n, time.Unix(last, 0)); w > longest {
				longest = w
			}
		}
		if longest > 0 {
			return nil
		}
		for _, k := range keys {
			if _, err := tx.ExecContext(ctx, `INSERT INTO sign_in_failures (key, failures, last_at) VALUES (?, 1, ?)
				ON CONFLICT (key) DO UPDATE SET failures = CASE WHEN last_at > ? THEN failures + 1 ELSE 1 END, last_at = excluded.last_at`,
				k.Key, now.Unix(), k.Since.Unix()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("db: reserve sign-in attempt: %w", err)
	}
	return longest, nil
}

// SignInSucceeded forgets the failures of the keys in clear and takes back the one attempt reserved
// against each key in undo (whose earlier failures stay counted).
func (d *DB) SignInSucceeded(ctx context.Context, clear, undo []string) error {
	err := d.InTx(ctx, func(tx *sql.Tx) error {
		for _, k := range clear {
			if _, err := tx.ExecContext(ctx, `DELETE FROM sign_in_failures WHERE key = ?`, k); err != nil {
				return err
			}
		}
		for _, k := range undo {
			if _, err := tx.ExecContext(ctx, `UPDATE sign_in_failures SET failures = failures - 1 WHERE key = ? AND failures > 0`, k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("db: sign-in succeeded: %w", err)
	}
	return nil
}

// ClearSignInFailures forgets the failures of keys (after a successful sign-in).
func (d *DB) ClearSignInFailures(ctx context.Context, keys ...string) error {
	for _, k := range keys {
		if _, err := d.ExecContext(ctx, `DELETE FROM sign_in_failures WHERE key = ?`, k); err != nil {
			return fmt.Errorf("db: clear sign-in failures: %w", err)
		}
	}
	return nil
}

// RetireSetupTokensTx ends every open first-run setup link.
func RetireSetupTokensTx(ctx context.Context, tx Querier, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `UPDATE auth_tokens SET used_at = ? WHERE kind = 'setup' AND used_at IS NULL`, now.Unix()); err != nil {
		return fmt.Errorf("db: retire setup tokens: %w", err)
	}
	return nil
}

// CountUsersTx counts users inside tx.
func CountUsersTx(ctx context.Context, tx Querier) (int, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("db: count users: %w", err)
	}
	return n, nil
}

// Session is a signed-in browser, as stored on the server.
type Session struct {
	UserID    int64
	CreatedAt time.Time
	SeenAt    time.Time
}

// CreateSession stores a new session for userID and returns its secret id for the cookie (only its
// hash is stored). Sessions that timed out (unused for idle, or older than absolute) are removed on
// the way.
func (d *DB) CreateSession(ctx context.Context, userID int64, now time.Time, idle, absolute time.Duration) (string, error) {
	secret := NewSecretToken()
	err := d.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE seen_at < ? OR created_at < ?`,
			now.Add(-idle).Unix(), now.Add(-absolute).Unix()); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (id_hash, user_id, created_at, seen_at) VALUES (?, ?, ?, ?)`,
			HashToken(secret), userID, now.Unix(), now.Unix())
		return err
	})
	if err != nil {
		return "", fmt.Errorf("db: create session: %w", err)
	}
	return secret, nil
}

// SessionBySecret returns the session with this secret id, or ErrNotFound once it has ended.
func (d *DB) SessionBySecret(ctx context.Context, secret string) (*Session, error) {
	var s Session
	var created, seen int64
	err := d.QueryRowContext(ctx, `SELECT user_id, created_at, seen_at FROM sessions WHERE id_hash = ?`, HashToken(secret)).
		Scan(&s.UserID, &created, &seen)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("db: session: %w", err)
	}
	s.CreatedAt, s.SeenAt = time.Unix(created, 0).UTC(), time.Unix(seen, 0).UTC()
	return &s, nil
}

// TouchSession records that the session was used at now.
func (d *DB) TouchSession(ctx context.Context, secret string, now time.Time) error {
	if _, err := d.ExecContext(ctx, `UPDATE sessions SET seen_at = ? WHERE id_hash = ?`, now.Unix(), HashToken(secret)); err != nil {
		return fmt.Errorf("db: touch session: %w", err)
	}
	return nil
}

// EndSession removes the session with this secret id (signing out).
func (d *DB) EndSession(ctx context.Context, secret string) error {
	if _, err := d.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = ?`, HashToken(secret)); err != nil {
		return fmt.Errorf("db: end session: %w", err)
	}
	return nil
}
