package handlers_test

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"leaddesk/db"
	"leaddesk/internal/testkit"
	"leaddesk/lead"
)

// mailChoices reads the two scheduled-mail checkboxes of the Settings page: name → ticked.
func mailChoices(t *testing.T, body string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, name := range []string{"weekly_summary", "today"} {
		m := regexp.MustCompile(`<input type="checkbox" name="` + name + `"[^>]*>`).FindString(body)
		if m == "" {
			t.Fatalf("no %s checkbox on the Settings page:\n%s", name, body)
		}
		out[name] = strings.Contains(m, " checked")
	}
	return out
}

// TestSettingsScheduledMailChoices: the weekly summary is ticked by default for a Referrals admin
// and not for others, the morning mail for nobody; what a user saves is what the jobs then send — a
// Referrals admin who unticks the summary gets none on Monday, and gets the morning mail they ticked.
func TestSettingsScheduledMailChoices(t *testing.T) {
	s := testkit.NewServer(t)
	ctx := context.Background()
	admin := s.CreateUser("admin@example.com", "Sam Admin", db.RoleReferrals)
	s.CreateUser("reader@example.com", "Rita Reader", db.RoleProfile)

	c := s.Client()
	c.Login("admin@example.com")
	if got := mailChoices(t, c.Get("/settings").Body); !got["weekly_summary"] || got["today"] {
		t.Errorf("Referrals admin's defaults %v, want the weekly summary on and the morning mail off", got)
	}
	rc := s.Client()
	rc.Login("reader@example.com")
	if got := mailChoices(t, rc.Get("/settings").Body); got["weekly_summary"] || got["today"] {
		t.Errorf("Business profile admin's defaults %v, want both off", got)
	}

	res := c.PostForm("/settings/mails", url.Values{"today": {"1"}}) // the summary unticked
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/settings#scheduled-mails" {
		t.Fatalf("save: status %d, Location %q", res.StatusCode, res.Header.Get("Location"))
	}
	page := c.Get("/settings").Body
	if got := mailChoices(t, page); got["weekly_summary"] || !got["today"] {
		t.Errorf("after saving: %v, want the summary off and the morning mail on", got)
	}
	if !strings.Contains(page, "Your mail choices are saved.") {
		t.Error("no confirmation after saving")
	}
	if res := c.PostRaw("/settings/mails", url.Values{"today": {"1"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("without the CSRF token: status %d, want 403", res.StatusCode)
	}

	// A lead the admin owns with a next step due on Monday 7 December (Tokyo) and last week's leads.
	l := addLead(t, s, lead.Lead{CustomerCompany: "Fabrikam", CreatedAt: time.Date(2026, 12, 2, 10, 0, 0, 0, s.Cfg.Location), OwnerID: admin.ID})
	err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		return db.AddActivityTx(ctx, tx, &db.Activity{LeadID: l.ID, UserID: admin.ID, Kind: "call", At: l.CreatedAt,
			NextStep: "Send the quote", NextDue: "2026-12-07"}, l.CreatedAt)
	})
	if err != nil {
		t.Fatal(err)
	}
	monday := time.Date(2026, 12, 7, 7, 0, 0, 0, s.Cfg.Location)
	if n, err := s.Notify.QueueWeeklySummaries(ctx, s.DB, monday); err != nil || n != 0 {
		t.Errorf("weekly summaries queued: %d, %v; want none (the admin switched it off, the reader never had it)", n, err)
	}
	if n, err := s.Notify.QueueTodayMails(ctx, s.DB, monday); err != nil || n != 1 {
		t.Errorf("morning mails queued: %d, %v; want the admin's", n, err)
	}
	smtp := testkit.StartSMTP(t)
	s.Clock.Set(monday)
	s.DeliverMail(smtp)
	all := smtp.All()
	if len(all) != 1 || all[0].To[0] != "admin@example.com" || !strings.Contains(all[0].Text, "Send the quote") {
		t.Fatalf("mails %+v, want one morning mail to admin@ with the step", all)
	}
	// Admin › Mail names the kind in the outbox list.
	s.CreateUser("acct@example.com", "Ann Account", db.RoleAccount)
	ac := s.Client()
	ac.Login("acct@example.com")
	if body := ac.Get("/admin/mail").Body; !strings.Contains(body, "Morning “today” mail") {
		t.Errorf("Admin › Mail does not name the morning mail:\n%s", body)
	}
}

// TestSettingsScheduledMailsInJapanese: the card reads in Japanese for a Japanese user.
func TestSettingsScheduledMailsInJapanese(t *testing.T) {
	s := testkit.NewServer(t)
	u := s.CreateUser("aiko@example.com", "田中 愛子", db.RoleReferrals)
	if err := s.DB.SetUserLang(context.Background(), u.ID, "ja"); err != nil {
		t.Fatal(err)
	}
	c := s.Client()
	c.Login("aiko@example.com")
	body := c.Get("/settings").Body
	for _, want := range []string{"定期メール", "週次サマリー", "朝の「今日の予定」メール", "メールの設定を保存"} {
		if !strings.Contains(body, want) {
			t.Errorf("the Japanese Settings page lacks %q", want)
		}
	}
}
