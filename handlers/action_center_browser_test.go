package handlers_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"leaddesk/db"
	"leaddesk/internal/testkit"
)

// acPanelRows lists the open panel's rows as "lead:reason", top to bottom.
const acPanelRows = `Array.from(document.querySelectorAll('#notify-panel .notify-item')).map(li => li.dataset.lead + ':' + li.dataset.reason)`

// TestBrowserActionCenterByUrgencyAndMarkAllRead opens the bell in real Chromium on 26 leads that
// hold 33 open items: the panel shows one row per lead in urgency order (expiring soonest first,
// asked for contact, new, expired) with its time ("5 h left"), twenty at first; "Mark all as read"
// brings the badge to 0 and "Load more" appends the rest, each lead still once. Screenshots of the
// open panel in English and Japanese at 1366 and 390 px go to $LEADDESK_SCREENSHOTS.
func TestBrowserActionCenterByUrgencyAndMarkAllRead(t *testing.T) {
	s := testkit.NewServer(t)
	s.CreateUser("ren@example.com", "Ren Ito", db.RoleReferrals)
	want := actionCenterSeed(t, s, 3, 20)
	wantRows := make([]string, len(want))
	for i, id := range want {
		reason := "new_lead"
		switch {
		case i < 2:
			reason = "expiring"
		case i < 5:
			reason = "requested_contact"
		case i == len(want)-1:
			reason = "expired"
		}
		wantRows[i] = fmt.Sprintf("%d:%s", id, reason)
	}
	var items int
	s.DB.QueryRow(`SELECT COUNT(*) FROM action_items WHERE done_at IS NULL`).Scan(&items)
	if items <= len(want) {
		t.Fatalf("the seed holds %d open items for %d leads; the test needs leads with several", items, len(want))
	}

	ctx := testkit.Browser(t)
	s.SignIn(t, ctx, "ren@example.com")
	var rows []string
	var firstWhen string
	var unreadBefore int
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/leads"),
		chromedp.WaitVisible(chromedp.CSS(`#bell-count[data-count="26"] .bell-count`)),
		testkit.HTMXSettled(`.notify-bell`),
		chromedp.Click(chromedp.CSS(`.notify-bell`)),
		chromedp.WaitVisible(chromedp.CSS(`#notify-panel .panel #notify-read-all`)),
		chromedp.WaitReady(chromedp.CSS(`#bell-count[data-count="6"]`)),
		testkit.HTMXIdle(),
		testkit.Eval(acPanelRows, &rows),
		testkit.Into(chromedp.Text(chromedp.CSS(`#notify-panel .notify-item .notify-rel`)), &firstWhen),
		testkit.Eval(`document.querySelectorAll('#notify-panel .notify-item.unread').length`, &unreadBefore),
	)
	if err != nil {
		t.Fatalf("open the bell: %v", err)
	}
	if strings.Join(rows, " ") != strings.Join(wantRows[:20], " ") {
		t.Errorf("panel rows\n got %v\nwant %v", rows, wantRows[:20])
	}
	if firstWhen != "5 h left" {
		t.Errorf("the most urgent row says %q, want 5 h left", firstWhen)
	}
	if unreadBefore != 20 {
		t.Errorf("%d rows marked unread on opening, want 20", unreadBefore)
	}
	testkit.Screenshot(t, ctx, "action-center-panel-en-1366")

	var unreadAfter int
	var badge string
	err = chromedp.Do(ctx,
		testkit.HTMXSettled(`#notify-read-all`),
		testkit.HTMXRequestDone(chromedp.Click(chromedp.CSS(`#notify-read-all`))),
		chromedp.WaitReady(chromedp.CSS(`#bell-count[data-count="0"]`)),
		testkit.Into(chromedp.Text(chromedp.CSS(`.notify-bell`)), &badge),
		testkit.Eval(`document.querySelectorAll('#notify-panel .notify-item.unread').length`, &unreadAfter),
		testkit.HTMXSettled(`#notify-load-more`),
		testkit.HTMXRequestDone(chromedp.Click(chromedp.CSS(`#notify-load-more`))),
		chromedp.WaitNotPresent(chromedp.CSS(`#notify-load-more`)),
		testkit.Eval(acPanelRows, &rows),
	)
	if err != nil {
		t.Fatalf("mark all read, load more: %v", err)
	}
	if unreadAfter != 0 || strings.Contains(badge, "unread") {
		t.Errorf("after Mark all as read: %d unread rows, bell %q", unreadAfter, badge)
	}
	if strings.Join(rows, " ") != strings.Join(wantRows, " ") {
		t.Errorf("all rows after Load more\n got %v\nwant %v", rows, wantRows)
	}

	err = chromedp.Do(ctx, chromedp.EmulateViewport(390, 844), chromedp.ScrollIntoView(chromedp.CSS(`#notify-panel .notify-item`)), testkit.HTMXIdle())
	if err != nil {
		t.Fatal(err)
	}
	testkit.Screenshot(t, ctx, "action-center-panel-en-390")

	// Japanese: the same panel, at both widths.
	var title, when string
	err = chromedp.Do(ctx,
		chromedp.EmulateViewport(1366, 900),
		chromedp.Navigate(s.URL+"/leads"),
		chromedp.WaitVisible(chromedp.CSS(`.lang-switch button[value="ja"]`)),
		chromedp.Click(chromedp.CSS(`.lang-switch button[value="ja"]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="ja"] .notify-bell`)),
	)
	if err != nil {
		t.Fatalf("switch to Japanese: %v", err)
	}
	for _, w := range []struct {
		width, height int64
		name          string
	}{{1366, 900, "action-center-panel-ja-1366"}, {390, 844, "action-center-panel-ja-390"}} {
		err = chromedp.Do(ctx,
			chromedp.EmulateViewport(w.width, w.height),
			chromedp.Navigate(s.URL+"/leads"),
			chromedp.WaitVisible(chromedp.CSS(`html[lang="ja"] .notify-bell`)),
			testkit.HTMXSettled(`.notify-bell`),
			chromedp.Click(chromedp.CSS(`.notify-bell`)),
			chromedp.WaitVisible(chromedp.CSS(`#notify-panel .panel #notify-read-all`)),
			testkit.HTMXIdle(),
			testkit.Into(chromedp.Text(chromedp.CSS(`#notify-panel-title`)), &title),
			testkit.Into(chromedp.Text(chromedp.CSS(`#notify-panel .notify-item .notify-rel`)), &when),
		)
		if err != nil {
			t.Fatalf("Japanese panel at %d px: %v", w.width, err)
		}
		if title != "アクション センター" || when != "残り 5 時間" {
			t.Errorf("Japanese panel: title %q, first row %q", title, when)
		}
		testkit.Screenshot(t, ctx, w.name)
	}
}
