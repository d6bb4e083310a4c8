package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// Privacy storage (issue 19): finding a person's data by email address or phone number, anonymising
// a lead, removing an extra contact, and scrubbing the copies a lead's personal data leaves behind
// (timeline, mail outbox, webhook and Partner Center queues, the search index). The rules of when and
// why live in package leads; this file only speaks SQL.

// PersonContact is an extra contact or employee of a lead that matched a person.
type PersonContact struct {
	LeadContact
	LeadID int64
}

// PersonMail is a mail in the outbox addressed to a person.
type PersonMail struct {
	ID        int64
	Kind      string
	Status    string
	LeadID    int64
	CreatedAt time.Time
}

// PersonData is what Leaddesk holds about one person: the leads whose customer contact they are,
// the leads that list them as an extra contact or employee, and mail queued or sent to them.
type PersonData struct {
	Leads    []*Lead
	Contacts []PersonContact
	Mail     []PersonMail
}

// Count is how many records the person appears in.
func (p PersonData) Count() int { return len(p.Leads) + len(p.Contacts) + len(p.Mail) }

// PhoneDigits is a phone number's digits alone, how numbers are compared: "+81 (3) 1234-5678" and
// "81312345678" are the same number.
func PhoneDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// phoneDigitsSQL strips the usual separators from a phone column, as PhoneDigits does in Go.
func phoneDigitsSQL(col string) string {
	return `replace(replace(replace(replace(replace(replace(` + col + `, ' ', ''), '-', ''), '(', ''), ')', ''), '+', ''), '.', '')`
}

