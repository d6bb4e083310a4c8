package handlers_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"leaddesk/db"
	"leaddesk/internal/testkit"
)

// TestBrowserTabSwapsInPlace drives real Chromium: sign in, click a tab, and check htmx swapped the
// content without a page load, pushed the URL, and that Back restores the previous view.
func TestBrowserTabSwapsInPlace(t *testing.T) {
	s := testkit.NewServer(t)
	s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals, db.RoleAccount)
	ctx := testkit.Browser(t)
	s.SignIn(t, ctx, "aiko@example.com")

	var marker bool
	var url, selected string
	err := chromedp.Run(ctx,
		chromedp.Navigate(s.URL+"/leads"),
		chromedp.WaitVisible(`.tabs`, chromedp.ByQuery),
		chromedp.Evaluate(`window.__noReload = true`, nil),
		chromedp.Click(`.tabs a[href="/leads?tab=qualified"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`.tabs a[href="/leads?tab=qualified"][aria-selected="true"]`, chromedp.ByQuery),
		chromedp.Evaluate(`window.__noReload === true`, &marker),
		chromedp.Location(&url),
		chromedp.Text(`.tabs a[aria-selected="true"]`, &selected, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !marker {
		t.Error("clicking the tab reloaded the page instead of swapping in place")
	}
	if !strings.HasSuffix(url, "/leads?tab=qualified") {
		t.Errorf("URL after the swap = %q, want it pushed", url)
	}
	if !strings.Contains(selected, "Qualified leads") {
		t.Errorf("selected tab = %q", selected)
	}
	testkit.Screenshot(t, ctx, "foundation-leads")

	err = chromedp.Run(ctx,
		chromedp.NavigateBack(),
		chromedp.Sleep(200*time.Millisecond),
		chromedp.WaitVisible(`.tabs a[href="/leads?tab=marketplace"][aria-selected="true"], .tabs a[href="/leads"][aria-selected="true"]`, chromedp.ByQuery),
		chromedp.Location(&url),
	)
	if err != nil {
		t.Fatalf("back: %v", err)
	}
	if !strings.HasSuffix(url, "/leads") {
		t.Errorf("URL after Back = %q", url)
	}
}
