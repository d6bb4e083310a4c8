package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"leaddesk/money"
)

// ErrStale means the lead changed since the form was loaded: the version no longer matches. It wraps
// ErrConflict, so it answers 409 wherever it surfaces.
var ErrStale = fmt.Errorf("lead changed meanwhile: %w", ErrConflict)

// Actor is who changes a lead: a user, or a label such as "job" when nobody signed in did.
type Actor struct {
	UserID int64
	Label  string
}

// LeadByIDTx reads one lead inside a transaction (or outside, with d), or ErrNotFound.
func LeadByIDTx(ctx context.Context, q Querier, id int64) (*Lead, error) {
	l, err := ScanLead(q.QueryRowContext(ctx, `SELECT `+LeadColumns+` FROM leads WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("db: lead %d: %w", id, err)
	}
	return l, nil
}

// SaveLeadTx writes the lifecycle fields of after over the row of before, guarded by before's version
// (UPDATE … WHERE id = ? AND version = ?), so an edit based on an old read never overwrites a newer
// one: it gives ErrStale instead. It bumps the version, records the difference (plus extra changes
// such as the team) in the timeline as kind, and refreshes the search index when searched text changed.
// It answers the changes it recorded.
func SaveLeadTx(ctx context.Context, tx *sql.Tx, before, after *Lead, actor Actor, kind string, extra map[string][2]string) (map[string][2]string, error) {
	res, err := tx.ExecContext(ctx, `UPDATE leads SET status = ?, outcome = ?, reason = ?, reason_notes = ?, deal_name = ?,
		deal_value = ?, currency = ?, purchase_date = ?, notes = ?, crm_id = ?, campaign_id = ?, updated_at = ?, accepted_at = ?,
		archived_at = ?, expires_at = ?, version = version + 1
		WHERE id = ? AND version = ?`,
		after.Status, nullStr(after.Outcome), after.Reason, after.ReasonNotes, after.DealName, after.DealValue, after.Currency,
		after.PurchaseDate, after.Notes, after.CRMID, after.CampaignID, after.UpdatedAt.Unix(), unixOrNil(after.AcceptedAt),
		unixOrNil(after.ArchivedAt), unixOrNil(after.ExpiresAt), before.ID, before.Version)
	if err != nil {
		return nil, fmt.Errorf("db: save lead %d: %w", before.ID, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil, fmt.Errorf("db: save lead %d version %d: %w", before.ID, before.Version, ErrStale)
	}
	after.Version = before.Version + 1
	changes := LeadChanges(before, after)
	for k, v := range extra {
		changes[k] = v
	}
	// A save that changed nothing (an edit sent unchanged) bumps the version but adds no empty entry.
	if len(changes) > 0 {
		if err := AddLeadEventTx(ctx, tx, before.ID, after.UpdatedAt, actor.UserID, actor.Label, kind, ChangesJSON(changes)); err != nil {
			return nil, err
		}
	}
	if LeadSearchTerms(before) != LeadSearchTerms(after) {
		if err := IndexLeadSearchTx(ctx, tx, after); err != nil {
			return nil, err
		}
	}
	return changes, nil
}

// LeadChanges lists the lifecycle fields that differ between two versions of a lead, as old → new text.
func LeadChanges(a, b *Lead) map[string][2]string {
	out := map[string][2]string{}
	add := func(field, x, y string) {
		if x != y {
			out[field] = [2]string{x, y}
		}
	}
	add("status", a.Status, b.Status)
	add("outcome", a.Outcome, b.Outcome)
	add("reason", a.Reason, b.Reason)
	add("reason_notes", a.ReasonNotes, b.ReasonNotes)
	add("deal_name", a.DealName, b.DealName)
	if a.DealValue != b.DealValue || a.Currency != b.Currency {
		// Stored as money.Amount.String ("1250000 USD"); the timeline shows it per language.
		out["deal_value"] = [2]string{money.Amount{Minor: a.DealValue, Currency: a.Currency}.String(),
			money.Amount{Minor: b.DealValue, Currency: b.Currency}.String()}
	}
	add("purchase_date", a.PurchaseDate, b.PurchaseDate)
	add("notes", a.Notes, b.Notes)
	add("crm_id", a.CRMID, b.CRMID)
	add("campaign_id", a.CampaignID, b.CampaignID)
	return out
}

// ChangesJSON encodes a change set for lead_events.changes.
func ChangesJSON(changes map[string][2]string) string {
	b, err := json.Marshal(changes)
	if err != nil {
		return "{}"
	}
	return string(b)
}

// TeamMember is a user working an accepted lead.
type TeamMember struct {
	ID    int64
	Name  string
	Email string
}

// LeadTeam lists a lead's team members by name.
func LeadTeam(ctx context.Context, q Querier, leadID int64) ([]TeamMember, error) {
	rows, err := q.QueryContext(ctx, `SELECT u.id, u.name, u.email FROM lead_team t JOIN users u ON u.id = t.user_id
		WHERE t.lead_id = ? ORDER BY u.name COLLATE NOCASE, u.id`, leadID)
	if err != nil {
		return nil, fmt.Errorf("db: team of lead %d: %w", leadID, err)
	}
	defer rows.Close()
	var out []TeamMember
	for rows.Next() {
		var m TeamMember
		if err := rows.Scan(&m.ID, &m.Name, &m.Email); err != nil {
			return nil, fmt.Errorf("db: team of lead %d: %w", leadID, err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: team of lead %d: %w", leadID, err)
	}
	return out, nil
}

// SetLeadTeamTx replaces a lead's team and returns the change as old → new names ("" when equal).
func SetLeadTeamTx(ctx context.Context, tx *sql.Tx, leadID int64, userIDs []int64) ([2]string, error) {
	old, err := LeadTeam(ctx, tx, leadID)
	if err != nil {
		return [2]string{}, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM lead_team WHERE lead_id = ?`, leadID); err != nil {
		return [2]string{}, fmt.Errorf("db: set team of lead %d: %w", leadID, err)
	}
	for _, id := range userIDs {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO lead_team (lead_id, user_id) VALUES (?, ?)`, leadID, id); err != nil {
			return [2]string{}, fmt.Errorf("db: set team of lead %d: %w", leadID, err)
		}
	}
	now, err := LeadTeam(ctx, tx, leadID)
	if err != nil {
		return [2]string{}, err
	}
	return [2]string{teamNames(old), teamNames(now)}, nil
}

func teamNames(ms []TeamMember) string {
	names := make([]string, len(ms))
	for i, m := range ms {
		names[i] = m.Name
	}
	return strings.Join(names, ", ")
}

// LeadContact is an extra company contact (given on accept) or an employee added later.
type LeadContact struct {
	ID        int64
	Kind      string // contact | employee
	Name      string
	Email     string
	Phone     string
	CreatedAt time.Time
}

// AddLeadContactTx stores an extra contact or employee of a lead.
func AddLeadContactTx(ctx context.Context, tx *sql.Tx, leadID int64, c LeadContact, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO lead_contacts (lead_id, kind, name, email, phone, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		leadID, c.Kind, c.Name, c.Email, c.Phone, now.Unix())
	if err != nil {
		return fmt.Errorf("db: add %s to lead %d: %w", c.Kind, leadID, err)
	}
	return nil
}

// LeadContacts lists a lead's extra contacts and employees in the order they were added.
func (d *DB) LeadContacts(ctx context.Context, leadID int64) ([]LeadContact, error) {
	rows, err := d.QueryContext(ctx, `SELECT id, kind, name, email, phone, created_at FROM lead_contacts WHERE lead_id = ? ORDER BY id`, leadID)
	if err != nil {
		return nil, fmt.Errorf("db: contacts of lead %d: %w", leadID, err)
	}
	defer rows.Close()
	var out []LeadContact
	for rows.Next() {
		var c LeadContact
		var at int64
		if err := rows.Scan(&c.ID, &c.Kind, &c.Name, &c.Email, &c.Phone, &at); err != nil {
			return nil, fmt.Errorf("db: contacts of lead %d: %w", leadID, err)
		}
		c.CreatedAt = time.Unix(at, 0).UTC()
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: contacts of lead %d: %w", leadID, err)
	}
	return out, nil
}

// LeadEvent is one timeline entry.
type LeadEvent struct {
	ID         int64
	At         time.Time
	ActorName  string // the user's name, or "" for a job or integration
	ActorLabel string
	Kind       string
	Changes    map[string][2]string
}

// LeadEvents returns a lead's timeline, newest first.
func (d *DB) LeadEvents(ctx context.Context, leadID int64) ([]LeadEvent, error) {
	rows, err := d.QueryContext(ctx, `SELECT e.id, e.at, COALESCE(u.name, ''), e.actor_label, e.kind, e.changes
		FROM lead_events e LEFT JOIN users u ON u.id = e.actor_user_id WHERE e.lead_id = ? ORDER BY e.at DESC, e.id DESC`, leadID)
	if err != nil {
		return nil, fmt.Errorf("db: events of lead %d: %w", leadID, err)
	}
	defer rows.Close()
	var out []LeadEvent
	for rows.Next() {
		var e LeadEvent
		var at int64
		var changes string
		if err := rows.Scan(&e.ID, &at, &e.ActorName, &e.ActorLabel, &e.Kind, &changes); err != nil {
			return nil, fmt.Errorf("db: events of lead %d: %w", leadID, err)
		}
		e.At = time.Unix(at, 0).UTC()
		e.Changes = map[string][2]string{}
		// Other writers may record values that are not strings; such an entry still shows, without details.
		_ = json.Unmarshal([]byte(changes), &e.Changes)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: events of lead %d: %w", leadID, err)
	}
	return out, nil
}

// LeadHeartedBy reports whether the user has this lead among their favourites.
func (d *DB) LeadHeartedBy(ctx context.Context, leadID, userID int64) (bool, error) {
	var n int
	err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM favorites WHERE lead_id = ? AND user_id = ?`, leadID, userID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("db: favorite of lead %d: %w", leadID, err)
	}
	return n > 0, nil
}