// FindPerson finds every record of the person with the email address (case-insensitive) or the
// phone number (by digits); either may be empty, not both.
func FindPerson(ctx context.Context, q Querier, email, phone string) (PersonData, error) {
	var out PersonData
	email, phone = strings.TrimSpace(email), PhoneDigits(phone)
	if email == "" && phone == "" {
		return out, nil
	}
	// A sentinel that matches nothing stands in for an empty key, so one query serves all three cases.
	if email == "" {
		email = "\x00"
	}
	if phone == "" {
		phone = "\x00"
	}
	rows, err := q.QueryContext(ctx, `SELECT `+LeadColumns+` FROM leads
		WHERE contact_email = ? COLLATE NOCASE OR `+phoneDigitsSQL("contact_phone")+` = ? ORDER BY id`, email, phone)
	if err != nil {
		return out, fmt.Errorf("db: find person: %w", err)
	}
	for rows.Next() {
		l, err := ScanLead(rows)
		if err != nil {
			rows.Close()
			return out, fmt.Errorf("db: find person: %w", err)
		}
		out.Leads = append(out.Leads, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("db: find person: %w", err)
	}
	rows, err = q.QueryContext(ctx, `SELECT id, lead_id, kind, name, email, phone, created_at FROM lead_contacts
		WHERE email = ? COLLATE NOCASE OR `+phoneDigitsSQL("phone")+` = ? ORDER BY id`, email, phone)
	if err != nil {
		return out, fmt.Errorf("db: find person contacts: %w", err)
	}
	for rows.Next() {
		var c PersonContact
		var at int64
		if err := rows.Scan(&c.ID, &c.LeadID, &c.Kind, &c.Name, &c.Email, &c.Phone, &at); err != nil {
			rows.Close()
			return out, fmt.Errorf("db: find person contacts: %w", err)
		}
		c.CreatedAt = time.Unix(at, 0).UTC()
		out.Contacts = append(out.Contacts, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("db: find person contacts: %w", err)
	}
	rows, err = q.QueryContext(ctx, `SELECT id, kind, status, COALESCE(lead_id, 0), created_at FROM outbox
		WHERE to_email = ? COLLATE NOCASE ORDER BY id`, email)
	if err != nil {
		return out, fmt.Errorf("db: find person mail: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var m PersonMail
		var at int64
		if err := rows.Scan(&m.ID, &m.Kind, &m.Status, &m.LeadID, &at); err != nil {
			return out, fmt.Errorf("db: find person mail: %w", err)
		}
		m.CreatedAt = time.Unix(at, 0).UTC()
		out.Mail = append(out.Mail, m)
	}
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("db: find person mail: %w", err)
	}
	return out, nil
}

// PersonalChangeKey reports whether a timeline key carries a person's data: the extra contacts and
// employees ("Name, email, phone") and free text.
func PersonalChangeKey(k string) bool {
	return strings.HasPrefix(k, "contact_") || k == "employee" || k == "notes" || k == "reason_notes" || k == "description" ||
		k == "activity_text" || k == "next_step" // an activity's free text may name the person
}

// AnonymiseLeadTx replaces a lead's personal data — the contact's names, title, email and phone, the
// customer's message, notes and the sender — with nothing, under before's version guard; removes its
// extra contacts and employees; strips the personal entries of its timeline; re-indexes its search
// text; records the anonymisation (lead_anonymised, cause 'request' or 'retention') and a timeline
// entry of kind. The lead keeps its dates, source, country, values and outcome. It answers the lead
// as saved.
func AnonymiseLeadTx(ctx context.Context, tx *sql.Tx, before *Lead, now time.Time, actor Actor, kind, cause string) (*Lead, error) {
	res, err := tx.ExecContext(ctx, `UPDATE leads SET contact_first_name = '', contact_last_name = '', contact_title = '',
		contact_email = '', contact_phone = '', description = '', notes = '', reason_notes = '', sender_name = '',
		sender_email = '', updated_at = ?, version = version + 1 WHERE id = ? AND version = ?`, now.Unix(), before.ID, before.Version)
	if err != nil {
		return nil, fmt.Errorf("db: anonymise lead %d: %w", before.ID, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil, fmt.Errorf("db: anonymise lead %d version %d: %w", before.ID, before.Version, ErrStale)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM lead_contacts WHERE lead_id = ?`, before.ID); err != nil {
		return nil, fmt.Errorf("db: anonymise lead %d contacts: %w", before.ID, err)
	}
	// Logged activities keep their kind, outcome and dates; their free text may name the person.
	if _, err := tx.ExecContext(ctx, `UPDATE lead_activities SET body = '', next_step = '' WHERE lead_id = ?`, before.ID); err != nil {
		return nil, fmt.Errorf("db: anonymise lead %d activities: %w", before.ID, err)
	}
	if err := scrubTimelineTx(ctx, tx, before.ID, nil); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO lead_anonymised (lead_id, at, cause) VALUES (?, ?, ?)
		ON CONFLICT (lead_id) DO UPDATE SET at = excluded.at, cause = excluded.cause`, before.ID, now.Unix(), cause); err != nil {
		return nil, fmt.Errorf("db: anonymise lead %d: %w", before.ID, err)
	}
	if err := AddLeadEventTx(ctx, tx, before.ID, now, actor.UserID, actor.Label, kind, "{}"); err != nil {
		return nil, err
	}
	after, err := LeadByIDTx(ctx, tx, before.ID)
	if err != nil {
		return nil, err
	}
	if err := IndexLeadSearchTx(ctx, tx, after); err != nil {
		return nil, err
	}
	// On a person's request every stored copy naming them goes, wherever it is; a retention run
	// removes what belongs to this lead only — scanning every queue for each of thousands of leads
	// would hold the write lock for minutes, and copies about the person's other leads follow those
	// leads' own rules.
	var needles []string
	if cause != "retention" {
		needles = personalStrings(before.ContactEmail, before.ContactPhone, before.ContactName())
	}
	if err := scrubQueuesTx(ctx, tx, before.ID, needles); err != nil {
		return nil, err
	}
	return after, nil
}

// RemoveLeadContactTx removes one extra contact or employee from a lead, with the timeline entries
// and queued payloads that name them, and adds a timeline entry of kind.
func RemoveLeadContactTx(ctx context.Context, tx *sql.Tx, c PersonContact, now time.Time, actor Actor, kind string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM lead_contacts WHERE id = ?`, c.ID); err != nil {
		return fmt.Errorf("db: remove contact %d: %w", c.ID, err)
	}
	needles := personalStrings(c.Email, c.Phone, c.Name)
	if err := scrubTimelineTx(ctx, tx, c.LeadID, needles); err != nil {
		return err
	}
	if err := scrubQueuesTx(ctx, tx, 0, needles); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM pc_team_sent WHERE email = ? COLLATE NOCASE`, c.Email); err != nil {
		return fmt.Errorf("db: remove contact %d: %w", c.ID, err)
	}
	return AddLeadEventTx(ctx, tx, c.LeadID, now, actor.UserID, actor.Label, kind, "{}")
}

// DeleteMailToTx deletes every outbox row addressed to email, queued or sent, and answers how many.
func DeleteMailToTx(ctx context.Context, tx *sql.Tx, email string) (int, error) {
	res, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE to_email = ? COLLATE NOCASE`, strings.TrimSpace(email))
	if err != nil {
		return 0, fmt.Errorf("db: delete mail to a person: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// DeleteLeadTx deletes a lead with everything that refers to it (its timeline, contacts, favourites,
// Action Center items, Partner Center rows by foreign key; mail about it, webhook deliveries and its
// search row here). The domain_events rows stay: they hold no personal data, and the change sequence
// tells the lead index and the changes feed that the lead is gone.
func DeleteLeadTx(ctx context.Context, tx *sql.Tx, id int64) error {
	for _, stmt := range []string{
		`DELETE FROM outbox WHERE lead_id = ?`,
		`DELETE FROM webhook_deliveries WHERE lead_id = ?`,
		`DELETE FROM lead_search WHERE rowid = ?`,
		`DELETE FROM leads WHERE id = ?`,
	} {
		if _, err := tx.ExecContext(ctx, stmt, id); err != nil {
			return fmt.Errorf("db: delete lead %d: %w", id, err)
		}
	}
	return nil
}

// personalStrings are the non-trivial strings that identify a person, to look for in stored copies.
// Strings shorter than five characters would match unrelated text and are left out; the rows that
// belong to the lead are removed by its id in any case.
func personalStrings(xs ...string) []string {
	var out []string
	for _, x := range xs {
		x = strings.TrimSpace(x)
		if len([]rune(x)) >= 5 {
			out = append(out, x)
		}
	}
	return out
}

// scrubTimelineTx rewrites a lead's timeline entries: with needles nil, every personal entry (extra
// contacts, employees, free text) goes; otherwise only entries whose value names one of needles.
func scrubTimelineTx(ctx context.Context, tx *sql.Tx, leadID int64, needles []string) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, changes FROM lead_events WHERE lead_id = ?`, leadID)
	if err != nil {
		return fmt.Errorf("db: scrub timeline of lead %d: %w", leadID, err)
	}
	type entry struct {
		id      int64
		changes string
	}
	var rewrite []entry
	for rows.Next() {
		var id int64
		var raw string
		if err := rows.Scan(&id, &raw); err != nil {
			rows.Close()
			return fmt.Errorf("db: scrub timeline of lead %d: %w", leadID, err)
		}
		var changes map[string]json.RawMessage
		if json.Unmarshal([]byte(raw), &changes) != nil {
			// Not a change set this code wrote: drop it whole rather than keep what it may name.
			rewrite = append(rewrite, entry{id, "{}"})
			continue
		}
		dirty := false
		for k, v := range changes {
			drop := needles == nil && PersonalChangeKey(k)
			for _, n := range needles {
				if strings.Contains(strings.ToLower(string(v)), strings.ToLower(n)) {
					drop = true
				}
			}
			if drop {
				delete(changes, k)
				dirty = true
			}
		}
		if dirty {
			b, _ := json.Marshal(changes)
			rewrite = append(rewrite, entry{id, string(b)})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("db: scrub timeline of lead %d: %w", leadID, err)
	}
	for _, e := range rewrite {
		if _, err := tx.ExecContext(ctx, `UPDATE lead_events SET changes = ? WHERE id = ?`, e.changes, e.id); err != nil {
			return fmt.Errorf("db: scrub timeline of lead %d: %w", leadID, err)
		}
	}
	return nil
}

// scrubQueuesTx removes the stored copies of a person's data outside the lead: mail about the lead
// (leadID, 0 for none) and any outbox row, webhook delivery or Partner Center queue row whose body
// names one of needles; a Partner Center conflict record naming them is cleared.
func scrubQueuesTx(ctx context.Context, tx *sql.Tx, leadID int64, needles []string) error {
	if leadID != 0 {
		for _, stmt := range []string{
			`DELETE FROM outbox WHERE lead_id = ?`,
			`DELETE FROM webhook_deliveries WHERE lead_id = ?`,
			`DELETE FROM pc_sync_queue WHERE lead_id = ? AND status IN ('done', 'failed')`,
			`UPDATE pc_referrals SET conflict = '' WHERE lead_id = ?`,
		} {
			if _, err := tx.ExecContext(ctx, stmt, leadID); err != nil {
				return fmt.Errorf("db: scrub copies of lead %d: %w", leadID, err)
			}
		}
	}
	for _, n := range needles {
		for _, stmt := range []string{
			`DELETE FROM outbox WHERE instr(lower(params), lower(?1)) > 0 OR instr(lower(to_name), lower(?1)) > 0`,
			`DELETE FROM webhook_deliveries WHERE instr(lower(payload), lower(?1)) > 0`,
			`DELETE FROM pc_sync_queue WHERE instr(lower(ops || base), lower(?1)) > 0`,
			`DELETE FROM pc_sync_errors WHERE instr(lower(error), lower(?1)) > 0`,
			`UPDATE pc_referrals SET conflict = '' WHERE instr(lower(conflict), lower(?1)) > 0`,
		} {
			if _, err := tx.ExecContext(ctx, stmt, n); err != nil {
				return fmt.Errorf("db: scrub copies of a person: %w", err)
			}
		}
	}
	return nil
}

// CompactAfterErasure makes erased data unrecoverable from the file: the write-ahead log is
// checkpointed and truncated, so no older page image stays in it. Deleted rows are overwritten in place
// because connections run with secure_delete on, and the search index drops a deleted row's entries
// from its segments at once (FTS5 secure-delete, migration 0102). A reader holding an old snapshot can
// delay the truncation; the error says so, and the next checkpoint finishes it.
//
// A truncating checkpoint holds the write lock while it waits for readers on older snapshots, so every
// write waits with it: at start, the lead index reads a million leads for seconds, and a sign-in waited
// as long behind the retention job. So the log is first copied into the database without blocking
// anyone (a passive checkpoint), and the truncation then waits for readers only briefly
// (compactWaitForReaders) before it gives up until the next run.
func (d *DB) CompactAfterErasure(ctx context.Context) error {
	conn, err := d.Conn(ctx)
	if err != nil {
		return fmt.Errorf("db: checkpoint: %w", err)
	}
	defer conn.Close()
	var busy, logFrames, done int
	if err := conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &logFrames, &done); err != nil {
		return fmt.Errorf("db: checkpoint: %w", err)
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`PRAGMA busy_timeout = %d`, compactWaitForReaders.Milliseconds())); err != nil {
		return fmt.Errorf("db: checkpoint: %w", err)
	}
	// The connection goes back to the pool with the usual timeout (the DSN's _busy_timeout).
	defer conn.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf(`PRAGMA busy_timeout = %d`, busyTimeout.Milliseconds()))
	if err := conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logFrames, &done); err != nil {
		return fmt.Errorf("db: checkpoint: %w", err)
	}
	if busy != 0 {
		return errors.New("db: checkpoint: a reader kept the write-ahead log open; the next checkpoint truncates it")
	}
	return nil
}

