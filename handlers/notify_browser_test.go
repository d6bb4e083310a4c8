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
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/leads"),
		chromedp.WaitReady(chromedp.CSS(`#bell-count[data-count="0"]`)),
		chromedp.Evaluate[chromedp.Void](`window.__noReload = true`),
		testkit.Into(chromedp.Text(chromedp.CSS(`.notify-bell`)), &before),
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
	err = chromedp.Do(waitCtx,
		chromedp.WaitVisible(chromedp.CSS(`#bell-count[data-count="1"] .bell-count`)),
		testkit.Into(chromedp.Text(chromedp.CSS(`#bell-count .bell-count`)), &badge),
		testkit.Eval(`window.__noReload === true`, &marker),
	)
	if err != nil {
		t.Fatalf("the bell did not count the new lead: %v", err)
	}
	if badge != "1" || !marker { // one per lead, though a contact-me lead holds two items
		t.Errorf("badge = %q (reload: %v), want 1 without a reload", badge, !marker)
	}
	testkit.Screenshot(t, ctx, "notify-bell-count")

	var panelText string
	err = chromedp.Do(ctx,
		testkit.HTMXSettled(`.notify-bell`),
		chromedp.Click(chromedp.CSS(`.notify-bell`)),
		chromedp.WaitVisible(chromedp.CSS(`#notify-panel .panel`)),
		chromedp.WaitReady(chromedp.CSS(`#bell-count[data-count="0"]`)),
		testkit.Into(chromedp.Text(chromedp.CSS(`#notify-panel .panel`)), &panelText),
	)
	if err != nil {
		t.Fatalf("open the panel: %v", err)
	}
	if !strings.Contains(panelText, "Fabrikam Japan") || !strings.Contains(panelText, "Customer asked to be contacted") {
		t.Errorf("panel text = %q", panelText)
	}
	testkit.Screenshot(t, ctx, "notify-panel")

	var left int
	err = chromedp.Do(ctx,
		testkit.HTMXSettled(`#notify-panel .notify-item form button`),
		testkit.HTMXRequestDone(chromedp.Click(chromedp.CSS(`#notify-panel .notify-item form button`))),
		testkit.Eval(`document.querySelectorAll('#notify-panel .notify-item').length`, &left),
		chromedp.KeyEvent("\u001b"),
		chromedp.WaitNotPresent(chromedp.CSS(`#notify-panel .panel`)),
	)
	if err != nil {
		t.Fatalf("dismiss and close: %v", err)
	}
	if left != 0 { // the lead's one row goes, with both its reasons
		t.Errorf("%d rows left after dismissing the only lead", left)
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
	err = chromedp.Do(b,
		chromedp.Navigate(s.URL+"/admin/mail"),
		chromedp.WaitVisible(chromedp.CSS(`table.notify-mail`)),
		testkit.Into(chromedp.Text(chromedp.CSS(`table.notify-mail`)), &failedRow),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(failedRow, "550 5.1.1 No such user here") || !strings.Contains(failedRow, "Send again") {
		t.Errorf("admin mail table = %q", failedRow)
	}
	testkit.Screenshot(t, b, "notify-admin-mail")

	var msg string
	err = chromedp.Do(b,
		chromedp.Navigate(s.URL+"/settings/notifications"),
		chromedp.WaitVisible(chromedp.CSS(`#notify-email`)),
		chromedp.SendKeys(chromedp.CSS(`#notify-email`), "not an address"),
		chromedp.Submit(chromedp.CSS(`#notify-email`)),
		chromedp.WaitVisible(chromedp.CSS(`#notify-email-error`)),
		testkit.Into(chromedp.Text(chromedp.CSS(`#notify-email-error`)), &msg),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(msg, "Enter one address") {
		t.Errorf("field message = %q", msg)
	}
	testkit.Screenshot(t, b, "notify-prefs-error")
	err = chromedp.Do(b,
		chromedp.Click(chromedp.CSS(`.lang-switch button[value="ja"]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="ja"] #notify-email`)),
		testkit.Into(chromedp.Text(chromedp.CSS(`h1`)), &msg),
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
	err = chromedp.Do(b,
		chromedp.Navigate(s.URL+"/action-center"),
		chromedp.WaitVisible(chromedp.CSS(`.notify-page .notify-list`)),
		testkit.Into(chromedp.Text(chromedp.CSS(`.notify-page`)), &list),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(list, "顧客が連絡を希望") || !strings.Contains(list, "株式会社ミライ") {
		t.Errorf("Japanese Action Center = %q", list)
	}
	testkit.Screenshot(t, b, "notify-action-center-ja")
}
