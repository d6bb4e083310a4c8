package handlers_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"leaddesk/db"
	"leaddesk/internal/testkit"
	"leaddesk/lead"
)

// exportReady is true once htmx is idle and the Export button's href holds want.
func exportReady(want string) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](`!!window.htmx && !document.querySelector(".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added") &&
		(document.querySelector("#export").getAttribute("href") || "").includes(`+strconv.Quote(want)+`)`, chromedp.WithPollingTimeout(15*time.Second))
}

// onScreenTotal is the N of the pager's "1–25 of N".
var onScreenTotal = regexp.MustCompile(`of ([0-9,]+)$`)

// TestBrowserLeadsExportFollowsTheView: after filtering in place, searching and sorting, the Export
// button carries that view and its count, and the CSV it downloads (fetched with the browser's own
// session) has exactly as many rows as the total on screen; on an empty view the button is disabled.
func TestBrowserLeadsExportFollowsTheView(t *testing.T) {
	s := testkit.NewServer(t)
	browserFixture(t, s)
	s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals)
	ctx := testkit.Browser(t)
	s.SignIn(t, ctx, "aiko@example.com")

	var rng, label, href, body, crmHref string
	var marker bool
	err := doSteps(t, ctx,
		chromedp.Navigate(s.URL+"/leads?tab=marketplace"),
		chromedp.WaitVisible(chromedp.CSS(`#results table`)),
		chromedp.Evaluate[chromedp.Void](`window.__noReload = true`),
		// Filter in place: country Japan.
		chromedp.Click(chromedp.CSS(`.ws-filter-menu summary`)),
		testkit.HTMXSettled(`input[name="country"][value="JP"]`),
		chromedp.Click(chromedp.CSS(`input[name="country"][value="JP"]`)),
		exportReady("country=JP"),
		chromedp.Click(chromedp.CSS(`.ws-filter-menu summary`)),
		// Search.
		chromedp.SendKeys(chromedp.CSS(`#q`), "tailspin"),
		exportReady("q=tailspin"),
		// Sort by customer through the header.
		testkit.HTMXSettled(`th[aria-sort] a[href*="sort=customer"]`),
		chromedp.Click(chromedp.CSS(`th[aria-sort] a[href*="sort=customer"]`)),
		chromedp.WaitVisible(chromedp.CSS(`th[aria-sort="ascending"]`)),
		exportReady("sort=customer"),
		testkit.Into(chromedp.Text(chromedp.CSS(`.pager > span:first-child`)), &rng),
		testkit.Into(chromedp.Text(chromedp.CSS(`#export`)), &label),
		testkit.Eval(`document.querySelector("#export").getAttribute("href")`, &href),
		testkit.Eval(`document.querySelector("#export-crm").getAttribute("href")`, &crmHref),
		testkit.Into(chromedp.Evaluate[string](`fetch(document.querySelector("#export").href, {credentials: "same-origin"}).then(r => r.text())`,
			chromedp.EvalAwaitPromise), &body),
		testkit.Eval(`window.__noReload === true`, &marker),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !marker {
		t.Error("filtering, searching or sorting reloaded the page")
	}
	m := onScreenTotal.FindStringSubmatch(strings.TrimSpace(rng))
	if m == nil {
		t.Fatalf("no total on screen in %q", rng)
	}
	total, _ := strconv.Atoi(strings.ReplaceAll(m[1], ",", ""))
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatalf("export is not CSV: %v\n%s", err, body)
	}
	if total == 0 || len(rows)-1 != total {
		t.Errorf("%d leads on screen (%q), %d rows in the export of %s", total, rng, len(rows)-1, href)
	}
	if strings.TrimSpace(label) != fmt.Sprintf("Export %d", total) {
		t.Errorf("export button says %q, %d on screen", label, total)
	}
	for _, want := range []string{"country=JP", "q=tailspin", "sort=customer", "dir=asc", "tab=marketplace"} {
		if !strings.Contains(href, want) || !strings.Contains(crmHref, want) {
			t.Errorf("export links %s / %s lack %s", href, crmHref, want)
		}
	}
	if !strings.Contains(crmHref, "format=crm") {
		t.Errorf("CRM export link: %s", crmHref)
	}

	// A search that finds nothing: the button is disabled, not a link.
	var disabled, hasHref bool
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#q`), "zzz"),
		chromedp.WaitVisible(chromedp.CSS(`#results .empty`)),
		testkit.HTMXIdle(),
		testkit.Eval(`document.querySelector("#export").getAttribute("aria-disabled") === "true"`, &disabled),
		testkit.Eval(`document.querySelector("#export").hasAttribute("href")`, &hasHref),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !disabled || hasHref {
		t.Errorf("empty view: aria-disabled %v, href %v", disabled, hasHref)
	}
}

