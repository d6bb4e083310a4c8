package handlers_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

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

// setLang switches the signed-in browser's language through the top bar's switch. The switch posts a
// form; in the language already shown there is nothing to switch (and no page to wait for: a wait
// that the current page already satisfies would let the next navigation abort the post).
func setLang(t *testing.T, ctx context.Context, s *testkit.Server, lang string) {
	t.Helper()
	var shown string
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/settings"),
		chromedp.WaitVisible(chromedp.CSS(`.lang-switch button[value="`+lang+`"]`)),
		testkit.Eval(`document.documentElement.lang`, &shown),
	)
	if err == nil && shown != lang {
		err = chromedp.Do(ctx,
			chromedp.Click(chromedp.CSS(`.lang-switch button[value="`+lang+`"]`)),
			chromedp.WaitVisible(chromedp.CSS(`html[lang="`+lang+`"] .topbar`)),
		)
	}
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
	contoso := leadIDByCompany(t, s, "Contoso KK")

	for _, lang := range []string{"en", "ja"} {
		// A browser per language: each has its own time limit.
		ctx := testkit.Browser(t)
		s.SignIn(t, ctx, "aiko@example.com")
		setLang(t, ctx, s, lang)
		for _, w := range []int64{360, 390, 430, 820, 1366} {
			for _, page := range []struct{ name, path, ready string }{
				{"list", "/leads?tab=marketplace", `#results tbody tr`},
				{"details", fmt.Sprintf("/leads/%d", contoso), `.lead-actions`},
			} {
				var over string
				var navShown bool
				var titleHeight float64
				var broken string
				err := chromedp.Do(ctx,
					chromedp.EmulateViewport(w, 844),
					chromedp.Navigate(s.URL+page.path),
					chromedp.WaitVisible(chromedp.CSS(page.ready)),
					testkit.HTMXIdle(),
					testkit.Eval(overflowJS, &over),
					testkit.Eval(`(function () { var n = document.getElementById("sidenav"); return n.getBoundingClientRect().width > 0 && getComputedStyle(n).display !== "none"; })()`, &navShown),
					testkit.Eval(`document.querySelector("h1").getBoundingClientRect().height`, &titleHeight),
					// Short labels (status, badges, tabs, the flame's words) stay on one line.
					testkit.Eval(`[...document.querySelectorAll("main .label, main .badge, .tabs a, .ws-flame")].filter(e => { var cs = getComputedStyle(e); return e.getClientRects().length > 1 || e.clientHeight - parseFloat(cs.paddingTop) - parseFloat(cs.paddingBottom) > 2.5 * parseFloat(cs.fontSize); }).map(e => e.textContent.trim()).join(" | ")`, &broken),
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
				if broken != "" {
					t.Errorf("%s %s at %d px: labels broken over lines: %s", lang, page.name, w, broken)
				}
				if w <= 430 && titleHeight > 48 {
					t.Errorf("%s %s at %d px: the title is %.0f px tall; want one line", lang, page.name, w, titleHeight)
				}
				if w == 390 || w == 1366 || w == 820 {
					testkit.Screenshot(t, ctx, fmt.Sprintf("mobile-%s-%s-%d", page.name, lang, w))
					screen(t, ctx, fmt.Sprintf("screen-%s-%s-%d", page.name, lang, w))
				}
				if page.name == "details" && (w == 390 || w == 1366) {
					// The decline dialog fits the screen too.
					err := chromedp.Do(ctx,
						testkit.HTMXSettled(`#btn-decline`),
						chromedp.Click(chromedp.CSS(`#btn-decline`)),
						chromedp.WaitVisible(chromedp.CSS(`dialog[open] input[value="other"]`)),
						testkit.HTMXIdle(),
						testkit.Eval(overflowJS, &over),
					)
					if err != nil {
						t.Fatalf("%s decline dialog at %d px: %v", lang, w, err)
					}
					if over != "" {
						t.Errorf("%s decline dialog at %d px: %s", lang, w, over)
					}
					screen(t, ctx, fmt.Sprintf("screen-decline-dialog-%s-%d", lang, w))
				}
				if page.name == "list" && w == 390 {
					// The navigation opens from the top bar's menu button.
					err := chromedp.Do(ctx,
						chromedp.Click(chromedp.CSS(`.nav-toggle`)),
						chromedp.WaitVisible(chromedp.CSS(`#sidenav a[href="/insights"]`)),
					)
					if err != nil {
						t.Fatalf("%s menu at 390 px: %v", lang, err)
					}
					screen(t, ctx, fmt.Sprintf("screen-menu-%s-390", lang))
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

// activeJS describes the focused element: its id, else its tag and classes.
const activeJS = `(function () { var a = document.activeElement; return !a || a === document.body ? "body" : (a.id || a.tagName.toLowerCase() + "." + a.className); })()`

// TestBrowserFilterPanelCloses: the filter panel takes the focus when it opens and closes with
// Escape, its close button and a click outside it, each time giving the focus back to the Filters
// button; a quick-filter pill opens it at its group; "Show N leads" follows the filters. At 390 px
// the panel covers the screen (a sheet).
func TestBrowserFilterPanelCloses(t *testing.T) {
	s := testkit.NewServer(t)
	browserFixture(t, s)
	s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals)
	ctx := testkit.Browser(t)
	s.SignIn(t, ctx, "aiko@example.com")

	const open = `document.getElementById("filter-menu").open`
	openPanel := chromedp.Steps(
		testkit.HTMXSettled(`#filter-menu > summary`),
		chromedp.Click(chromedp.CSS(`#filter-menu > summary`)),
		chromedp.Poll[chromedp.Void](`document.activeElement.closest(".ws-filter-panel") !== null`, chromedp.WithPollingTimeout(5*time.Second)),
	)
	var isOpen bool
	var focus, show string
	check := func(how string) {
		t.Helper()
		if isOpen || focus != "" {
			t.Errorf("after %s: panel open %v, focus on %q; want it closed and the focus on the Filters button", how, isOpen, focus)
		}
	}
	onSummary := `document.activeElement === document.querySelector("#filter-menu > summary") ? "" : ` + activeJS
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/leads?tab=marketplace"),
		chromedp.WaitVisible(chromedp.CSS(`#results tbody tr`)),
		openPanel,
		chromedp.KeyEvent(kb.Escape),
		testkit.Eval(open, &isOpen),
		testkit.Eval(onSummary, &focus),
	)
	if err != nil {
		t.Fatal(err)
	}
	check("Escape")
	err = chromedp.Do(ctx,
		openPanel,
		chromedp.Click(chromedp.CSS(`.ws-filter-head [data-close-filters]`)),
		testkit.Eval(open, &isOpen),
		testkit.Eval(onSummary, &focus),
	)
	if err != nil {
		t.Fatal(err)
	}
	check("the close button")
	err = chromedp.Do(ctx,
		openPanel,
		chromedp.Click(chromedp.CSS(`h1`)),
		testkit.Eval(open, &isOpen),
		testkit.Eval(onSummary, &focus),
	)
	if err != nil {
		t.Fatal(err)
	}
	check("a click outside")

	// Checking a country filters at once; the footer counts what the view now shows.
	err = chromedp.Do(ctx,
		openPanel,
		testkit.HTMXRequestDone(chromedp.Click(chromedp.CSS(`input[name="country"][value="JP"]`))),
		testkit.Into(chromedp.Text(chromedp.CSS(`#filter-show`)), &show),
	)
	if err != nil {
		t.Fatal(err)
	}
	if show != "Show 17 leads" {
		t.Errorf("panel footer = %q, want Show 17 leads (the JP leads)", show)
	}
	testkit.Screenshot(t, ctx, "mobile-filter-panel-en-1366")
	var chip string
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`.ws-filter-foot [data-close-filters]`)),
		testkit.HTMXIdle(),
		testkit.Eval(open, &isOpen),
		testkit.Eval(onSummary, &focus),
		testkit.Into(chromedp.Text(chromedp.CSS(`#results .chip`)), &chip),
	)
	if err != nil {
		t.Fatal(err)
	}
	check(`"Show 17 leads"`)
	if chip != "Country/region: Japan" {
		t.Errorf("chip = %q, want it to read label: value", chip)
	}

	// A pill opens the panel at its group; Escape returns to the pill. At 390 px the panel is a sheet.
	var rect []float64
	err = chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844),
		chromedp.Click(chromedp.CSS(`.pill[data-open-filter="fs-country"]`)),
		chromedp.Poll[chromedp.Void](`document.activeElement.closest("#fs-country") !== null`, chromedp.WithPollingTimeout(5*time.Second)),
		testkit.Eval(`(function () { var r = document.querySelector(".ws-filter-panel").getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })()`, &rect),
	)
	if err != nil {
		t.Fatal(err)
	}
	if len(rect) != 4 || rect[0] != 0 || rect[1] != 0 || rect[2] != 390 || rect[3] != 844 {
		t.Errorf("panel at 390 px = %v (left, top, width, height), want the whole screen", rect)
	}
	screen(t, ctx, "screen-filter-panel-en-390")
	testkit.Screenshot(t, ctx, "mobile-filter-panel-en-390")
	err = chromedp.Do(ctx,
		chromedp.KeyEvent(kb.Escape),
		testkit.Eval(open, &isOpen),
		testkit.Eval(`document.activeElement.matches(".pill[data-open-filter=fs-country]") ? "" : `+activeJS, &focus),
	)
	if err != nil {
		t.Fatal(err)
	}
	check("Escape from a pill")

	setLang(t, ctx, s, "ja")
	for _, w := range []int64{390, 1366} {
		err = chromedp.Do(ctx,
			chromedp.EmulateViewport(w, 844),
			chromedp.Navigate(s.URL+"/leads?tab=marketplace"),
			chromedp.WaitVisible(chromedp.CSS(`#results tbody tr`)),
			openPanel,
			testkit.Into(chromedp.Text(chromedp.CSS(`#filter-show`)), &show),
		)
		if err != nil {
			t.Fatal(err)
		}
		if show != "67 件を表示" {
			t.Errorf("Japanese footer = %q", show)
		}
		screen(t, ctx, fmt.Sprintf("screen-filter-panel-ja-%d", w))
		testkit.Screenshot(t, ctx, fmt.Sprintf("mobile-filter-panel-ja-%d", w))
	}
}

