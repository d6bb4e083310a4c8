package handlers_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"leaddesk/db"
	"leaddesk/internal/testkit"
	"leaddesk/lead"
)

// browserFixture gives the list enough varied leads to look like a working day.
func browserFixture(t *testing.T, s *testkit.Server) {
	t.Helper()
	now := s.Clock.Now()
	rows := []lead.Lead{
		{CustomerCompany: "Contoso KK", ContactFirstName: "愛子", ContactLastName: "佐藤", Country: "JP", CTA: "contact_me", CustomerRequestedContact: true, EmailValidity: "valid", PhoneValidity: "unknown", CreatedAt: now.Add(-2 * time.Hour)},
		{CustomerCompany: "Fabrikam GmbH", ContactFirstName: "Jonas", ContactLastName: "Weber", Country: "DE", CTA: "free_trial", Source: "azure_marketplace", EmailValidity: "valid", PhoneValidity: "valid", CreatedAt: now.Add(-5 * time.Hour)},
		{CustomerCompany: "Northwind Traders", ContactFirstName: "Ana", ContactLastName: "Ruiz", Country: "US", CTA: "contact_me", Status: "accepted", DealName: "Northwind rollout", DealValue: 1250000, Currency: "USD", EmailValidity: "valid", PhoneValidity: "valid", CreatedAt: now.Add(-30 * time.Hour)},
		{CustomerCompany: "Spam Corp", ContactFirstName: "Bot", ContactLastName: "Mailer", Country: "US", CTA: "contact_me", EmailValidity: "spam", PhoneValidity: "invalid", Quality: "low", CreatedAt: now.Add(-12 * 24 * time.Hour)},
		{CustomerCompany: "田中商事株式会社", ContactFirstName: "太郎", ContactLastName: "田中", Country: "JP", LeadType: "profile", CreatedAt: now.Add(-3 * 24 * time.Hour)},
		{CustomerCompany: "Adventure Works", ContactFirstName: "Lea", ContactLastName: "Martin", Country: "FR", CTA: "contact_me", Status: "archived", Outcome: "expired", CreatedAt: now.Add(-20 * 24 * time.Hour)},
		{CustomerCompany: "Litware Inc.", ContactFirstName: "Sam", ContactLastName: "Park", Country: "KR", CTA: "contact_me", Status: "archived", Outcome: "won", DealValue: 3000000, Currency: "JPY", CreatedAt: now.Add(-40 * 24 * time.Hour)},
	}
	for _, l := range rows {
		addLead(t, s, l)
	}
	for i := 0; i < 60; i++ {
		addLead(t, s, lead.Lead{CustomerCompany: fmt.Sprintf("Tailspin %02d", i), Country: []string{"JP", "US", "DE", "GB"}[i%4], CTA: "get_it_now",
			EmailValidity: "valid", CreatedAt: now.Add(-time.Duration(50+i) * 24 * time.Hour)})
	}
	addLead(t, s, lead.Lead{Tab: "qualified", Classification: "sales_qualified", CustomerCompany: "Wide World Importers", Country: "GB", CreatedAt: now.Add(-4 * time.Hour)})
}

// TestBrowserLeadsFilterSwapAndBack: a filter change swaps only the results in place, pushes the view
// into the URL, and Back restores the previous view.
func TestBrowserLeadsFilterSwapAndBack(t *testing.T) {
	s := testkit.NewServer(t)
	browserFixture(t, s)
	s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals)
	ctx := testkit.Browser(t)
	s.SignIn(t, ctx, "aiko@example.com")

	var marker bool
	var loc, first, rng string
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/leads?tab=marketplace"),
		chromedp.WaitVisible(chromedp.CSS(`#results table`)),
		chromedp.Evaluate[chromedp.Void](`window.__noReload = true`),
		chromedp.Click(chromedp.CSS(`.ws-filter-menu summary`)),
		testkit.HTMXSettled(`input[name="country"][value="JP"]`),
		chromedp.Click(chromedp.CSS(`input[name="country"][value="JP"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#results .chip`)),
		testkit.Eval(`window.__noReload === true`, &marker),
		testkit.Into(chromedp.Location(), &loc),
		testkit.Into(chromedp.Text(chromedp.CSS(`#results tbody tr:first-child .ws-company`)), &first),
		testkit.Into(chromedp.Text(chromedp.CSS(`.pager > span:first-child`)), &rng),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !marker {
		t.Error("the filter change reloaded the page")
	}
	if !strings.Contains(loc, "country=JP") || !strings.Contains(loc, "tab=marketplace") {
		t.Errorf("URL after the filter = %s", loc)
	}
	if !strings.HasSuffix(first, "Contoso KK") || !strings.Contains(rng, "of 17") {
		t.Errorf("filtered results: first %q, range %q", first, rng)
	}
	testkit.Screenshot(t, ctx, "workspace-leads-filter-open")

	// Close the filter panel, then sort by customer through the header, in place.
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`.ws-filter-menu summary`)),
		testkit.HTMXSettled(`th[aria-sort] a[href*="sort=customer"]`),
		chromedp.Click(chromedp.CSS(`th[aria-sort] a[href*="sort=customer"]`)),
		chromedp.WaitVisible(chromedp.CSS(`th[aria-sort="ascending"]`)),
		testkit.Into(chromedp.Text(chromedp.CSS(`#results tbody tr:first-child .ws-company`)), &first),
		testkit.Into(chromedp.Location(), &loc),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(first, "Contoso KK") || !strings.Contains(loc, "sort=customer") || !strings.Contains(loc, "country=JP") {
		t.Errorf("after sorting: first %q, URL %s", first, loc)
	}

	// Back twice: the sort, then the filter are undone.
	err = chromedp.Do(ctx,
		chromedp.NavigateBack(),
		chromedp.WaitVisible(chromedp.CSS(`th[aria-sort="descending"]`)),
		chromedp.NavigateBack(),
		chromedp.WaitNotPresent(chromedp.CSS(`#results .chip`)), // the country chip goes with the restored view
		testkit.HTMXIdle(),
		testkit.Into(chromedp.Location(), &loc),
		testkit.Into(chromedp.Text(chromedp.CSS(`.pager > span:first-child`)), &rng),
	)
	if err != nil {
		t.Fatalf("back: %v", err)
	}
	if strings.Contains(loc, "country=") || !strings.Contains(rng, "of 67") {
		t.Errorf("after Back: URL %s, range %q", loc, rng)
	}
}