// TestBrowserLeadsTriageScreenshots takes the list's new parts for people to look at, in English and
// Japanese at 1366 and 390 px: the Qualified tab with its Classification column, the export control
// with its count and menu, the control disabled on an empty view, and due cells in warning and danger.
func TestBrowserLeadsTriageScreenshots(t *testing.T) {
	s := testkit.NewServer(t)
	browserFixture(t, s)
	now := s.Clock.Now()
	at := func(d time.Duration) *time.Time { v := now.Add(d); return &v }
	addLead(t, s, lead.Lead{Tab: "qualified", Classification: "marketing_qualified", CustomerCompany: "Proseware Inc.", Country: "US", CreatedAt: now.Add(-3 * time.Hour)})
	addLead(t, s, lead.Lead{CustomerCompany: "Coho Winery", ContactFirstName: "Mia", ContactLastName: "Cho", Country: "JP", CTA: "contact_me",
		CustomerRequestedContact: true, CreatedAt: now.Add(-13 * 24 * time.Hour), ExpiresAt: at(7 * time.Hour)})
	addLead(t, s, lead.Lead{CustomerCompany: "Blue Yonder Airlines", ContactFirstName: "Kai", ContactLastName: "Mori", Country: "JP", CTA: "contact_me",
		CreatedAt: now.Add(-12*24*time.Hour - 18*time.Hour), ExpiresAt: at(30 * time.Hour)})
	addLead(t, s, lead.Lead{CustomerCompany: "Lucerne Publishing", ContactFirstName: "Ida", ContactLastName: "Berg", Country: "DE", CTA: "contact_me",
		CreatedAt: now.Add(-3 * 24 * time.Hour), ExpiresAt: at(11 * 24 * time.Hour)})
	for _, name := range []string{"Tokyo HQ", "Osaka office"} {
		if _, err := s.DB.ExecContext(t.Context(), `INSERT INTO locations (name, created_at, updated_at) VALUES (?, 0, 0)`, name); err != nil {
			t.Fatal(err)
		}
	}
	s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals)
	ctx := testkit.Browser(t)
	s.SignIn(t, ctx, "aiko@example.com")

	shoot := func(lang string) {
		for _, w := range []int64{1366, 390} {
			views := []struct{ name, url, wait string }{
				{"qualified", "/leads?tab=qualified", `#results table`},
				{"filters", "/leads?tab=qualified&classification=sales_qualified", `#results .chip`},
				{"due", "/leads?tab=marketplace&cta=contact_me&cta=free_trial&status=received&sort=expiry&dir=asc", `#results .ws-due-danger`},
				{"empty", "/leads?tab=marketplace&q=zzz", `#results .empty`},
			}
			for _, v := range views {
				err := chromedp.Do(ctx,
					chromedp.EmulateViewport(w, 900),
					chromedp.Navigate(s.URL+v.url),
					chromedp.WaitVisible(chromedp.CSS(`html[lang="`+lang+`"] `+v.wait)),
				)
				if err != nil {
					t.Fatal(err)
				}
				if v.name == "due" {
					// The export menu open, over the list.
					if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`.ws-export-menu summary`)), chromedp.WaitVisible(chromedp.CSS(`#export-crm`))); err != nil {
						t.Fatal(err)
					}
				}
				if v.name == "filters" {
					if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`.ws-filter-menu summary`)), chromedp.WaitVisible(chromedp.CSS(`input[name="location"]`))); err != nil {
						t.Fatal(err)
					}
				}
				testkit.Screenshot(t, ctx, fmt.Sprintf("leads-triage-%s-%s-%d", v.name, lang, w))
			}
		}
	}
	shoot("en")
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(1366, 900),
		chromedp.Click(chromedp.CSS(`.lang-switch button[value="ja"]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="ja"] #results`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	shoot("ja")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1366, 900)); err != nil {
		t.Fatal(err)
	}
}

func doSteps(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) error {
	for i, st := range steps {
		if err := chromedp.Do(ctx, st); err != nil {
			return fmt.Errorf("step %d: %w", i, err)
		}
	}
	return nil
}
