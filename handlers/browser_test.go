package handlers_test

import (
	"strings"
	"testing"

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
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/leads"),
		chromedp.WaitVisible(chromedp.CSS(`.tabs`)),
		chromedp.Evaluate[chromedp.Void](`window.__noReload = true`),
		chromedp.Click(chromedp.CSS(`.tabs a[href="/leads?tab=qualified"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.tabs a[href="/leads?tab=qualified"][aria-current="page"]`)),
		testkit.Eval(`window.__noReload === true`, &marker),
		testkit.Into(chromedp.Location(), &url),
		testkit.Into(chromedp.Text(chromedp.CSS(`.tabs a[aria-current="page"]`)), &selected),
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

	err = chromedp.Do(ctx,
		chromedp.NavigateBack(),
		chromedp.WaitVisible(chromedp.CSS(`.tabs a[href="/leads?tab=marketplace"][aria-current="page"], .tabs a[href="/leads"][aria-current="page"]`)),
		testkit.HTMXIdle(),
		testkit.Into(chromedp.Location(), &url),
	)
	if err != nil {
		t.Fatalf("back: %v", err)
	}
	if !strings.HasSuffix(url, "/leads") {
		t.Errorf("URL after Back = %q", url)
	}
}
