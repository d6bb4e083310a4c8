package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// MailSubscriptions are one user's choices for the scheduled personal mails (0090): the weekly
// summary and the morning "today" mail.
type MailSubscriptions struct {
	WeeklySummary bool
	Today         bool
}

// MailSubscriptions returns userID's choices, or the defaults when none were saved: the weekly
// summary on for Referrals admins (isReferrals), the morning mail off.
func (d *DB) MailSubscriptions(ctx context.Context, userID int64, isReferrals bool) (MailSubscriptions, error) {
	s := MailSubscriptions{WeeklySummary: isReferrals}
	var weekly sql.NullBool
	err := d.QueryRowContext(ctx, `SELECT weekly_summary, today FROM mail_subscriptions WHERE user_id = ?`, userID).Scan(&weekly, &s.Today)
	if errors.Is(err, sql.ErrNoRows) {
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("db: mail subscriptions of user %d: %w", userID, err)
	}
	if weekly.Valid {
		s.WeeklySummary = weekly.Bool
	}
	return s, nil
}

// SaveMailSubscriptionsTx stores userID's choices.
func SaveMailSubscriptionsTx(ctx context.Context, q Querier, userID int64, s MailSubscriptions, at time.Time) error {
	_, err := q.ExecContext(ctx, `INSERT INTO mail_subscriptions (user_id, weekly_summary, today, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET weekly_summary = excluded.weekly_summary, today = excluded.today, updated_at = excluded.updated_at`,
		userID, s.WeeklySummary, s.Today, at.Unix())
	if err != nil {
		return fmt.Errorf("db: save mail subscriptions of user %d: %w", userID, err)
	}
	return nil
}

// WeeklySummaryRecipientsTx lists the enabled users who receive the weekly summary, with their
// effective address and language (their notification preferences first, then their account): those
// who chose it, and Referrals admins who did not choose. A user needs a role (the summary is about
// the team's leads, which only roles may read).
func WeeklySummaryRecipientsTx(ctx context.Context, q Querier) ([]Recipient, error) {
	return scheduledRecipients(ctx, q, userRecipientSQL+` AND EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id)
		AND COALESCE((SELECT s.weekly_summary FROM mail_subscriptions s WHERE s.user_id = u.id),
		             EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = ?)) = 1
		ORDER BY u.id`, RoleReferrals)
}

// TodayMailRecipientsTx lists the enabled users who chose the morning "today" mail, with their
// effective address and language.
func TodayMailRecipientsTx(ctx context.Context, q Querier) ([]Recipient, error) {
	return scheduledRecipients(ctx, q, userRecipientSQL+` AND EXISTS (SELECT 1 FROM mail_subscriptions s WHERE s.user_id = u.id AND s.today = 1)
		ORDER BY u.id`)
}

func scheduledRecipients(ctx context.Context, q Querier, query string, args ...any) ([]Recipient, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("db: scheduled mail recipients: %w", err)
	}
	defer rows.Close()
	var out []Recipient
	for rows.Next() {
		var r Recipient
		var enabled bool // new-lead mail on or off: not what these mails ask
		if err := rows.Scan(&r.UserID, &r.Email, &r.Name, &r.Lang, &r.Mode, &enabled); err != nil {
			return nil, fmt.Errorf("db: scheduled mail recipients: %w", err)
		}
		if r.Email != "" {
			out = append(out, r)
		}
	}
	return out, rows.Err()
}

// ScheduledMailDoneTx reports whether kind's mail to userID for period was already decided.
func ScheduledMailDoneTx(ctx context.Context, q Querier, kind string, userID int64, period string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM scheduled_mail_runs WHERE kind = ? AND user_id = ? AND period = ?`, kind, userID, period).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("db: scheduled %s for user %d: %w", kind, userID, err)
	}
	return n > 0, nil
}

// ClaimScheduledMailTx records that kind's mail to userID for period is decided (queued: a message
// went to the outbox; else there was nothing to say) and reports whether this call did it: false means
// another run did it first, and the caller must queue nothing.
func ClaimScheduledMailTx(ctx context.Context, q Querier, kind string, userID int64, period string, queued bool, at time.Time) (bool, error) {
	res, err := q.ExecContext(ctx, `INSERT INTO scheduled_mail_runs (kind, user_id, period, queued, at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (kind, user_id, period) DO NOTHING`, kind, userID, period, queued, at.Unix())
	if err != nil {
		return false, fmt.Errorf("db: claim scheduled %s for user %d: %w", kind, userID, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// PruneScheduledMailRunsTx forgets the decisions of periods before period (YYYY-MM-DD): the guard
// only matters while its morning lasts.
func PruneScheduledMailRunsTx(ctx context.Context, q Querier, period string) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM scheduled_mail_runs WHERE period < ?`, period); err != nil {
		return fmt.Errorf("db: prune scheduled mail runs: %w", err)
	}
	return nil
}

// OwnedLeadsNearExpiryTx lists userID's received actionable non-test leads that expire after now and
// at or before now+within, the soonest first (at most 50).
func OwnedLeadsNearExpiryTx(ctx context.Context, q Querier, userID int64, now time.Time, within time.Duration) ([]*Lead, error) {
	return queryLeads(ctx, q, `SELECT `+LeadColumns+` FROM leads WHERE owner_id = ? AND status = 'received' AND actionable = 1
		AND is_test = 0 AND expires_at > ? AND expires_at <= ? ORDER BY expires_at, id LIMIT 50`, userID, now.Unix(), now.Add(within).Unix())
}
