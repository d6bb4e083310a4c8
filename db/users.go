package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"leaddesk/lead"
)

// Role names (docs/design.md §2); a user may hold several.
const (
	RoleReferrals = "referrals-admin"
	RoleProfile   = "business-profile-admin"
	RoleAccount   = "account-admin"
)

// AllRoles lists every role in display order.
var AllRoles = []string{RoleReferrals, RoleProfile, RoleAccount}

// ValidRole reports whether r names a role.
func ValidRole(r string) bool {
	for _, x := range AllRoles {
		if x == r {
			return true
		}
	}
	return false
}

// User is a person who signs in.
type User struct {
	ID           int64
	Email        string
	Name         string
	PasswordHash string
	Lang         string
	Disabled     bool
	SessionEpoch int64
	LastView     string
	Roles        []string
	CreatedAt    time.Time
	LastSignIn   *time.Time
}

// Has reports whether the user holds role.
func (u *User) Has(role string) bool {
	if u == nil {
		return false
	}
	for _, r := range u.Roles {
		if r == role {
			return true
		}
	}
	return false
}

// HasAny reports whether the user holds at least one of roles.
func (u *User) HasAny(roles ...string) bool {
	for _, r := range roles {
		if u.Has(r) {
			return true
		}
	}
	return false
}

// LeadActor is the user as the lead lifecycle sees them: id and roles (none when nobody signed in).
func (u *User) LeadActor() lead.Actor {
	if u == nil {
		return lead.Actor{}
	}
	return lead.Actor{UserID: u.ID, Roles: u.Roles}
}

// CreateUser inserts a user with roles. An email already taken gives ErrConflict.
func (d *DB) CreateUser(ctx context.Context, u *User) error {
	return d.InTx(ctx, func(tx *sql.Tx) error { return CreateUserTx(ctx, tx, u) })
}

// CreateUserTx inserts a user with roles inside tx.
func CreateUserTx(ctx context.Context, tx *sql.Tx, u *User) error {
	if u.CreatedAt.IsZero() {
		u.CreatedAt = time.Now().UTC()
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO users (email, name, password_hash, lang, disabled, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, strings.TrimSpace(u.Email), u.Name, u.PasswordHash, u.Lang, u.Disabled, u.CreatedAt.Unix())
	if err != nil {
		if IsUniqueViolation(err) {
			return fmt.Errorf("db: create user %s: %w", u.Email, ErrConflict)
		}
		return fmt.Errorf("db: create user: %w", err)
	}
	u.ID, _ = res.LastInsertId()
	return setRolesTx(ctx, tx, u.ID, u.Roles)
}

func setRolesTx(ctx context.Context, tx *sql.Tx, userID int64, roles []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM user_roles WHERE user_id = ?`, userID); err != nil {
		return fmt.Errorf("db: set roles: %w", err)
	}
	for _, r := range roles {
		if !ValidRole(r) {
			return fmt.Errorf("db: set roles: unknown role %q", r)
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO user_roles (user_id, role) VALUES (?, ?)`, userID, r); err != nil {
			return fmt.Errorf("db: set roles: %w", err)
		}
	}
	return nil
}

// SetUserRolesTx replaces a user's roles inside tx.
func SetUserRolesTx(ctx context.Context, tx *sql.Tx, userID int64, roles []string) error {
	return setRolesTx(ctx, tx, userID, roles)
}

const userColumns = `id, email, name, password_hash, lang, disabled, session_epoch, last_view, created_at, last_sign_in_at`

func scanUser(row interface{ Scan(...any) error }) (*User, error) {
	var u User
	var created int64
	var last sql.NullInt64
	if err := row.Scan(&u.ID, &u.Email, &u.Name, &u.PasswordHash, &u.Lang, &u.Disabled, &u.SessionEpoch, &u.LastView, &created, &last); err != nil {
		return nil, err
	}
	u.CreatedAt = time.Unix(created, 0).UTC()
	u.LastSignIn = nullTime(last)
	return &u, nil
}

func (d *DB) loadRoles(ctx context.Context, q Querier, u *User) error {
	rows, err := q.QueryContext(ctx, `SELECT role FROM user_roles WHERE user_id = ?`, u.ID)
	if err != nil {
		return fmt.Errorf("db: roles of user %d: %w", u.ID, err)
	}
	defer rows.Close()
	u.Roles = nil
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return err
		}
		u.Roles = append(u.Roles, r)
	}
	sort.Slice(u.Roles, func(i, j int) bool { return roleOrder(u.Roles[i]) < roleOrder(u.Roles[j]) })
	return rows.Err()
}

