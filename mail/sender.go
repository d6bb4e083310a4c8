package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	netmail "net/mail"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jordan-wright/email"

	"leaddesk/config"
	"leaddesk/db"
	"leaddesk/internal/secretkey"
	"leaddesk/views"
)

// Sender delivers the outbox. Delivery is at-least-once with a small window: a row is marked
// 'sending' (with a lease) before the SMTP conversation and 'sent' after it. If the process dies
// between the server's "250 OK" to DATA and that UPDATE, the row stays 'sending' and is sent again
// once the lease ran out — the only case where a message can arrive twice, and then with the same
// Message-ID, so mail clients show it once. A restart or an SMTP outage never loses a message.
type Sender struct {
	DB        *db.DB
	Transport Transport // nil: no SMTP configured, mail stays queued and visible
	Renderer  *Renderer
	Links     *secretkey.Sealer // opens the one-time links sealed in the outbox (InvitationTx)
	From      string            // LEADDESK_MAIL_FROM
	BaseURL   string
	Log       *slog.Logger
	Lease     time.Duration // how long a claimed row is left to its sender; default 5 min
	MaxPerRun int           // default 500, so one run cannot hold the job forever

	warnOnce sync.Once
}

// NewSender builds the sender from the configuration.
func NewSender(cfg *config.Config, d *db.DB, log *slog.Logger) (*Sender, error) {
	master, err := secretkey.Load(context.Background(), cfg, d)
	if err != nil {
		return nil, err
	}
	links, err := secretkey.NewSealer(master)
	if err != nil {
		return nil, err
	}
	cat, err := views.LoadCatalog()
	if err != nil {
		return nil, err
	}
	r, err := NewRenderer(cat, cfg.Location, cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	if err := sealClearLinks(context.Background(), d, links); err != nil {
		return nil, err
	}
	s := &Sender{DB: d, Renderer: r, Links: links, From: cfg.MailFrom, BaseURL: cfg.BaseURL, Log: log}
	if cfg.SMTPURL != "" {
		smtpCfg, err := config.ParseSMTPURL(cfg.SMTPURL)
		if err != nil {
			return nil, fmt.Errorf("LEADDESK_SMTP_URL %w", err)
		}
		s.Transport = NewSMTPTransport(*smtpCfg)
	}
	return s, nil
}

// Backoff is the wait before retry number attempts+1: 1 min, 2, 4, … capped at one hour.
func Backoff(attempts int) time.Duration {
	d := time.Minute
	for i := 1; i < attempts && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

// Run delivers every message due at now (the outbox job).
func (s *Sender) Run(ctx context.Context, now time.Time) error {
	if s.Transport == nil {
		s.warnOnce.Do(func() {
			s.log().Warn("no LEADDESK_SMTP_URL: mail stays queued in the outbox (Admin › Mail) until one is set")
		})
		return nil
	}
	lease := s.Lease
	if lease <= 0 {
		lease = 5 * time.Minute
	}
	max := s.MaxPerRun
	if max <= 0 {
		max = 500
	}
	for i := 0; i < max && ctx.Err() == nil; i++ {
		row, err := s.DB.ClaimOutbox(ctx, now, lease)
		if errors.Is(err, db.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := s.deliver(ctx, row, now); err != nil {
			return err
		}
	}
	return nil
}

// deliver sends one claimed row and records the result; only a database error is returned, a
// failed delivery is recorded on the row and the queue moves on.
func (s *Sender) deliver(ctx context.Context, row *db.OutboxRow, now time.Time) error {
	if err := s.hideExpiredContact(ctx, row); err != nil {
		return err
	}
	raw, to, err := s.Build(row, now)
	if err == nil {
		err = s.Transport.Send(ctx, envelopeAddress(s.From), to, raw)
	}
	switch {
	case err == nil:
		s.log().Info("mail sent", "id", row.ID, "kind", row.Kind, "attempt", row.Attempts)
		return s.DB.MarkOutboxSent(ctx, row.ID, now)
	case IsPermanent(err):
		s.log().Warn("mail refused", "id", row.ID, "kind", row.Kind, "err", err)
		return s.DB.FailOutbox(ctx, row.ID, err.Error())
	default:
		next := now.Add(Backoff(row.Attempts))
		s.log().Warn("mail delayed", "id", row.ID, "kind", row.Kind, "attempt", row.Attempts, "retry_at", next, "err", err)
		return s.DB.RetryOutbox(ctx, row.ID, next, err.Error())
	}
}

// contactParams are the params that carry a lead's contact details (newLeadParams).
var contactParams = []string{"contact", "contact_email", "contact_phone"}

// hideExpiredContact drops the contact details from a message about a lead that has expired since it
// was queued: a mail retried through a long SMTP outage, or resent from Admin › Mail, must not show
// what the lead itself no longer shows (docs/design.md §3.3). Nor does a message queued before "mail
// without personal data" was turned on (issue 19).
func (s *Sender) hideExpiredContact(ctx context.Context, row *db.OutboxRow) error {
	if row.LeadID == 0 || !slices.ContainsFunc(contactParams, func(k string) bool { _, ok := row.Params[k]; return ok }) {
		return nil
	}
	privacy, err := s.DB.PrivacySettings(ctx)
	if err != nil {
		return err
	}
	l, err := s.DB.LeadByID(ctx, row.LeadID)
	if errors.Is(err, db.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if l.ContactHidden() || privacy.MailWithoutPersonalData {
		params := maps.Clone(row.Params)
		for _, k := range contactParams {
			delete(params, k)
		}
		row.Params = params
	}
	return nil
}

func (s *Sender) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

func envelopeAddress(from string) string {
	if a, err := netmail.ParseAddress(from); err == nil {
		return a.Address
	}
	return from
}

// sealClearLinks seals the one-time links that an older Leaddesk queued in clear (sent ones too:
// Admin › Mail can resend them).
func sealClearLinks(ctx context.Context, d *db.DB, links *secretkey.Sealer) error {
	clear, err := d.OutboxClearLinks(ctx)
	if err != nil {
		return err
	}
	for _, l := range clear {
		if err := d.SealOutboxLink(ctx, l.ID, links.Seal(l.Link, linkContext(l.Kind))); err != nil {
			return err
		}
	}
	return nil
}

// openLink puts the sealed one-time link of row back into its params, for this rendering only.
func (s *Sender) openLink(row *db.OutboxRow) error {
	sealed, ok := row.Params["link_sealed"].(string)
	if !ok {
		return nil
	}
	if s.Links == nil {
		return fmt.Errorf("mail: message %d has a sealed link and the sender no key to open it", row.ID)
	}
	link, err := s.Links.Open(sealed, linkContext(row.Kind))
	if err != nil {
		return fmt.Errorf("mail: the link in message %d cannot be opened (%w): session.key or LEADDESK_SESSION_KEY changed since it was queued; make a new link", row.ID, err)
	}
	params := maps.Clone(row.Params)
	delete(params, "link_sealed")
	params["link"] = link
	row.Params = params
	return nil
}

// Build renders a row into a MIME message (text and HTML alternatives) and its envelope recipients.
// A row that cannot be rendered or addressed is a permanent failure.
func (s *Sender) Build(row *db.OutboxRow, now time.Time) ([]byte, []string, error) {
	addr, err := netmail.ParseAddress(strings.TrimSpace(row.ToEmail))
	if err != nil {
		return nil, nil, &PermanentError{Err: fmt.Errorf("recipient %q is not a valid address", row.ToEmail)}
	}
	if err := s.openLink(row); err != nil {
		return nil, nil, &PermanentError{Err: err}
	}
	r, err := s.Renderer.Render(row)
	if err != nil {
		return nil, nil, &PermanentError{Err: err}
	}
	e := email.NewEmail()
	e.From = s.From
	to := &netmail.Address{Name: CleanHeader(row.ToName), Address: addr.Address}
	e.To = []string{to.String()}
	e.Subject = r.Subject
	e.Text = []byte(r.Text)
	e.HTML = []byte(r.HTML)
	e.Headers.Set("Message-Id", MessageID(row.ID, s.BaseURL))
	e.Headers.Set("Date", now.Format(time.RFC1123Z))
	e.Headers.Set("Auto-Submitted", "auto-generated")
	raw, err := e.Bytes()
	if err != nil {
		return nil, nil, &PermanentError{Err: fmt.Errorf("mail: build message %d: %w", row.ID, err)}
	}
	return raw, []string{addr.Address}, nil
}
