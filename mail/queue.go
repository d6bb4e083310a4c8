// Package mail is Leaddesk's outgoing mail: what gets queued when something happens — the Notifier
// turns the leads' domain events into outbox rows and Action Center items (notifier.go, this file) —
// and the outbox sender that renders and delivers it over SMTP. Everything here that queues runs
// inside the caller's transaction, so a message exists exactly when the change that causes it was
// committed.
package mail

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"leaddesk/db"
	"leaddesk/internal/secretkey"
	"leaddesk/lead"
)

// Env is what queued messages need to know about the instance and the moment.
type Env struct {
	BaseURL string
	Loc     *time.Location
	Now     time.Time
}

// LeadURL is the link to a lead's details page.
func (e Env) LeadURL(id int64) string { return e.BaseURL + "/leads/" + strconv.FormatInt(id, 10) }

func addActionItem(ctx context.Context, tx *sql.Tx, leadID int64, kind string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO action_items (lead_id, kind, created_at) VALUES (?, ?, ?)
		ON CONFLICT (lead_id, kind) DO NOTHING`, leadID, kind, now.Unix())
	if err != nil {
		return fmt.Errorf("mail: action item %s for lead %d: %w", kind, leadID, err)
	}
	return nil
}

// SinglesPerDay is how many single new-lead mails one recipient gets per local day; the day's later
// leads go into one digest sent after the day ends (docs/design.md §4).
const SinglesPerDay = 10

// Day is the local calendar day of t in loc (the configured time zone), as YYYY-MM-DD.
func Day(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2006-01-02")
}

// newLeadTx is called in the transaction that stores a new lead: it adds the Action Center items and
// queues the new-lead mail to the location's contact and the Referrals admins, each by their own
// preferences: single mails for the first SinglesPerDay leads of their day, the rest (or everything,
// for those who chose the digest) held for the day's digest. Test leads and informational leads cause
// neither.
func newLeadTx(ctx context.Context, tx *sql.Tx, env Env, l *lead.Lead) error {
	if l.IsTest || !l.Actionable || l.Status != "received" {
		return nil
	}
	if err := addActionItem(ctx, tx, l.ID, "new_lead", env.Now); err != nil {
		return err
	}
	if l.CustomerRequestedContact {
		if err := addActionItem(ctx, tx, l.ID, "requested_contact", env.Now); err != nil {
			return err
		}
	}
	recipients, err := db.NewLeadRecipientsTx(ctx, tx, l.LocationID)
	if err != nil {
		return err
	}
	day := Day(env.Now, env.Loc)
	privacy, err := db.PrivacySettingsTx(ctx, tx)
	if err != nil {
		return err
	}
	params := newLeadParams(env, l, !privacy.MailWithoutPersonalData)
	for _, r := range recipients {
		if r.Mode != "digest" {
			ok, err := db.CountSingleMailTx(ctx, tx, r.Email, day, SinglesPerDay)
			if err != nil {
				return err
			}
			if ok {
				if _, err := db.EnqueueMailTx(ctx, tx, env.Now, db.OutboxMessage{Kind: "new_lead", ToEmail: r.Email, ToName: r.Name,
					Lang: r.Lang, LeadID: l.ID, Params: params,
					DedupeKey: "new_lead:" + strconv.FormatInt(l.ID, 10) + ":" + strings.ToLower(r.Email)}); err != nil {
					return err
				}
				continue
			}
		}
		if err := db.AddDigestItemTx(ctx, tx, r.Email, day, l.ID, r.Lang, r.Name); err != nil {
			return err
		}
	}
	return nil
}

// newLeadParams are what a new-lead mail shows: company, country, call to action and link always;
// contact details only with withContact (the privacy setting "mail without personal data" is off)
// and while the lead shows them.
func newLeadParams(env Env, l *lead.Lead, withContact bool) map[string]any {
	p := map[string]any{"company": l.CustomerCompany, "country": l.Country, "cta": l.CTA, "source": l.Source, "offer": l.OfferTitle,
		"flame": l.CustomerRequestedContact, "link": env.LeadURL(l.ID)}
	if withContact && !l.ContactHidden() {
		p["contact"] = l.ContactName()
		p["contact_email"] = l.ContactEmail
		p["contact_phone"] = l.ContactPhone
	}
	if l.ExpiresAt != nil {
		p["respond_by"] = l.ExpiresAt.Unix()
	}
	return p
}

// leadAnsweredTx marks a lead's open Action Center items done once it is accepted or declined.
func leadAnsweredTx(ctx context.Context, tx *sql.Tx, env Env, leadID int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE action_items SET done_at = ? WHERE lead_id = ? AND done_at IS NULL`, env.Now.Unix(), leadID)
	if err != nil {
		return fmt.Errorf("mail: close action items of lead %d: %w", leadID, err)
	}
	return nil
}

