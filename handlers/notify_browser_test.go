package handlers_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"leaddesk/db"
	"leaddesk/internal/testkit"
)

// TestBrowserBellCountsANewLead: the badge polls on its own, so a lead stored while the page is open
// shows up in the bell without a reload; clicking the bell opens the panel and clears the badge.
func TestBrowserBellCountsANewLead(t *testing.T) {
	s := testkit.NewServer(t)
	s.CreateUser("ren@example.com", "Ren Ito", db.RoleReferrals)
	ctx := testkit.Browser(t)
	s.SignIn(t, ctx, "ren@example.com")

	var before string
	err := chromedp.Run(ctx,
		chromedp.Navigate(s.URL+"/leads"),
		chromedp.WaitReady(`#bell-count[data-count="0"]`, chromedp.ByQuery),
		chromedp.Evaluate(`window.__noReload = true`, nil),
		chromedp.Text(`.notify-bell`, &before, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("bell before: %v", err)
	}
	if strings.Contains(before, "unread") {
		t.Errorf("bell shows unread items before any lead: %q", before)
	}

	notifyLead(t, s, "Fabrikam Japan", true)
	var badge string
	var marker bool
	waitCtx, cancel := context.WithTimeout(ctx, 25*time.Second) // the badge polls every 15 s
	defer cancel()
	err = chromedp.Run(waitCtx,
		chromedp.WaitVisible(`#bell-count[data-count="2"] .bell-count`, chromedp.ByQuery),
		chromedp.Text(`#bell-count .bell-count`, &badge, chromedp.ByQuery),
		chromedp.Evaluate(`window.__noReload === true`, &marker),
	)
	if err != nil {
		t.Fatalf("the bell did not count the new lead: %v", err)
	}
	if badge != "2" || !marker {
		t.Errorf("badge = %q (reload: %v), want 2 without a reload", badge, !marker)
	}
	testkit.Screenshot(t, ctx, "notify-bell-count")

	var panelText string
	err = chromedp.Run(ctx,
		testkit.HTMXSettled(`.notify-bell`),
		chromedp.Click(`.notify-bell`, chromedp.ByQuery),
		chromedp.WaitVisible(`#notify-panel .panel`, chromedp.ByQuery),
		chromedp.WaitReady(`#bell-count[data-count="0"]`, chromedp.ByQuery),
		chromedp.Text(`#notify-panel .panel`, &panelText, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("open the panel: %v", err)
	}
	if !strings.Contains(panelText, "Fabrikam Japan") || !strings.Contains(panelText, "Customer asked to be contacted") {
		t.Errorf("panel text = %q", panelText)
	}
	testkit.Screenshot(t, ctx, "notify-panel")

	var left int
	err = chromedp.Run(ctx,
		testkit.HTMXSettled(`#notify-panel .notify-item form button`),
		chromedp.Click(`#notify-panel .notify-item form button`, chromedp.ByQuery),
		chromedp.Sleep(300*time.Millisecond),
		chromedp.Evaluate(`document.querySelectorAll('#notify-panel .notify-item').length`, &left),
		chromedp.KeyEvent("\u001b"),
		chromedp.WaitNotPresent(`#notify-panel .panel`, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("dismiss and close: %v", err)
	}
	if left != 1 {
		t.Errorf("%d items left after dismissing one of two", left)
	}
}

// TestBrowserNotificationPages takes screenshots of the preferences (with field messages, in
// Japanese too) and the admin mail page, for people to look at.
func TestBrowserNotificationPages(t *testing.T) {
	s := testkit.NewServer(t)
	s.CreateUser("aya@example.com", "Aya Mori", db.RoleAccount, db.RoleReferrals)
	ctx := context.Background()
	err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		for i, to := range []string{"ren@example.com", "contact@contoso.example", "gone@example.com", "aiko@example.com"} {
			if _, err := db.EnqueueMailTx(ctx, tx, s.Clock.Now().Add(time.Duration(i)*time.Minute), db.OutboxMessage{Kind: []string{"new_lead", "digest", "invitation", "expiry_reminder"}[i], ToEmail: to, ToName: "Ren Ito"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s.DB.Exec(`UPDATE outbox SET status = 'failed', attempts = 1, last_error = 'rcpt to gone@example.com: 550 5.1.1 No such user here' WHERE to_email = 'gone@example.com'`)
	s.DB.Exec(`UPDATE outbox SET status = 'sent', attempts = 1, sent_at = next_attempt_at WHERE to_email = 'ren@example.com'`)
	s.DB.Exec(`UPDATE outbox SET attempts = 2, next_attempt_at = next_attempt_at + 180, last_error = 'connect to 127.0.0.1:1025: connection refused' WHERE to_email = 'aiko@example.com'`)

	b := testkit.Browser(t)
	s.SignIn(t, b, "aya@example.com")
	var failedRow string
	err = chromedp.Run(b,
		chromedp.Navigate(s.URL+"/admin/mail"),
		chromedp.WaitVisible(`table.notify-mail`, chromedp.ByQuery),
		chromedp.Text(`table.notify-mail`, &failedRow, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(failedRow, "550 5.1.1 No such user here") || !strings.Contains(failedRow, "Send again") {
		t.Errorf("admin mail table = %q", failedRow)
	}
	testkit.Screenshot(t, b, "notify-admin-mail")

	var msg string
	err = chromedp.Run(b,
		chromedp.Navigate(s.URL+"/settings/notifications"),
		chromedp.WaitVisible(`#notify-email`, chromedp.ByQuery),
		chromedp.SendKeys(`#notify-email`, "not an address", chromedp.ByQuery),
		chromedp.Submit(`#notify-email`, chromedp.ByQuery),
		chromedp.WaitVisible(`#notify-email-error`, chromedp.ByQuery),
		chromedp.Text(`#notify-email-error`, &msg, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(msg, "Enter one address") {
		t.Errorf("field message = %q", msg)
	}
	testkit.Screenshot(t, b, "notify-prefs-error")
	err = chromedp.Run(b,
		chromedp.Click(`.lang-switch button[value="ja"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`html[lang="ja"] #notify-email`, chromedp.ByQuery),
		chromedp.Text(`h1`, &msg, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if msg != "通知" {
		t.Errorf("Japanese heading = %q", msg)
	}
	testkit.Screenshot(t, b, "notify-prefs-ja")

	notifyLead(t, s, "株式会社ミライ", true)
	notifyLead(t, s, "Northwind Traders", false)
	var list string
	err = chromedp.Run(b,
		chromedp.Navigate(s.URL+"/action-center"),
		chromedp.WaitVisible(`.notify-page .notify-list`, chromedp.ByQuery),
		chromedp.Text(`.notify-page`, &list, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(list, "顧客が連絡を希望") || !strings.Contains(list, "株式会社ミライ") {
		t.Errorf("Japanese Action Center = %q", list)
	}
	testkit.Screenshot(t, b, "notify-action-center-ja")
}
