package mail_test

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"leaddesk/db"
	"leaddesk/internal/testkit"
	"leaddesk/mail"
)

// One-time links wait in the outbox sealed: the stored row (what a backup or a leaked database holds)
// carries neither the link nor its secret, and the mail the SMTP server receives carries a link that
// works. Both kinds are checked, the invitation and the password reset.
func TestOneTimeLinksAreNotStoredInTheOutboxButArriveWorking(t *testing.T) {
	s := testkit.NewServer(t)
	s.CreateUser("admin@example.com", "Ada Admin", db.RoleAccount)
	aiko := s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals)
	admin := s.Client()
	admin.Login("admin@example.com")
	admin.Get("/admin/users/invite")
	res := admin.PostForm("/admin/users/invite", url.Values{"email": {"ken@example.com"}, "roles": {db.RoleReferrals}})
	invite := regexp.MustCompile(`/invite/[A-Za-z0-9_-]{20,}`).FindString(res.Body)
	if res.StatusCode != http.StatusOK || invite == "" {
		t.Fatalf("invite: %d, no link shown", res.StatusCode)
	}
	admin.Get("/admin/users/" + itoa(aiko.ID))
	res = admin.PostForm("/admin/users/"+itoa(aiko.ID)+"/reset", nil)
	reset := regexp.MustCompile(`/reset/[A-Za-z0-9_-]{20,}`).FindString(res.Body)
	if res.StatusCode != http.StatusOK || reset == "" {
		t.Fatalf("reset link: %d, no link shown", res.StatusCode)
	}

	for _, secret := range []string{invite, reset} {
		token := secret[strings.LastIndex(secret, "/")+1:]
		var n int
		if err := s.DB.QueryRow(`SELECT COUNT(*) FROM outbox WHERE params LIKE '%' || ? || '%' OR params LIKE '%/invite/%' OR params LIKE '%/reset/%'`,
			token).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("the outbox stores the link %s in clear", secret)
		}
	}

	srv := testkit.StartSMTP(t)
	cfg := *s.Cfg // the same data directory, so the same key file, as `leaddesk serve`
	cfg.SMTPURL = srv.URL("")
	sender, err := mail.NewSender(&cfg, s.DB, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	run(t, sender, s.Clock.Now())
	for addr, path := range map[string]string{"ken@example.com": invite, "aiko@example.com": reset} {
		got := srv.To(addr)
		if len(got) != 1 || !strings.Contains(got[0].Text, s.URL+path) || !strings.Contains(got[0].HTML, s.URL+path) {
			t.Fatalf("mail to %s: %d messages, want one carrying %s", addr, len(got), path)
		}
		if res := s.Client().Get(path); res.StatusCode != http.StatusOK {
			t.Errorf("the mailed link %s: %d", path, res.StatusCode)
		}
	}
}

// Sealed with another key (session.key replaced since the mail was queued), the link is not sent
// garbled: the row fails with a message saying what happened.
func TestSealedLinkFromAnotherKeyFailsTheMailClearly(t *testing.T) {
	s := testkit.NewServer(t)
	s.CreateUser("admin@example.com", "Ada Admin", db.RoleAccount)
	admin := s.Client()
	admin.Login("admin@example.com")
	admin.Get("/admin/users/invite")
	admin.PostForm("/admin/users/invite", url.Values{"email": {"ken@example.com"}, "roles": {db.RoleReferrals}})

	srv := testkit.StartSMTP(t)
	other := testkit.Config(t) // another data directory: another key
	other.SMTPURL = srv.URL("")
	sender, err := mail.NewSender(other, s.DB, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	run(t, sender, s.Clock.Now())
	if n := len(srv.All()); n != 0 {
		t.Fatalf("%d mails sent with a link that cannot be opened", n)
	}
	rows, _, err := s.DB.ListOutbox(t.Context(), db.OutboxFilter{Status: "failed"})
	if err != nil || len(rows) != 1 || !strings.Contains(rows[0].LastError, "session.key") {
		t.Fatalf("failed rows: %v %v", rows, err)
	}
}

// Links an older Leaddesk queued in clear are sealed when the sender starts, and still arrive.
func TestClearLinksFromAnOlderVersionAreSealedAtStart(t *testing.T) {
	d := testkit.NewDB(t)
	const link = baseURL + "/invite/old-style-secret-0123456789"
	err := d.InTx(context.Background(), func(tx *sql.Tx) error {
		_, err := db.EnqueueMailTx(context.Background(), tx, day0, db.OutboxMessage{Kind: "invitation", ToEmail: "ken@example.com",
			Params: map[string]any{"inviter": "Ada", "link": link}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := testkit.StartSMTP(t)
	s := newSender(t, d, srv.URL(""), srv)
	var params string
	if err := d.QueryRow(`SELECT params FROM outbox`).Scan(&params); err != nil || strings.Contains(params, "old-style-secret") || !strings.Contains(params, "link_sealed") {
		t.Fatalf("outbox params after start: %s %v", params, err)
	}
	run(t, s, day0)
	if got := srv.To("ken@example.com"); len(got) != 1 || !strings.Contains(got[0].Text, link) {
		t.Fatalf("mail to ken: %d messages, want one carrying the link", len(got))
	}
}