// compactWaitForReaders is how long CompactAfterErasure's truncation waits for readers, holding the
// write lock.
const compactWaitForReaders = 200 * time.Millisecond

// PrivacyRun is one erasure or retention run from the audit log.
type PrivacyRun struct {
	At        time.Time
	ActorName string
	Action    string // privacy.erase | privacy.retention
	Target    string // the person's hash (erasure)
	Leads     int    // leads anonymised
	Deleted   int    // leads deleted (retention)
	Contacts  int
	Mail      int
	Reason    string
}

// PrivacyRuns lists the latest erasures and retention runs that changed something, newest first.
func (d *DB) PrivacyRuns(ctx context.Context, limit int) ([]PrivacyRun, error) {
	rows, err := d.QueryContext(ctx, `SELECT a.at, COALESCE(u.name, a.actor_label), a.action, a.target, a.details
		FROM audit_log a LEFT JOIN users u ON u.id = a.actor_user_id
		WHERE a.action IN ('privacy.erase', 'privacy.retention') ORDER BY a.at DESC, a.id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("db: privacy runs: %w", err)
	}
	defer rows.Close()
	var out []PrivacyRun
	for rows.Next() {
		var r PrivacyRun
		var at int64
		var details string
		if err := rows.Scan(&at, &r.ActorName, &r.Action, &r.Target, &details); err != nil {
			return nil, fmt.Errorf("db: privacy runs: %w", err)
		}
		r.At = time.Unix(at, 0).UTC()
		var dd struct {
			Leads, Deleted, Contacts, Mail int
			Reason                         string
		}
		_ = json.Unmarshal([]byte(details), &dd) // written by this code; an odd row shows zeros
		r.Leads, r.Deleted, r.Contacts, r.Mail, r.Reason = dd.Leads, dd.Deleted, dd.Contacts, dd.Mail, dd.Reason
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: privacy runs: %w", err)
	}
	return out, nil
}

// LeadsForRetentionTx lists up to limit archived leads with outcome (and tab, unless "") archived at
// or before cutoff, the oldest first: with anonymised false all of them, with true only those not
// anonymised yet. Test leads are left to TestLeadsToDeleteTx.
func LeadsForRetentionTx(ctx context.Context, q Querier, outcome, tab string, cutoff time.Time, onlyNotAnonymised bool, limit int) ([]*Lead, error) {
	return queryLeads(ctx, q, `SELECT `+LeadColumns+` FROM leads l WHERE status = 'archived' AND outcome = ? AND (? = '' OR tab = ?)
		AND is_test = 0 AND COALESCE(archived_at, updated_at) <= ?
		AND (? = 0 OR NOT EXISTS (SELECT 1 FROM lead_anonymised a WHERE a.lead_id = l.id))
		ORDER BY COALESCE(archived_at, updated_at), id LIMIT ?`, outcome, tab, tab, cutoff.Unix(), onlyNotAnonymised, limit)
}

// TestLeadsToDeleteTx lists up to limit test leads (Microsoft's MSFT_TEST) created at or before
// cutoff, the oldest first.
func TestLeadsToDeleteTx(ctx context.Context, q Querier, cutoff time.Time, limit int) ([]*Lead, error) {
	return queryLeads(ctx, q, `SELECT `+LeadColumns+` FROM leads WHERE is_test = 1 AND created_at <= ?
		ORDER BY created_at, id LIMIT ?`, cutoff.Unix(), limit)
}

// PrivacySettings is the one row of Admin › Privacy's settings; Retention is the rules' JSON, ""
// for the defaults.
type PrivacySettings struct {
	MailWithoutPersonalData bool
	Retention               string
	UpdatedAt               time.Time
}

// PrivacySettings reads the settings.
func (d *DB) PrivacySettings(ctx context.Context) (PrivacySettings, error) {
	return PrivacySettingsTx(ctx, d)
}

// PrivacySettingsTx reads the settings inside a transaction (or outside, with a *DB).
func PrivacySettingsTx(ctx context.Context, q Querier) (PrivacySettings, error) {
	var s PrivacySettings
	var at int64
	err := q.QueryRowContext(ctx, `SELECT mail_without_personal_data, retention, updated_at FROM privacy_settings WHERE id = 1`).
		Scan(&s.MailWithoutPersonalData, &s.Retention, &at)
	if err != nil {
		return s, fmt.Errorf("db: privacy settings: %w", err)
	}
	s.UpdatedAt = time.Unix(at, 0).UTC()
	return s, nil
}

// SavePrivacySettings stores the settings and records the change in the audit log.
func (d *DB) SavePrivacySettings(ctx context.Context, s PrivacySettings, userID int64, now time.Time) error {
	return d.InTx(ctx, func(tx *sql.Tx) error {
		old, err := PrivacySettingsTx(ctx, tx)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE privacy_settings SET mail_without_personal_data = ?, retention = ?, updated_at = ?, updated_by = ?
			WHERE id = 1`, s.MailWithoutPersonalData, s.Retention, now.Unix(), nullID(userID)); err != nil {
			return fmt.Errorf("db: save privacy settings: %w", err)
		}
		details, _ := json.Marshal(map[string][2]any{
			"mail_without_personal_data": {old.MailWithoutPersonalData, s.MailWithoutPersonalData},
			"retention":                  {old.Retention, s.Retention},
		})
		return Audit(ctx, tx, now, userID, "", "privacy.settings", "", string(details))
	})
}