// TestBrowserFocusAfterSwaps: the heart, a sort header and an Action Center dismiss keep (or hand
// on) the focus after their htmx swap, paging puts it on the results' caption, now on screen, and a
// decline puts it on the success banner; the heart's change is announced.
func TestBrowserFocusAfterSwaps(t *testing.T) {
	s := testkit.NewServer(t)
	browserFixture(t, s)
	s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals)
	ctx := testkit.Browser(t)
	s.SignIn(t, ctx, "aiko@example.com")

	var heartFocus bool
	var live, sortFocus, pageFocus string
	var captionTop float64
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/leads?tab=marketplace&per_page=25"),
		testkit.HTMXSettled(`#results tbody tr:first-child .heart-btn`),
		testkit.HTMXRequestDone(chromedp.Click(chromedp.CSS(`#results tbody tr:first-child .heart-btn`))),
		chromedp.WaitVisible(chromedp.CSS(`#results tbody tr:first-child .heart-btn[aria-pressed="true"]`)),
		testkit.Eval(`document.activeElement === document.querySelector("#results tbody tr:first-child .heart-btn")`, &heartFocus),
		testkit.Eval(`document.getElementById("live").textContent`, &live),
		testkit.HTMXRequestDone(chromedp.Click(chromedp.CSS(`#sort-customer`))),
		chromedp.WaitVisible(chromedp.CSS(`th[aria-sort="ascending"] #sort-customer`)),
		testkit.Eval(activeJS, &sortFocus),
		chromedp.ScrollIntoView(chromedp.CSS(`.pager a[aria-label="Next page"]`)),
		testkit.HTMXRequestDone(chromedp.Click(chromedp.CSS(`.pager a[aria-label="Next page"]`))),
		testkit.Eval(activeJS, &pageFocus),
		testkit.Eval(`document.getElementById("results-caption").getBoundingClientRect().top`, &captionTop),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !heartFocus {
		t.Error("after the heart: the focus left the heart")
	}
	if !strings.Contains(live, "Added to favorites") {
		t.Errorf("live region after the heart = %q", live)
	}
	if sortFocus != "sort-customer" {
		t.Errorf("after sorting: focus on %q, want the sort header", sortFocus)
	}
	if pageFocus != "results-caption" || captionTop < 0 || captionTop > 400 {
		t.Errorf("after paging: focus on %q, caption at %.0f px; want the caption, on screen", pageFocus, captionTop)
	}

	// Decline: the focus moves to the success banner.
	var done string
	err = chromedp.Do(ctx,
		chromedp.Navigate(fmt.Sprintf("%s/leads/%d", s.URL, leadIDByCompany(t, s, "Contoso KK"))),
		testkit.HTMXSettled(`#btn-decline`),
		chromedp.Click(chromedp.CSS(`#btn-decline`)),
		chromedp.WaitVisible(chromedp.CSS(`dialog[open] input[name="reason"][value="budget"]`)),
		chromedp.Click(chromedp.CSS(`dialog input[name="reason"][value="budget"]`)),
		chromedp.Click(chromedp.CSS(`dialog button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#done-banner`)),
		testkit.HTMXIdle(),
		chromedp.Poll[chromedp.Void](`document.activeElement.id === "done-banner"`, chromedp.WithPollingTimeout(5*time.Second)),
		testkit.Into(chromedp.Text(chromedp.CSS(`#done-banner`)), &done),
	)
	if err != nil {
		t.Fatalf("decline, then focus on the banner: %v", err)
	}
	if done == "" {
		t.Error("empty success banner")
	}
}

