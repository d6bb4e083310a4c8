package mail_test

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"testing"
	"time"

	"leaddesk/config"
	"leaddesk/db"
	"leaddesk/internal/testkit"
	"leaddesk/lead"
	"leaddesk/mail"
)

const baseURL = "https://leads.example.com"

var tokyo, _ = time.LoadLocation("Asia/Tokyo")

// day0 is 18:00 in Tokyo on Monday 30 November 2026; the local day ends six hours later.
var day0 = time.Date(2026, 11, 30, 18, 0, 0, 0, tokyo)

func env(now time.Time) mail.Env { return mail.Env{BaseURL: baseURL, Loc: tokyo, Now: now} }

// notify hands an event at now to the notifier of an instance at baseURL in Tokyo, inside tx.
func notify(tx *sql.Tx, e lead.Event) error {
	return mail.NewNotifier(&config.Config{BaseURL: baseURL, Location: tokyo}).Handle(context.Background(), tx, e)
}

// at is the part every event carries: the lead and the time (no actor: the notifier does not ask).
func at(l *lead.Lead, now time.Time) lead.Change { return lead.Change{Lead: l, At: now} }

// newSender builds the outbox sender as `leaddesk serve` does, for the SMTP URL given ("" = none).
func newSender(t *testing.T, d *db.DB, smtpURL string, srv *testkit.SMTP) *mail.Sender {
	t.Helper()
	cfg := testkit.Config(t)
	cfg.BaseURL = baseURL
	cfg.Location = tokyo
	cfg.SMTPURL = smtpURL
	cfg.MailFrom = "Leaddesk <leaddesk@leads.example.com>"
	s, err := mail.NewSender(cfg, d, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if srv != nil && srv.CertPool != nil {
		s.Transport.(*mail.SMTPTransport).RootCAs = srv.CertPool
	}
	if tr, ok := s.Transport.(*mail.SMTPTransport); ok {
		tr.Timeout = 5 * time.Second
	}
	return s
}

func run(t *testing.T, s *mail.Sender, now time.Time) {
	t.Helper()
	if err := s.Run(context.Background(), now); err != nil {
		t.Fatalf("sender run: %v", err)
	}
}

func addLocation(t *testing.T, d *db.DB, contactName, contactEmail string) int64 {
	t.Helper()
	res, err := d.Exec(`INSERT INTO locations (name, contact_name, contact_email, created_at, updated_at) VALUES ('Tokyo office', ?, ?, 0, 0)`,
		contactName, contactEmail)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := res.LastInsertId()
	return id
}

// addLead stores an actionable contact-me lead with the new-lead notifications, in one transaction,
// as intake does.
func addLead(t *testing.T, d *db.DB, now time.Time, locationID int64, company string, change ...func(*lead.Lead)) *lead.Lead {
	t.Helper()
	l := &lead.Lead{Tab: "marketplace", LeadType: "offer", CTA: "contact_me", Source: "appsource", OfferTitle: "Contoso CRM",
		LocationID: locationID, CustomerCompany: company, ContactFirstName: "Mei", ContactLastName: "Sato",
		ContactEmail: "mei@customer.example", CreatedAt: now}
	for _, c := range change {
		c(l)
	}
	err := d.InTx(context.Background(), func(tx *sql.Tx) error {
		if err := db.InsertLeadTx(context.Background(), tx, l); err != nil {
			return err
		}
		return notify(tx, lead.Received{Change: at(l, now)})
	})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func setPrefs(t *testing.T, d *db.DB, p *db.NotificationPrefs) {
	t.Helper()
	if err := db.SaveNotificationPrefsTx(context.Background(), d, p, time.Now()); err != nil {
		t.Fatal(err)
	}
}

func outboxStatus(t *testing.T, d *db.DB) map[string]int {
	t.Helper()
	c, err := d.OutboxCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var _ = config.SMTP{}

// mailWithPersonalData turns "mail without personal data" off, as an install that upgraded keeps it.
func mailWithPersonalData(t *testing.T, d *db.DB) {
	t.Helper()
	if err := d.SavePrivacySettings(context.Background(), db.PrivacySettings{MailWithoutPersonalData: false}, 0, day0); err != nil {
		t.Fatal(err)
	}
}
