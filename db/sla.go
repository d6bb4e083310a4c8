package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"leaddesk/sla"
)

// SLASettings are the response targets as configured (issue 17): the policy the sla package
// computes with, and who hears of a missed target (0: every Referrals admin but the owner).
type SLASettings struct {
	Policy     sla.Policy
	EscalateTo int64
}

// SLASettingsTx reads the response targets; business hours are in loc (the configured time zone).
func SLASettingsTx(ctx context.Context, q Querier, loc *time.Location) (*SLASettings, error) {
	s := &SLASettings{Policy: sla.Policy{Targets: map[sla.Key]time.Duration{}}}
	rows, err := q.QueryContext(ctx, `SELECT kind, cta, minutes FROM sla_targets`)
	if err != nil {
		return nil, fmt.Errorf("db: response targets: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k sla.Key
		var minutes int64
		if err := rows.Scan(&k.Kind, &k.CTA, &minutes); err != nil {
			return nil, fmt.Errorf("db: response targets: %w", err)
		}
		s.Policy.Targets[k] = time.Duration(minutes) * time.Minute
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: response targets: %w", err)
	}
	var days string
	var start, end int
	var escalate sql.NullInt64
	err = q.QueryRowContext(ctx, `SELECT hours_on, days, start_minute, end_minute, escalate_to FROM sla_settings WHERE id = 1`).
		Scan(&s.Policy.Hours.On, &days, &start, &end, &escalate)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("db: response target settings: %w", err)
	}
	for _, d := range strings.Split(days, ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(d)); err == nil && n >= 0 && n < 7 {
			s.Policy.Hours.Days[n] = true
		}
	}
	s.Policy.Hours.Start, s.Policy.Hours.End = time.Duration(start)*time.Minute, time.Duration(end)*time.Minute
	s.Policy.Hours.Loc = loc
	s.EscalateTo = escalate.Int64
	return s, nil
}

// SLASettings reads the response targets outside a transaction (pages, the list's badges).
func (d *DB) SLASettings(ctx context.Context, loc *time.Location) (*SLASettings, error) {
	return SLASettingsTx(ctx, d, loc)
}