// TestBrowserFocusAfterDismiss: dismissing an Action Center row hands the focus to the next row's
// dismiss button, and after the last row to the panel's close button.
func TestBrowserFocusAfterDismiss(t *testing.T) {
	s := testkit.NewServer(t)
	s.CreateUser("ren@example.com", "Ren Ito", db.RoleReferrals)
	actionCenterSeed(t, s, 1, 1)
	ctx := testkit.Browser(t)
	s.SignIn(t, ctx, "ren@example.com")
	dismiss := `#notify-panel .notify-item form[action$="/dismiss"] button`
	var rows []string
	var focusedRow string
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/leads"),
		testkit.HTMXSettled(`.notify-bell`),
		chromedp.Click(chromedp.CSS(`.notify-bell`)),
		chromedp.WaitVisible(chromedp.CSS(dismiss)),
		testkit.HTMXIdle(),
		testkit.Eval(acPanelRows, &rows),
		chromedp.Focus(chromedp.CSS(dismiss)),
		testkit.HTMXRequestDone(chromedp.KeyEvent(kb.Enter)),
		testkit.Eval(`(document.activeElement.closest(".notify-item") || {}).id || `+activeJS, &focusedRow),
	)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 2 {
		t.Fatalf("panel rows = %v, want at least two", rows)
	}
	next := "ac-" + strings.Split(rows[1], ":")[0]
	if focusedRow != next {
		t.Errorf("after dismissing the first row: focus in %q, want the next row %s", focusedRow, next)
	}
}

