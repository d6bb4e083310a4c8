package handlers_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"leaddesk/db"
	"leaddesk/internal/testkit"
)

// Issue 15's browser tests: phones and the keyboard. Screenshots of the list, the details page, the
// filter panel and a dialog at 390 and 1366 px in both languages go to $LEADDESK_SCREENSHOTS.

// overflowJS names what sticks out of the viewport sideways ("" when nothing does): the page's
// scroll width against its width, and the first element wider than the screen.
const overflowJS = `(function () {
	var w = document.documentElement.clientWidth;
	if (document.documentElement.scrollWidth <= w) { return ""; }
	var bad = [...document.querySelectorAll("body *")].find(function (el) {
		var r = el.getBoundingClientRect();
		return r.width > 0 && r.right > w + 1 && getComputedStyle(el).position !== "fixed";
	});
	return "page is " + document.documentElement.scrollWidth + " px wide at " + w + " px: " +
		(bad ? bad.tagName + "." + bad.className + " " + bad.textContent.trim().slice(0, 40) : "?");
})()`

// setLang switches the signed-in browser's language through the top bar's switch.
func setLang(t *testing.T, ctx context.Context, s *testkit.Server, lang string) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/settings"),
		chromedp.WaitVisible(chromedp.CSS(`.lang-switch button[value="`+lang+`"]`)),
		chromedp.Click(chromedp.CSS(`.lang-switch button[value="`+lang+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="`+lang+`"] .topbar`)),
	)
	if err != nil {
		t.Fatalf("switch to %s: %v", lang, err)
	}
}

// TestBrowserMobileNoOverflow: at 390 px (and 360 and 430) the list and the details page fit the
// screen — no sideways scrolling — in English and Japanese, the list's rows are cards with status and
// due time visible, and the navigation sits behind the top bar's menu button.
func TestBrowserMobileNoOverflow(t *testing.T) {
	s := testkit.NewServer(t)
	browserFixture(t, s)
	s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals, db.RoleAccount)
	ctx := testkit.Browser(t)
	s.SignIn(t, ctx, "aiko@example.com")
	contoso := leadIDByCompany(t, s, "Contoso KK")

	for _, lang := range []string{"en", "ja"} {
		setLang(t, ctx, s, lang)
		for _, w := range []int64{360, 390, 430, 820, 1366} {
			for _, page := range []struct{ name, path, ready string }{
				{"list", "/leads?tab=marketplace", `#results tbody tr`},
				{"details", fmt.Sprintf("/leads/%d", contoso), `.lead-actions`},
			} {
				var over string
				var navShown bool
				err := chromedp.Do(ctx,
					chromedp.EmulateViewport(w, 844),
					chromedp.Navigate(s.URL+page.path),
					chromedp.WaitVisible(chromedp.CSS(page.ready)),
					testkit.HTMXIdle(),
					testkit.Eval(overflowJS, &over),
					testkit.Eval(`(function () { var n = document.getElementById("sidenav"); return n.getBoundingClientRect().width > 0 && getComputedStyle(n).display !== "none"; })()`, &navShown),
				)
				if err != nil {
					t.Fatalf("%s %s at %d px: %v", lang, page.name, w, err)
				}
				if w <= 430 && over != "" {
					t.Errorf("%s %s at %d px: %s", lang, page.name, w, over)
				}
				if w <= 430 && navShown {
					t.Errorf("%s %s at %d px: the navigation rail is shown; want it behind the menu button", lang, page.name, w)
				}
				if w == 390 || w == 1366 || w == 820 {
					testkit.Screenshot(t, ctx, fmt.Sprintf("mobile-%s-%s-%d", page.name, lang, w))
					screen(t, ctx, fmt.Sprintf("screen-%s-%s-%d", page.name, lang, w))
				}
			}
		}
	}
}

// leadIDByCompany finds a fixture lead's id.
func leadIDByCompany(t *testing.T, s *testkit.Server, company string) int64 {
	t.Helper()
	var id int64
	if err := s.DB.QueryRowContext(context.Background(), `SELECT id FROM leads WHERE customer_company = ?`, company).Scan(&id); err != nil {
		t.Fatalf("lead %s: %v", company, err)
	}
	return id
}

// screen saves what the screen shows (the viewport, not the full page) as NAME.png beside
// testkit.Screenshot's full-page shots, when $LEADDESK_SCREENSHOTS is set.
func screen(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("LEADDESK_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}