// SaveSLASettings stores the response targets (every key of sla.Keys) and the business hours.
func (d *DB) SaveSLASettings(ctx context.Context, s *SLASettings, at time.Time) error {
	return d.InTx(ctx, func(tx *sql.Tx) error {
		for _, k := range sla.Keys {
			minutes := int64(s.Policy.Targets[k] / time.Minute)
			if _, err := tx.ExecContext(ctx, `INSERT INTO sla_targets (kind, cta, minutes) VALUES (?, ?, ?)
				ON CONFLICT (kind, cta) DO UPDATE SET minutes = excluded.minutes`, k.Kind, k.CTA, minutes); err != nil {
				return fmt.Errorf("db: save response target %s/%s: %w", k.Kind, k.CTA, err)
			}
		}
		h := s.Policy.Hours
		var days []string
		for i, on := range h.Days {
			if on {
				days = append(days, strconv.Itoa(i))
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO sla_settings (id, hours_on, days, start_minute, end_minute, escalate_to, updated_at)
			VALUES (1, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET hours_on = excluded.hours_on, days = excluded.days,
			start_minute = excluded.start_minute, end_minute = excluded.end_minute, escalate_to = excluded.escalate_to,
			updated_at = excluded.updated_at`,
			h.On, strings.Join(days, ","), int(h.Start/time.Minute), int(h.End/time.Minute), nullID(s.EscalateTo), at.Unix())
		if err != nil {
			return fmt.Errorf("db: save response target settings: %w", err)
		}
		return nil
	})
}

// SetFirstContactTx records that a contact with the lead was logged at at, unless an earlier one was:
// the lead's response target is met from then on.
func SetFirstContactTx(ctx context.Context, tx *sql.Tx, leadID int64, at time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE leads SET first_contact_at = ? WHERE id = ? AND (first_contact_at IS NULL OR first_contact_at > ?)`,
		at.Unix(), leadID, at.Unix())
	if err != nil {
		return fmt.Errorf("db: first contact of lead %d: %w", leadID, err)
	}
	return nil
}

// LeadsAwaitingAnswerTx lists up to limit leads after afterID (by id) that wait for their first
// answer (received, actionable, not a test lead, no contact logged), arrived at or before
// arrivedBy, and were not escalated yet: the response-target job's candidates. sla.Policy.Of decides.
func LeadsAwaitingAnswerTx(ctx context.Context, q Querier, arrivedBy time.Time, afterID int64, limit int) ([]*Lead, error) {
	return queryLeads(ctx, q, `SELECT `+LeadColumns+` FROM leads l WHERE status = 'received' AND actionable = 1 AND first_contact_at IS NULL
		AND is_test = 0 AND created_at <= ? AND id > ?
		AND NOT EXISTS (SELECT 1 FROM lead_sla_notices n WHERE n.lead_id = l.id AND n.kind = 'escalated')
		ORDER BY id LIMIT ?`, arrivedBy.Unix(), afterID, limit)
}

// MarkSLANoticeTx records that the response-target job dealt with kind ("warned", "escalated") for a
// lead — sent, or (sent false) recorded without a mail or Action Center item; first is false when it
// had been recorded before, and then nothing is sent again.
func MarkSLANoticeTx(ctx context.Context, tx *sql.Tx, leadID int64, kind string, at time.Time, sent bool) (first bool, err error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO lead_sla_notices (lead_id, kind, at, sent) VALUES (?, ?, ?, ?) ON CONFLICT (lead_id, kind) DO NOTHING`,
		leadID, kind, at.Unix(), sent)
	if err != nil {
		return false, fmt.Errorf("db: response target %s for lead %d: %w", kind, leadID, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// SLAWarningRecipientsTx lists who is warned that a lead's target is near: its owner, or, for an
// unassigned lead, every Referrals admin (each with their mail settings; those who switched mail off
// are left out).
func SLAWarningRecipientsTx(ctx context.Context, tx Querier, ownerID int64) ([]Recipient, error) {
	if ownerID == 0 {
		return ReferralsAdminRecipientsTx(ctx, tx)
	}
	return userRecipientsTx(ctx, tx, userRecipientSQL+` AND u.id = ?`, ownerID)
}

// SLAEscalationRecipientsTx lists who hears that a lead missed its target: the chosen escalation user,
// else every Referrals admin but the owner (the owner alone when nobody else is left).
func SLAEscalationRecipientsTx(ctx context.Context, tx Querier, ownerID, escalateTo int64) ([]Recipient, error) {
	if escalateTo != 0 {
		out, err := userRecipientsTx(ctx, tx, userRecipientSQL+` AND u.id = ?`, escalateTo)
		if err != nil || len(out) > 0 {
			return out, err
		}
	}
	out, err := userRecipientsTx(ctx, tx, userRecipientSQL+` AND u.id IN (SELECT user_id FROM user_roles WHERE role = ?) AND u.id != ? ORDER BY u.id`,
		RoleReferrals, ownerID)
	if err != nil || len(out) > 0 || ownerID == 0 {
		return out, err
	}
	return SLAWarningRecipientsTx(ctx, tx, ownerID)
}

// userRecipientsTx runs a userRecipientSQL query and keeps those with mail switched on.
func userRecipientsTx(ctx context.Context, tx Querier, query string, args ...any) ([]Recipient, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("db: response target recipients: %w", err)
	}
	defer rows.Close()
	var out []Recipient
	for rows.Next() {
		var r Recipient
		var enabled bool
		if err := rows.Scan(&r.UserID, &r.Email, &r.Name, &r.Lang, &r.Mode, &enabled); err != nil {
			return nil, fmt.Errorf("db: response target recipients: %w", err)
		}
		if enabled && r.Email != "" {
			out = append(out, r)
		}
	}
	return out, rows.Err()
}

// SLAActionLeads lists the leads of userID's Action Center that are near or past their response
// target (the job warned of them; not leads that were waiting before targets existed) and still wait for an answer: the leads they own, and unassigned
// ones. Oldest arrival first, at most 50; sla.Policy.Of says where each stands.
func (d *DB) SLAActionLeads(ctx context.Context, userID int64) ([]*Lead, error) {
	return queryLeads(ctx, d, `SELECT `+LeadColumns+` FROM leads l WHERE status = 'received' AND actionable = 1
		AND first_contact_at IS NULL AND is_test = 0 AND (owner_id = ? OR owner_id IS NULL)
		AND EXISTS (SELECT 1 FROM lead_sla_notices n WHERE n.lead_id = l.id AND n.kind = 'warned' AND n.sent = 1)
		ORDER BY created_at, id LIMIT 50`, userID)
}

// OwnerTx is one user as an owner (name and email), or ErrNotFound.
func OwnerTx(ctx context.Context, q Querier, id int64) (Owner, error) {
	var o Owner
	err := q.QueryRowContext(ctx, `SELECT id, name, email FROM users WHERE id = ?`, id).Scan(&o.ID, &o.Name, &o.Email)
	if errors.Is(err, sql.ErrNoRows) {
		return o, ErrNotFound
	}
	if err != nil {
		return o, fmt.Errorf("db: owner %d: %w", id, err)
	}
	return o, nil
}

// WarnedLeads tells which of ids the response-target job warned of already.
func WarnedLeads(ctx context.Context, q Querier, ids []int64) (map[int64]bool, error) {
	warned := map[int64]bool{}
	if len(ids) == 0 {
		return warned, nil
	}
	rows, err := q.QueryContext(ctx, `SELECT lead_id FROM lead_sla_notices WHERE kind = 'warned' AND lead_id IN (`+placeholders(len(ids))+`)`,
		anySlice(ids)...)
	if err != nil {
		return nil, fmt.Errorf("db: response target notices: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("db: response target notices: %w", err)
		}
		warned[id] = true
	}
	return warned, rows.Err()
}