// TestBrowserBulkBarOnlyWithSelection: the bulk actions appear only once a lead is selected and
// say how many; "select all on this page" selects the page and offers every matching lead, which
// a click adds to the favourites.
func TestBrowserBulkBarOnlyWithSelection(t *testing.T) {
	s := testkit.NewServer(t)
	browserFixture(t, s)
	s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals)
	ctx := testkit.Browser(t)
	s.SignIn(t, ctx, "aiko@example.com")
	visible := `(function () { var b = document.getElementById("bulk"); return !!b && b.getBoundingClientRect().height > 0; })()`
	var before, after, cleared bool
	var one, page, favs string
	var checked, boxes int
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/leads?tab=marketplace&per_page=25"),
		testkit.HTMXSettled(`#results input[name="ids"]`),
		testkit.Eval(visible, &before),
		chromedp.Click(chromedp.CSS(`#results tbody tr:first-child input[name="ids"]`)),
		testkit.Eval(visible, &after),
		testkit.Into(chromedp.Text(chromedp.CSS(`#bulk-count`)), &one),
		chromedp.Click(chromedp.CSS(`#select-all`)),
		testkit.Eval(`document.querySelectorAll('#results input[name="ids"]:checked').length`, &checked),
		testkit.Eval(`document.querySelectorAll('#results input[name="ids"]').length`, &boxes),
		testkit.Into(chromedp.Text(chromedp.CSS(`#bulk-count`)), &page),
		chromedp.WaitVisible(chromedp.CSS(`#bulk-favorite-all`)),
		chromedp.Click(chromedp.CSS(`[data-clear-selection]`)),
		testkit.Eval(visible, &cleared),
	)
	if err != nil {
		t.Fatal(err)
	}
	if before || !after || cleared {
		t.Errorf("bulk bar shown: before selecting %v, with one lead %v, after clearing %v; want only with a selection", before, after, cleared)
	}
	if one != "1 lead selected" || checked != boxes || page != fmt.Sprintf("%d leads selected", boxes) {
		t.Errorf("counts: %q, then %d of %d boxes checked and %q", one, checked, boxes, page)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#select-all`)),
		chromedp.Click(chromedp.CSS(`#bulk-favorite-all`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash.banner-success`)),
		testkit.Into(chromedp.Text(chromedp.CSS(`#count-favorites`)), &favs),
	)
	if err != nil {
		t.Fatal(err)
	}
	if favs != "67" {
		t.Errorf("favourites after adding all matching = %s, want the 67 marketplace leads", favs)
	}
}

// TestBrowserShortcuts: j/k move between rows, x selects, f hearts, Enter opens, / searches, a
// opens the accept dialog on the details page, ? shows the list, g i goes to Insights; typed into
// the search box, the same letters are only text.
func TestBrowserShortcuts(t *testing.T) {
	s := testkit.NewServer(t)
	browserFixture(t, s)
	s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals)
	ctx := testkit.Browser(t)
	s.SignIn(t, ctx, "aiko@example.com")
	var afterJ, afterJJK, search, q, loc, dialogTitle string
	var selected, hearted bool
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/leads?tab=marketplace&per_page=25"),
		testkit.HTMXSettled(`#results tbody tr:first-child .heart-btn`),
		chromedp.KeyEvent("j"),
		testkit.Eval(`document.activeElement.textContent`, &afterJ),
		chromedp.KeyEvent("j"),
		chromedp.KeyEvent("j"),
		chromedp.KeyEvent("k"),
		testkit.Eval(`document.activeElement.textContent`, &afterJJK),
		chromedp.KeyEvent("x"),
		testkit.Eval(`document.querySelector("#results tbody tr:nth-child(2) input[name=ids]").checked`, &selected),
		testkit.HTMXRequestDone(chromedp.KeyEvent("f")),
		testkit.Eval(`document.querySelector("#results tbody tr:nth-child(2) .heart-btn").getAttribute("aria-pressed") === "true"`, &hearted),
		// CDP sends a typed character as an event of its own, which a page cannot cancel the way a real
		// keydown's preventDefault cancels it; so "/" is dispatched as the keydown alone.
		chromedp.Evaluate[chromedp.Void](`document.activeElement.dispatchEvent(new KeyboardEvent("keydown", {key: "/", bubbles: true, cancelable: true}))`),
		testkit.Eval(activeJS, &search),
		chromedp.KeyEvent("jx"),
		testkit.Eval(`document.getElementById("q").value`, &q),
	)
	if err != nil {
		t.Fatal(err)
	}
	if afterJ != "Contoso KK" || afterJJK != "Fabrikam GmbH" {
		t.Errorf("j → %q, j j k → %q; want the first, then the second row", afterJ, afterJJK)
	}
	if !selected || !hearted {
		t.Errorf("x selected the row: %v; f hearted it: %v", selected, hearted)
	}
	if search != "q" || q != "jx" {
		t.Errorf("/ focused %q; typing there gave %q (want the letters as text)", search, q)
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/leads?tab=marketplace&per_page=25"),
		testkit.HTMXSettled(`#results tbody tr:first-child .heart-btn`),
		chromedp.KeyEvent("j"),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(`#btn-accept`)),
		testkit.HTMXSettled(`#btn-accept`),
		testkit.Into(chromedp.Location(), &loc),
		chromedp.KeyEvent("a"),
		chromedp.WaitVisible(chromedp.CSS(`dialog[open] #f-deal_name`)),
	)
	if err != nil {
		t.Fatalf("Enter, then a: %v", err)
	}
	if !strings.Contains(loc, fmt.Sprintf("/leads/%d", leadIDByCompany(t, s, "Contoso KK"))) {
		t.Errorf("Enter opened %s", loc)
	}
	err = chromedp.Do(ctx,
		chromedp.KeyEvent(kb.Escape),
		chromedp.WaitNotPresent(chromedp.CSS(`dialog[open]`)),
		chromedp.KeyEvent("?"),
		chromedp.WaitVisible(chromedp.CSS(`#shortcuts[open]`)),
		testkit.Into(chromedp.Text(chromedp.CSS(`#shortcuts-title`)), &dialogTitle),
	)
	if err != nil {
		t.Fatalf("?: %v", err)
	}
	if dialogTitle != "Keyboard shortcuts" {
		t.Errorf("? opened %q", dialogTitle)
	}
	testkit.Screenshot(t, ctx, "mobile-shortcuts-en-1366")
	err = chromedp.Do(ctx,
		chromedp.KeyEvent(kb.Escape),
		chromedp.WaitNotPresent(chromedp.CSS(`#shortcuts[open]`)),
		chromedp.KeyEvent("g"),
		chromedp.KeyEvent("i"),
		chromedp.WaitVisible(chromedp.CSS(`.sidenav a[href="/insights"][aria-current="page"]`)),
	)
	if err != nil {
		t.Fatalf("g i: %v", err)
	}
}
