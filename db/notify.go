package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// NotifyModes are the ways a user can receive new-lead mail: one mail per lead (up to the daily limit,
// then a digest) or everything in one digest a day.
var NotifyModes = []string{"single", "digest"}

// NotificationPrefs are one user's own notification settings; they override the business profile.
type NotificationPrefs struct {
	UserID  int64
	Email   string // "" = the account's address
	Enabled bool
	Mode    string // single | digest
	Lang    string // "" = the user's language
	Saved   bool   // false: nothing stored yet, these are the defaults
}

// NotificationPrefs returns a user's preferences, or the defaults when none were saved.
func (d *DB) NotificationPrefs(ctx context.Context, userID int64) (*NotificationPrefs, error) {
	p := &NotificationPrefs{UserID: userID, Enabled: true, Mode: "single"}
	err := d.QueryRowContext(ctx, `SELECT email, enabled, mode, lang FROM notification_prefs WHERE user_id = ?`, userID).
		Scan(&p.Email, &p.Enabled, &p.Mode, &p.Lang)
	if errors.Is(err, sql.ErrNoRows) {
		return p, nil
	}
	if err != nil {
		return nil, fmt.Errorf("db: notification prefs of user %d: %w", userID, err)
	}
	p.Saved = true
	return p, nil
}

// SaveNotificationPrefsTx stores a user's preferences.
func SaveNotificationPrefsTx(ctx context.Context, tx Querier, p *NotificationPrefs, at time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO notification_prefs (user_id, email, enabled, mode, lang, updated_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, enabled = excluded.enabled, mode = excluded.mode,
		lang = excluded.lang, updated_at = excluded.updated_at`, p.UserID, p.Email, p.Enabled, p.Mode, p.Lang, at.Unix())
	if err != nil {
		return fmt.Errorf("db: save notification prefs of user %d: %w", p.UserID, err)
	}
	return nil
}

// Recipient is one address that new-lead mail goes to, with the settings that apply to it.
type Recipient struct {
	UserID int64 // 0 for a location contact who is not a user
	Email  string
	Name   string
	Lang   string
	Mode   string
}

// userRecipientSQL selects enabled users with their effective settings: their own preferences first,
// then their account.
const userRecipientSQL = `SELECT u.id, CASE WHEN COALESCE(p.email, '') <> '' THEN p.email ELSE u.email END, u.name,
	CASE WHEN COALESCE(p.lang, '') <> '' THEN p.lang WHEN u.lang <> '' THEN u.lang ELSE 'en' END,
	COALESCE(p.mode, 'single'), COALESCE(p.enabled, 1)
	FROM users u LEFT JOIN notification_prefs p ON p.user_id = u.id WHERE u.disabled = 0`

// NewLeadRecipientsTx lists who hears of a new lead at locationID (0 = none): the location's contact
// and every Referrals admin, each once. A contact who is also a user gets that user's own preferences;
// users who switched mail off are left out.
func NewLeadRecipientsTx(ctx context.Context, tx Querier, locationID int64) ([]Recipient, error) {
	var out []Recipient
	seenUser := map[int64]bool{}
	seenAddr := map[string]bool{}
	add := func(r Recipient, enabled bool) {
		if r.UserID != 0 {
			if seenUser[r.UserID] {
				return
			}
			seenUser[r.UserID] = true
		}
		key := strings.ToLower(r.Email)
		if !enabled || r.Email == "" || seenAddr[key] {
			return
		}
		seenAddr[key] = true
		out = append(out, r)
	}
	scanUsers := func(query string, args ...any) error {
		rows, err := tx.QueryContext(ctx, query, args...)
		if err != nil {
			return fmt.Errorf("db: new-lead recipients: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var r Recipient
			var enabled bool
			if err := rows.Scan(&r.UserID, &r.Email, &r.Name, &r.Lang, &r.Mode, &enabled); err != nil {
				return err
			}
			add(r, enabled)
		}
		return rows.Err()
	}
	if locationID != 0 {
		var name, email, country string
		err := tx.QueryRowContext(ctx, `SELECT contact_name, contact_email, country FROM locations WHERE id = ?`, locationID).Scan(&name, &email, &country)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("db: location %d contact: %w", locationID, err)
		}
		if email = strings.TrimSpace(email); email != "" {
			before := len(seenUser)
			if err := scanUsers(userRecipientSQL+` AND (u.email = ? COLLATE NOCASE OR p.email = ? COLLATE NOCASE) ORDER BY u.id LIMIT 1`, email, email); err != nil {
				return nil, err
			}
			if len(seenUser) == before {
				add(Recipient{Email: email, Name: name, Lang: LangForCountry(country), Mode: "single"}, true)
			}
		}
	}
	if err := scanUsers(userRecipientSQL+` AND u.id IN (SELECT user_id FROM user_roles WHERE role = ?) ORDER BY u.id`, RoleReferrals); err != nil {
		return nil, err
	}
	return out, nil
}

// LangForCountry is the mail language for someone Leaddesk knows only by country (a location contact
// who is not a user, a customer): Japanese for Japan, else English.
func LangForCountry(country string) string {
	if strings.EqualFold(country, "JP") {
		return "ja"
	}
	return "en"
}

// ReferralsAdminRecipientsTx lists the enabled Referrals admins with their effective settings.
func ReferralsAdminRecipientsTx(ctx context.Context, tx Querier) ([]Recipient, error) {
	return NewLeadRecipientsTx(ctx, tx, 0)
}

// CountSingleMailTx counts one more single new-lead mail for recipient on day, unless limit were
// passed: ok=false means the recipient already had limit single mails that day.
func CountSingleMailTx(ctx context.Context, tx Querier, recipient, day string, limit int) (ok bool, err error) {
	var n int
	err = tx.QueryRowContext(ctx, `INSERT INTO mail_day_counts (recipient, day, singles) VALUES (?, ?, 1)
		ON CONFLICT (recipient, day) DO UPDATE SET singles = singles + 1 WHERE singles < ? RETURNING singles`,
		recipient, day, limit).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("db: count mail for %s on %s: %w", recipient, day, err)
	}
	return true, nil
}

// AddDigestItemTx holds a lead for recipient's digest of day; name is whom the digest greets.
func AddDigestItemTx(ctx context.Context, tx Querier, recipient, day string, leadID int64, lang, name string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO digest_items (recipient, day, lead_id, lang, name) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (recipient, day, lead_id) DO NOTHING`, recipient, day, leadID, lang, name)
	if err != nil {
		return fmt.Errorf("db: digest item for %s: %w", recipient, err)
	}
	return nil
}