func roleOrder(r string) int {
	for i, x := range AllRoles {
		if x == r {
			return i
		}
	}
	return len(AllRoles)
}

// UserByID returns the user with id and roles, or ErrNotFound.
// It runs on every signed-in request (roles are re-read so a change applies at once), so user and
// roles come in one query.
func (d *DB) UserByID(ctx context.Context, id int64) (*User, error) {
	var roles sql.NullString
	row := d.QueryRowContext(ctx, `SELECT `+userColumns+`, (SELECT group_concat(role) FROM user_roles WHERE user_id = users.id)
		FROM users WHERE id = ?`, id)
	u, err := scanUser(scanWith(row, &roles))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("db: user %d: %w", id, err)
	}
	u.Roles = nil
	if roles.String != "" {
		u.Roles = strings.Split(roles.String, ",")
	}
	sort.Slice(u.Roles, func(i, j int) bool { return roleOrder(u.Roles[i]) < roleOrder(u.Roles[j]) })
	return u, nil
}

// scanWith appends extra destinations to a row's Scan, for queries that select userColumns and more.
func scanWith(row interface{ Scan(...any) error }, extra ...any) interface{ Scan(...any) error } {
	return scanFunc(func(dest ...any) error { return row.Scan(append(dest, extra...)...) })
}

type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// UserByEmail returns the user with email (case-insensitive) and roles, or ErrNotFound.
func (d *DB) UserByEmail(ctx context.Context, email string) (*User, error) {
	u, err := scanUser(d.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE email = ?`, strings.TrimSpace(email)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("db: user by email: %w", err)
	}
	return u, d.loadRoles(ctx, d, u)
}

// ListUsers returns every user with roles, by name.
func (d *DB) ListUsers(ctx context.Context) ([]*User, error) {
	rows, err := d.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY name COLLATE NOCASE, id`)
	if err != nil {
		return nil, fmt.Errorf("db: list users: %w", err)
	}
	var users []*User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("db: list users: %w", err)
		}
		users = append(users, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: list users: %w", err)
	}
	for _, u := range users {
		if err := d.loadRoles(ctx, d, u); err != nil {
			return nil, err
		}
	}
	return users, nil
}

// CountUsers returns how many users exist.
func (d *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("db: count users: %w", err)
	}
	return n, nil
}

// RecordSignIn stamps the user's last sign-in time.
func (d *DB) RecordSignIn(ctx context.Context, id int64, at time.Time) error {
	_, err := d.ExecContext(ctx, `UPDATE users SET last_sign_in_at = ? WHERE id = ?`, at.Unix(), id)
	if err != nil {
		return fmt.Errorf("db: record sign-in %d: %w", id, err)
	}
	return nil
}

// SetUserLang stores the user's language choice (” = from the browser).
func (d *DB) SetUserLang(ctx context.Context, id int64, lang string) error {
	_, err := d.ExecContext(ctx, `UPDATE users SET lang = ? WHERE id = ?`, lang, id)
	if err != nil {
		return fmt.Errorf("db: set language of user %d: %w", id, err)
	}
	return nil
}

// Audit records a change outside a lead in the audit log.
func Audit(ctx context.Context, q Querier, at time.Time, actorID int64, actorLabel, action, target, detailsJSON string) error {
	var actor any
	if actorID != 0 {
		actor = actorID
	}
	if detailsJSON == "" {
		detailsJSON = "{}"
	}
	_, err := q.ExecContext(ctx, `INSERT INTO audit_log (at, actor_user_id, actor_label, action, target, details) VALUES (?, ?, ?, ?, ?, ?)`,
		at.Unix(), actor, actorLabel, action, target, detailsJSON)
	if err != nil {
		return fmt.Errorf("db: audit %s: %w", action, err)
	}
	return nil
}

// LegacySecret returns a secret that an older Leaddesk kept in the database (app_secrets), or
// ErrNotFound. Secrets now live outside the database, so a backup alone does not carry them.
func (d *DB) LegacySecret(ctx context.Context, name string) ([]byte, error) {
	var v []byte
	err := d.QueryRowContext(ctx, `SELECT value FROM app_secrets WHERE name = ?`, name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("db: secret %s: %w", name, err)
	}
	return v, nil
}

