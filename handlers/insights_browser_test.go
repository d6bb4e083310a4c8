package handlers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"leaddesk/db"
	"leaddesk/internal/testkit"
	"leaddesk/lead"
)

// insightsBrowserFixture spreads a few hundred leads over the last 120 days, with every kind of answer
// and outcome, so the charts look like a working quarter. It is deterministic (a fixed pseudo-random
// sequence), not random.
func insightsBrowserFixture(t *testing.T, s *testkit.Server) {
	t.Helper()
	now := s.Clock.Now()
	seq := uint32(7)
	next := func(n int) int {
		seq = seq*1664525 + 1013904223
		return int(seq>>8) % n
	}
	countries := []string{"JP", "JP", "US", "US", "US", "DE", "GB", "FR", "AU", "KR"}
	offers := []string{"Contoso CRM", "Contoso CRM", "Contoso Analytics", "Fabrikam Field Service", "Northwind Portal"}
	sources := []string{"appsource", "appsource", "appsource", "azure_marketplace", "azure_portal"}
	declines := lead.DeclineReasons
	losts := lead.LostReasons
	for i := 0; i < 320; i++ {
		created := now.Add(-time.Duration(next(120*24)) * time.Hour).Add(-time.Duration(next(60)) * time.Minute)
		l := lead.Lead{CustomerCompany: fmt.Sprintf("Customer %03d", i), Country: countries[next(len(countries))], Source: sources[next(len(sources))],
			OfferTitle: offers[next(len(offers))], CreatedAt: created, CTA: "contact_me"}
		if next(6) == 0 {
			l.CTA = "free_trial"
		}
		answer := time.Duration(next(4)+1) * time.Duration([]int{20, 60, 180, 600, 1800, 4000}[next(6)]) * time.Minute
		age := now.Sub(created)
		switch r := next(10); {
		case l.CTA == "free_trial":
		case r < 2 && age > lead.ExpiryWindow:
			l.Status, l.Outcome, l.ArchivedAt = "archived", "expired", ptrTime(created.Add(lead.ExpiryWindow))
		case r < 3 && answer < age:
			l.Status, l.Outcome, l.Reason, l.ArchivedAt = "archived", "declined", declines[next(len(declines))], ptrTime(created.Add(answer))
		case r < 8 && answer < age:
			l.Status, l.AcceptedAt = "accepted", ptrTime(created.Add(answer))
			l.DealValue, l.Currency = int64(next(50)+1)*100000, []string{"USD", "USD", "JPY", "EUR"}[next(4)]
			if l.Currency == "JPY" {
				l.DealValue *= 10
			}
			if next(3) > 0 && answer+72*time.Hour < age {
				l.Status, l.ArchivedAt = "archived", ptrTime(created.Add(answer+72*time.Hour))
				l.Outcome = []string{"won", "lost"}[next(2)]
				if l.Outcome == "lost" {
					l.Reason = losts[next(len(losts))]
				}
			}
		}
		addLead(t, s, l)
	}
}

func ptrTime(t time.Time) *time.Time { return &t }

// TestBrowserInsightsRangeAndDrillDown: changing the range swaps the figures in place and puts the
// range in the URL; a country bar opens the Leads list filtered to that country. Screenshots in
// English and Japanese, desktop and phone, go to $LEADDESK_SCREENSHOTS.
func TestBrowserInsightsRangeAndDrillDown(t *testing.T) {
	s := testkit.NewServer(t)
	insightsBrowserFixture(t, s)
	s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals)
	ctx := testkit.Browser(t)
	s.SignIn(t, ctx, "aiko@example.com")

	var marker bool
	var before, after, loc string
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/insights?range=30d"),
		chromedp.WaitVisible(chromedp.CSS(`#fig-received`)),
		testkit.Eval(`document.querySelector("#fig-received .kpi-value").textContent.trim()`, &before),
		chromedp.Evaluate[chromedp.Void](`window.__noReload = true`),
		testkit.HTMXSettled(`input[name="range"][value="90d"]`),
		testkit.HTMXRequestDone(chromedp.Click(chromedp.CSS(`input[name="range"][value="90d"] + span`))),
		testkit.Eval(`document.querySelector("#fig-received .kpi-value").textContent.trim()`, &after),
		testkit.Eval(`window.__noReload === true`, &marker),
		testkit.Into(chromedp.Location(), &loc),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !marker || !strings.Contains(loc, "range=90d") || before == after {
		t.Errorf("range change: swapped in place %v, URL %s, received %s → %s (want the 90-day count, larger)", marker, loc, before, after)
	}
	insightsShots(t, ctx, "insights-en")

	// Drill down: the first bar of Top countries opens the list filtered to that country.
	var href string
	err = chromedp.Do(ctx,
		testkit.Eval(`document.querySelector(".chart-countries a.hbar").getAttribute("href")`, &href),
		chromedp.Click(chromedp.CSS(`.chart-countries a.hbar`)),
		chromedp.WaitVisible(chromedp.CSS(`#results`)),
		testkit.Into(chromedp.Location(), &loc),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(href, "country=") || !strings.HasSuffix(loc, href) {
		t.Errorf("drill-down: bar links %q, landed on %s", href, loc)
	}
	var chip string
	if err := chromedp.Do(ctx, testkit.Eval(`(document.querySelector("#results .chip") || {}).textContent || ""`, &chip)); err != nil || chip == "" {
		t.Errorf("drill-down list shows no country chip (%v)", err)
	}

	// Japanese.
	err = chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/insights?range=90d"),
		chromedp.WaitVisible(chromedp.CSS(`#fig-received`)),
		chromedp.Click(chromedp.CSS(`.lang-switch button[value="ja"]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="ja"] #fig-received`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	insightsShots(t, ctx, "insights-ja")
}

// insightsShots takes the page at 1366 and 390 px wide.
func insightsShots(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	for _, w := range []int64{1366, 390} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(w, 900), testkit.HTMXIdle()); err != nil {
			t.Fatal(err)
		}
		testkit.Screenshot(t, ctx, fmt.Sprintf("%s-%d", name, w))
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1366, 900)); err != nil {
		t.Fatal(err)
	}
}