// DigestDue is one recipient's digest of one finished day, not yet queued, with the recipient's name
// as their latest held lead knew it ("" for none).
type DigestDue struct {
	Recipient, Day, Lang, Name string
}

// DueDigestsTx lists the digests of days before today that are not queued yet.
func DueDigestsTx(ctx context.Context, tx Querier, today string) ([]DigestDue, error) {
	rows, err := tx.QueryContext(ctx, `SELECT recipient, day, MAX(lang), MAX(name) FROM digest_items WHERE queued = 0 AND day < ?
		GROUP BY recipient COLLATE NOCASE, day ORDER BY day, recipient`, today)
	if err != nil {
		return nil, fmt.Errorf("db: due digests: %w", err)
	}
	defer rows.Close()
	var out []DigestDue
	for rows.Next() {
		var d DigestDue
		if err := rows.Scan(&d.Recipient, &d.Day, &d.Lang, &d.Name); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// PruneMailDaysTx forgets the single-mail counts and queued digest items of days before day: they
// only matter while their day lasts and until its digest is queued.
func PruneMailDaysTx(ctx context.Context, tx Querier, day string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM mail_day_counts WHERE day < ?`, day); err != nil {
		return fmt.Errorf("db: prune mail day counts: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM digest_items WHERE day < ? AND queued = 1`, day); err != nil {
		return fmt.Errorf("db: prune digest items: %w", err)
	}
	return nil
}

// DigestLeadsTx returns the leads held for one digest, oldest first, and marks them queued.
func DigestLeadsTx(ctx context.Context, tx Querier, recipient, day string) ([]*Lead, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+LeadColumns+` FROM leads WHERE id IN
		(SELECT lead_id FROM digest_items WHERE recipient = ? AND day = ? AND queued = 0) ORDER BY created_at, id`, recipient, day)
	if err != nil {
		return nil, fmt.Errorf("db: digest leads: %w", err)
	}
	var out []*Lead
	for rows.Next() {
		l, err := ScanLead(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE digest_items SET queued = 1 WHERE recipient = ? AND day = ?`, recipient, day); err != nil {
		return nil, fmt.Errorf("db: mark digest queued: %w", err)
	}
	return out, nil
}