// leadDeclinedTx queues the customer's "please choose another partner" notice (only with consent and a
// valid, non-spam address) and the sender's notice.
func leadDeclinedTx(ctx context.Context, tx *sql.Tx, env Env, l *lead.Lead) error {
	if err := leadAnsweredTx(ctx, tx, env, l.ID); err != nil {
		return err
	}
	if l.IsTest {
		return nil
	}
	if l.CustomerConsent && l.EmailValidity == "valid" && l.ContactEmail != "" {
		var partner string
		if err := tx.QueryRowContext(ctx, `SELECT company_name FROM business_profile WHERE id = 1`).Scan(&partner); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("mail: business profile: %w", err)
		}
		if _, err := db.EnqueueMailTx(ctx, tx, env.Now, db.OutboxMessage{Kind: "decline_customer", ToEmail: l.ContactEmail,
			ToName: l.ContactName(), Lang: db.LangForCountry(l.Country), LeadID: l.ID, DedupeKey: "decline_customer:" + strconv.FormatInt(l.ID, 10),
			Params: map[string]any{"company": l.CustomerCompany, "offer": l.OfferTitle, "partner": partner}}); err != nil {
			return err
		}
	}
	if l.SenderEmail != "" {
		if _, err := db.EnqueueMailTx(ctx, tx, env.Now, db.OutboxMessage{Kind: "decline_sender", ToEmail: l.SenderEmail,
			ToName: l.SenderName, LeadID: l.ID, DedupeKey: "decline_sender:" + strconv.FormatInt(l.ID, 10),
			Params: map[string]any{"company": l.CustomerCompany, "reason": l.Reason}}); err != nil {
			return err
		}
	}
	return nil
}

// leadExpiredTx is called when a lead expires unanswered: Action Center item and the sender's notice.
func leadExpiredTx(ctx context.Context, tx *sql.Tx, env Env, l *lead.Lead) error {
	if _, err := tx.ExecContext(ctx, `UPDATE action_items SET done_at = ? WHERE lead_id = ? AND kind IN ('new_lead', 'requested_contact', 'expiring') AND done_at IS NULL`,
		env.Now.Unix(), l.ID); err != nil {
		return fmt.Errorf("mail: close action items of lead %d: %w", l.ID, err)
	}
	if l.IsTest {
		return nil
	}
	if err := addActionItem(ctx, tx, l.ID, "expired", env.Now); err != nil {
		return err
	}
	if l.SenderEmail != "" {
		if _, err := db.EnqueueMailTx(ctx, tx, env.Now, db.OutboxMessage{Kind: "expired_sender", ToEmail: l.SenderEmail,
			ToName: l.SenderName, LeadID: l.ID, DedupeKey: "expired_sender:" + strconv.FormatInt(l.ID, 10),
			Params: map[string]any{"company": l.CustomerCompany}}); err != nil {
			return err
		}
	}
	return nil
}

// expiryReminderTx is called once per lead 48 hours before it expires: Action Center item and a
// reminder to every Referrals admin who has mail switched on (whatever their single/digest choice: a
// reminder cannot wait for tomorrow's digest).
func expiryReminderTx(ctx context.Context, tx *sql.Tx, env Env, l *lead.Lead) error {
	if l.IsTest {
		return nil
	}
	if err := addActionItem(ctx, tx, l.ID, "expiring", env.Now); err != nil {
		return err
	}
	recipients, err := db.ReferralsAdminRecipientsTx(ctx, tx)
	if err != nil {
		return err
	}
	params := map[string]any{"company": l.CustomerCompany, "flame": l.CustomerRequestedContact, "link": env.LeadURL(l.ID)}
	if l.ExpiresAt != nil {
		params["respond_by"] = l.ExpiresAt.Unix()
	}
	for _, r := range recipients {
		if _, err := db.EnqueueMailTx(ctx, tx, env.Now, db.OutboxMessage{Kind: "expiry_reminder", ToEmail: r.Email, ToName: r.Name,
			Lang: r.Lang, LeadID: l.ID, Params: params,
			DedupeKey: "expiry_reminder:" + strconv.FormatInt(l.ID, 10) + ":" + strings.ToLower(r.Email)}); err != nil {
			return err
		}
	}
	return nil
}

// One-time links (invitations, password resets) are stored sealed with a key that is not in the
// database (internal/secretkey), under "link_sealed"; the sender opens them at send time. A copy of
// the outbox table thus cannot be replayed as a link.

// linkContext binds a sealed link to the kind of mail, so a sealed reset link cannot be passed off
// as an invitation's.
func linkContext(kind string) string { return "outbox link " + kind }

// InvitationTx queues an invitation to join the team.
func InvitationTx(ctx context.Context, tx *sql.Tx, now time.Time, links *secretkey.Sealer, to, lang, inviter, link string) error {
	_, err := db.EnqueueMailTx(ctx, tx, now, db.OutboxMessage{Kind: "invitation", ToEmail: to, Lang: lang,
		Params: map[string]any{"inviter": inviter, "link_sealed": links.Seal(link, linkContext("invitation"))}})
	return err
}

// PasswordResetTx queues a password-reset link.
func PasswordResetTx(ctx context.Context, tx *sql.Tx, now time.Time, links *secretkey.Sealer, to, name, lang, link string) error {
	_, err := db.EnqueueMailTx(ctx, tx, now, db.OutboxMessage{Kind: "password_reset", ToEmail: to, ToName: name, Lang: lang,
		Params: map[string]any{"link_sealed": links.Seal(link, linkContext("password_reset"))}})
	return err
}
