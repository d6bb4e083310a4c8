package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"leaddesk/backup"
	"leaddesk/db"
	"leaddesk/handlers"
	"leaddesk/internal/testkit"
	"leaddesk/jobs"
)

// systemServer is a test server with scheduled backups (one taken) and a jobs runner whose jobs ran
// once, one of them failing.
func systemServer(t *testing.T) (*testkit.Server, *backup.Manager) {
	t.Helper()
	var m *backup.Manager
	s := testkit.NewServer(t, func(d *handlers.Deps) {
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		m = backup.NewManager(d.DB, filepath.Join(d.Cfg.DataDir, "backups"), time.Hour, log)
		r := jobs.NewRunner(d.Clock, log)
		r.Register(jobs.Job{Name: "backup", Every: time.Minute, Run: m.RunDue})
		r.Register(jobs.Job{Name: "mail-outbox", Every: 5 * time.Second, Run: func(context.Context, time.Time) error {
			return fmt.Errorf("connect to 127.0.0.1:1025: connection refused")
		}})
		r.RunOnce(context.Background(), d.Clock.Now())
		d.Backups, d.Jobs = m, r
	})
	s.Cfg.SMTPURL = "smtp://mailer:hunter2-secret@mail.example.com:587"
	s.Cfg.Google.ClientID, s.Cfg.Google.ClientSecret = "google-client", "google-secret-value"
	s.CreateUser("root@example.com", "Rika Admin", db.RoleAccount)
	s.CreateUser("ref@example.com", "Ren Referrals", db.RoleReferrals)
	return s, m
}

// TestAdminSystemShowsTheInstanceAndMasksSecrets: an Account admin sees the version, schema, the
// latest backup, the jobs with their last run and error, and the settings in effect with secrets
// masked; other roles are refused; /healthz reports the backup.
func TestAdminSystemShowsTheInstanceAndMasksSecrets(t *testing.T) {
	s, m := systemServer(t)
	c := s.Client()
	c.Login("root@example.com")
	s.Clock.Advance(90 * time.Minute)
	res := c.Get("/admin/system")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	body := html.UnescapeString(res.Body)
	last := m.Status(s.Clock.Now()).Last
	for _, want := range []string{
		fmt.Sprintf("%d (this version knows up to %d)", db.LatestVersion(), db.LatestVersion()),
		"Running for", "1 h 30 min", // the fake clock moved 90 minutes since the server started
		"Up to date", filepath.Dir(last.Path), "Every 1 h;", "1 h 30 min ago",
		"backup", "mail-outbox", "connection refused",
		"LEADDESK_SMTP_URL", "smtp://mailer:••••••@mail.example.com:587", "LEADDESK_GOOGLE_CLIENT_SECRET",
		"session.key", "Sent", // outbox statuses
		"Partner Center sync queue", "Webhook deliveries", "waiting 0 · sending 0 · failed 0",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, secret := range []string{"hunter2-secret", "google-secret-value"} {
		if strings.Contains(body, secret) {
			t.Errorf("page shows the secret %q", secret)
		}
	}
	ref := s.Client()
	ref.Login("ref@example.com")
	if res := ref.Get("/admin/system"); res.StatusCode != http.StatusForbidden {
		t.Errorf("Referrals admin: status %d, want 403", res.StatusCode)
	}

	var health struct {
		Backup struct {
			Status     string `json:"status"`
			AgeSeconds int    `json:"age_seconds"`
		} `json:"backup"`
	}
	json.Unmarshal([]byte(c.Get("/healthz").Body), &health)
	if health.Backup.Status != "ok" || health.Backup.AgeSeconds != 90*60 {
		t.Errorf("healthz backup: %+v", health.Backup)
	}
	s.Clock.Advance(2 * time.Hour)
	json.Unmarshal([]byte(c.Get("/healthz").Body), &health)
	if health.Backup.Status != "overdue" {
		t.Errorf("healthz 3.5 hours after the backup: %q, want overdue", health.Backup.Status)
	}
	if body := c.Get("/admin/system").Body; !strings.Contains(body, "No backup has been taken for more than twice the schedule") {
		t.Error("the page does not warn of the overdue backup")
	}
}

// TestAdminSystemInBrowser takes the page in English and Japanese at laptop and phone widths.
func TestAdminSystemInBrowser(t *testing.T) {
	s, _ := systemServer(t)
	b := testkit.Browser(t)
	s.SignIn(t, b, "root@example.com")
	for _, lang := range []string{"en", "ja"} {
		if lang == "ja" {
			if err := chromedp.Do(b,
				chromedp.Click(chromedp.CSS(`.lang-switch button[value="ja"]`)),
				chromedp.WaitVisible(chromedp.CSS(`html[lang="ja"] #system-backups`)),
			); err != nil {
				t.Fatal(err)
			}
		}
		for _, w := range []int64{1366, 390} {
			var h1 string
			var overflow bool
			err := chromedp.Do(b,
				chromedp.EmulateViewport(w, 900),
				chromedp.Navigate(s.URL+"/admin/system"),
				chromedp.WaitVisible(chromedp.CSS(`#system-config`)),
				testkit.Into(chromedp.Text(chromedp.CSS(`h1`)), &h1),
				testkit.Eval(`document.documentElement.scrollWidth > window.innerWidth + 1`, &overflow),
			)
			if err != nil {
				t.Fatal(err)
			}
			if want := map[string]string{"en": "System", "ja": "システム"}[lang]; h1 != want {
				t.Errorf("%s heading %q, want %q", lang, h1, want)
			}
			if overflow {
				t.Errorf("%s at %d px: the page scrolls sideways", lang, w)
			}
			testkit.Screenshot(t, b, fmt.Sprintf("admin-system-%s-%d", lang, w))
		}
	}
	chromedp.Do(b, chromedp.EmulateViewport(1366, 900))
}