// DeleteLegacySecret removes a secret from the database once it has been moved out of it.
func (d *DB) DeleteLegacySecret(ctx context.Context, name string) error {
	// secure_delete overwrites the freed bytes, so the old value does not linger in free pages that a
	// later backup would copy.
	return d.withSecureDelete(ctx, func(conn *sql.Conn) error {
		if _, err := conn.ExecContext(ctx, `DELETE FROM app_secrets WHERE name = ?`, name); err != nil {
			return fmt.Errorf("db: delete secret %s: %w", name, err)
		}
		return nil
	})
}

// Account changes (issue 3). Each runs inside the caller's transaction, beside its audit entry.

// UserByIDTx reads a user with roles inside tx.
func UserByIDTx(ctx context.Context, tx Querier, id int64) (*User, error) {
	u, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("db: user %d: %w", id, err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT role FROM user_roles WHERE user_id = ?`, id)
	if err != nil {
		return nil, fmt.Errorf("db: roles of user %d: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return nil, fmt.Errorf("db: roles of user %d: %w", id, err)
		}
		u.Roles = append(u.Roles, r)
	}
	sort.Slice(u.Roles, func(i, j int) bool { return roleOrder(u.Roles[i]) < roleOrder(u.Roles[j]) })
	return u, rows.Err()
}

// SetPasswordTx stores a new password hash and, bumping the session epoch, ends the user's sessions
// everywhere (the caller starts a fresh one where it should continue).
func SetPasswordTx(ctx context.Context, tx Querier, id int64, hash string) error {
	_, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ?, session_epoch = session_epoch + 1 WHERE id = ?`, hash, id)
	if err != nil {
		return fmt.Errorf("db: set password of user %d: %w", id, err)
	}
	return nil
}

// SetUserDisabledTx disables or enables a user; disabling also ends their sessions.
func SetUserDisabledTx(ctx context.Context, tx Querier, id int64, disabled bool) error {
	_, err := tx.ExecContext(ctx, `UPDATE users SET disabled = ?, session_epoch = session_epoch + CASE WHEN ? THEN 1 ELSE 0 END WHERE id = ?`,
		disabled, disabled, id)
	if err != nil {
		return fmt.Errorf("db: disable user %d: %w", id, err)
	}
	return nil
}

// BumpSessionEpochTx signs the user out everywhere: every session cookie carries the old epoch.
func BumpSessionEpochTx(ctx context.Context, tx Querier, id int64) (int64, error) {
	var epoch int64
	err := tx.QueryRowContext(ctx, `UPDATE users SET session_epoch = session_epoch + 1 WHERE id = ? RETURNING session_epoch`, id).Scan(&epoch)
	if err != nil {
		return 0, fmt.Errorf("db: sign out user %d everywhere: %w", id, err)
	}
	return epoch, nil
}

// CountActiveAccountAdminsTx counts enabled users holding the Account admin role.
func CountActiveAccountAdminsTx(ctx context.Context, tx Querier) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users u JOIN user_roles r ON r.user_id = u.id
		WHERE r.role = ? AND u.disabled = 0`, RoleAccount).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("db: count account admins: %w", err)
	}
	return n, nil
}

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	ID         int64
	At         time.Time
	ActorID    int64
	ActorName  string // the user's name now, else the label ("cli", "sso", …)
	ActorLabel string
	Action     string
	Target     string
	Details    string
}

// ListAudit returns one page of the audit log, newest first, and the total count.
func (d *DB) ListAudit(ctx context.Context, limit, offset int) ([]AuditEntry, int, error) {
	var total int
	if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log`).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("db: count audit log: %w", err)
	}
	rows, err := d.QueryContext(ctx, `SELECT a.id, a.at, COALESCE(a.actor_user_id, 0), COALESCE(u.name, ''), a.actor_label, a.action, a.target, a.details
		FROM audit_log a LEFT JOIN users u ON u.id = a.actor_user_id ORDER BY a.at DESC, a.id DESC LIMIT ? OFFSET ?`, limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("db: audit log: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.ActorID, &e.ActorName, &e.ActorLabel, &e.Action, &e.Target, &e.Details); err != nil {
			return nil, 0, fmt.Errorf("db: audit log: %w", err)
		}
		e.At = time.Unix(at, 0).UTC()
		if e.ActorName == "" {
			e.ActorName = e.ActorLabel
		}
		out = append(out, e)
	}
	return out, total, rows.Err()
}