// TestBrowserLeadsHeartToggle: one click on the heart toggles it in place and the Favorites count
// follows; a reload shows the same state.
func TestBrowserLeadsHeartToggle(t *testing.T) {
	s := testkit.NewServer(t)
	browserFixture(t, s)
	s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals)
	ctx := testkit.Browser(t)
	s.SignIn(t, ctx, "aiko@example.com")

	var count string
	var pressed chromedp.AttributeResult
	var marker bool
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/leads?tab=marketplace"),
		chromedp.WaitVisible(chromedp.CSS(`#results table`)),
		chromedp.Evaluate[chromedp.Void](`window.__noReload = true`),
		testkit.HTMXSettled(`#results tbody tr:first-child .heart-btn`),
		chromedp.Click(chromedp.CSS(`#results tbody tr:first-child .heart-btn`)),
		chromedp.WaitVisible(chromedp.CSS(`#results tbody tr:first-child .heart-btn[aria-pressed="true"]`)),
		testkit.Into(chromedp.Text(chromedp.CSS(`#count-favorites`)), &count),
		testkit.Eval(`window.__noReload === true`, &marker),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !marker || count != "1" {
		t.Errorf("heart on: in place %v, favorites count %q", marker, count)
	}
	err = chromedp.Do(ctx,
		testkit.HTMXSettled(`#results tbody tr:nth-child(2) .heart-btn`),
		chromedp.Click(chromedp.CSS(`#results tbody tr:nth-child(2) .heart-btn`)),
		chromedp.WaitVisible(chromedp.CSS(`#results tbody tr:nth-child(2) .heart-btn[aria-pressed="true"]`)),
		testkit.HTMXSettled(`#results tbody tr:first-child .heart-btn`),
		chromedp.Click(chromedp.CSS(`#results tbody tr:first-child .heart-btn`)),
		chromedp.WaitVisible(chromedp.CSS(`#results tbody tr:first-child .heart-btn[aria-pressed="false"]`)),
		testkit.Into(chromedp.Text(chromedp.CSS(`#count-favorites`)), &count),
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS(`#results table`)),
		testkit.Into(chromedp.AttributeValue(chromedp.CSS(`#results tbody tr:nth-child(2) .heart-btn`), "aria-pressed"), &pressed),
	)
	if err != nil {
		t.Fatal(err)
	}
	if count != "1" || pressed.Value != "true" {
		t.Errorf("after toggling: count %q, second heart pressed %q after reload", count, pressed.Value)
	}
}

// TestBrowserLeadsScreenshots takes the list in English and Japanese for people to look at.
func TestBrowserLeadsScreenshots(t *testing.T) {
	s := testkit.NewServer(t)
	browserFixture(t, s)
	s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals)
	s.CreateUser("ren@example.com", "Ren Ito", db.RoleProfile)
	ctx := testkit.Browser(t)
	s.SignIn(t, ctx, "aiko@example.com")
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/leads?tab=marketplace&size=25"),
		chromedp.WaitVisible(chromedp.CSS(`#results table`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	testkit.Screenshot(t, ctx, "workspace-leads-en")
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`.lang-switch button[value="ja"]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="ja"] #results table`)),
		chromedp.Navigate(s.URL+"/leads?tab=marketplace&size=25&country=JP&status=received"),
		chromedp.WaitVisible(chromedp.CSS(`#results .chip`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	testkit.Screenshot(t, ctx, "workspace-leads-ja")
}
