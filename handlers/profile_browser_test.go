package handlers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"leaddesk/db"
	"leaddesk/internal/testkit"
)

// profileSeed fills the profile like a real team's: company, keywords, preferences, three locations.
func profileSeed(t *testing.T, s *testkit.Server, editor int64) {
	t.Helper()
	ctx := context.Background()
	a := db.ProfileActor{UserID: editor, At: testkit.Epoch}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.DB.UpdateProfile(ctx, a, "Contoso Ltd.", "Contoso builds business applications on Microsoft Azure and Dynamics 365 and helps mid-size customers in Japan, North America and Europe run them.", "https://contoso.example"))
	for _, k := range []string{"CRM", "Dynamics 365", "Azure migration", "Power Platform", "Data & AI"} {
		must(s.DB.AddKeyword(ctx, a, db.KeywordExpertise, k))
	}
	for _, k := range []string{"SaaS", "Managed services", "Cloud Solution Provider (CSP)"} {
		must(s.DB.AddKeyword(ctx, a, db.KeywordBusinessModel, k))
	}
	must(s.DB.SetPreferences(ctx, a, []string{"51-250", "251-1000", "1001-5000"}, []string{"manufacturing", "retail", "healthcare"}))
	for _, l := range []*db.Location{
		{Name: "Tokyo", Address: "東京都千代田区丸の内1-1-1 丸の内ビル 20F", Country: "JP", ContactName: "田中 愛子", ContactEmail: "tokyo-leads@example.com", ContactPhone: "+81 3-5555-0100"},
		{Name: "Seattle", Address: "1 Pine Street, Suite 400, Seattle, WA 98101", Country: "US", ContactName: "Emily Carter", ContactEmail: "seattle-leads@example.com", ContactPhone: "+1 206-555-0100"},
		{Name: "Munich", Address: "Leopoldstraße 10, 80802 München", Country: "DE", ContactName: "Jonas Weber", ContactEmail: "munich-leads@example.com"},
	} {
		must(s.DB.CreateLocation(ctx, a, l))
		profileAddLead(t, s, l.ID, "Customer of "+l.Name)
	}
}

// TestBrowserProfileEditsInPlace edits the company card and adds a keyword in real Chromium: htmx
// swaps the form in and the read view back without a page load, a mistake shows its message in place,
// and "last changed" follows. It also takes the screenshots of the page in English and Japanese.
func TestBrowserProfileEditsInPlace(t *testing.T) {
	s := testkit.NewServer(t)
	u := s.CreateUser("pat@example.com", "Pat Profile", db.RoleProfile)
	profileSeed(t, s, u.ID)
	ctx := testkit.Browser(t)
	// Close Chromium gracefully and wait for it before the profile directory is removed; a browser
	// still writing there on shutdown makes the temp-dir cleanup fail under load.
	t.Cleanup(func() { _ = chromedp.Cancel(ctx) })
	s.SignIn(t, ctx, "pat@example.com")

	var marker bool
	var errText, name, changed string
	err := chromedp.Run(ctx,
		chromedp.Navigate(s.URL+"/profile"),
		chromedp.WaitVisible(`#profile-company`, chromedp.ByQuery),
		chromedp.Evaluate(`window.__noReload = true`, nil),
		testkit.HTMXSettled(`#profile-company .card-head a.btn`),
		chromedp.Click(`#profile-company .card-head a.btn`, chromedp.ByQuery),
		chromedp.WaitVisible(`#company_name`, chromedp.ByQuery),
		chromedp.Poll(`document.activeElement && document.activeElement.id === "company_name"`, nil, chromedp.WithPollingTimeout(3*time.Second)),
		chromedp.Evaluate(`document.querySelector("#company_name").value = ""`, nil),
		testkit.HTMXSettled(`#profile-company button[type=submit]`),
		chromedp.Click(`#profile-company button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#company_name-err`, chromedp.ByQuery),
		chromedp.Text(`#company_name-err`, &errText, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errText, "Enter your company name.") {
		t.Errorf("error in place = %q", errText)
	}
	// htmx focuses the [autofocus] field once the swap settles.
	var live string
	if err := chromedp.Run(ctx,
		chromedp.Poll(`document.activeElement && document.activeElement.id === "company_name"`, nil, chromedp.WithPollingTimeout(3*time.Second)),
	); err != nil {
		chromedp.Run(ctx, chromedp.Evaluate(`document.activeElement.id`, &live))
		t.Errorf("focus after the error is on %q, want the company name field", live)
	}
	profileShot(t, ctx, "profile-en-company-error")
	s.Clock.Advance(90 * time.Minute)
	err = chromedp.Run(ctx,
		chromedp.SendKeys(`#company_name`, "Contoso Japan KK", chromedp.ByQuery),
		testkit.HTMXSettled(`#profile-company button[type=submit]`),
		chromedp.Click(`#profile-company button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitNotPresent(`#company_name`, chromedp.ByQuery),
		chromedp.Text(`#profile-company dd strong`, &name, chromedp.ByQuery),
		chromedp.Text(`#profile-changed`, &changed, chromedp.ByQuery),
		chromedp.Evaluate(`window.__noReload === true`, &marker),
	)
	if err != nil {
		t.Fatal(err)
	}
	if name != "Contoso Japan KK" {
		t.Errorf("company name after save = %q", name)
	}
	if !strings.Contains(changed, "Last changed by Pat Profile on Nov 30, 2026 19:30") {
		t.Errorf("last changed = %q", changed)
	}
	if !marker {
		t.Error("saving reloaded the page instead of swapping the card")
	}
	if err := chromedp.Run(ctx, chromedp.Text(`#live`, &live, chromedp.ByQuery)); err != nil || live != "Saved." {
		t.Errorf("screen-reader notice = %q (%v)", live, err)
	}

	var chips string
	err = chromedp.Run(ctx,
		testkit.HTMXSettled(`#profile-keywords .card-head a.btn`),
		chromedp.Click(`#profile-keywords .card-head a.btn`, chromedp.ByQuery),
		chromedp.WaitVisible(`#keyword_expertise`, chromedp.ByQuery),
		chromedp.SendKeys(`#keyword_expertise`, "Copilot", chromedp.ByQuery),
		testkit.HTMXSettled(`#profile-keywords form.profile-kw-add button[type=submit]`),
		chromedp.Click(`#profile-keywords form.profile-kw-add button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`//ul[@aria-labelledby="kw-expertise-h"]//span[text()="Copilot"]`),
		chromedp.Text(`#profile-keywords`, &chips, chromedp.ByQuery),
		chromedp.Evaluate(`window.__noReload === true`, &marker),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !marker || !strings.Contains(chips, "Copilot") {
		t.Errorf("keyword not added in place (no reload: %v): %q", marker, chips)
	}
	// The editor stays open for the next change: remove a keyword that brings unwanted leads.
	err = chromedp.Run(ctx,
		testkit.HTMXSettled(`#profile-keywords button[aria-label="Remove keyword CRM"]`),
		chromedp.Click(`#profile-keywords button[aria-label="Remove keyword CRM"]`, chromedp.ByQuery),
		chromedp.WaitNotPresent(`#profile-keywords button[aria-label="Remove keyword CRM"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#keyword_expertise`, chromedp.ByQuery),
		chromedp.Text(`#profile-keywords`, &chips, chromedp.ByQuery),
		chromedp.Evaluate(`window.__noReload === true`, &marker),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !marker || strings.Contains(chips, "CRM") {
		t.Errorf("keyword not removed in place (no reload: %v): %q", marker, chips)
	}
	profileShot(t, ctx, "profile-en-keywords-edit")

	err = chromedp.Run(ctx,
		chromedp.Navigate(s.URL+"/profile"),
		chromedp.WaitVisible(`#profile-locations`, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	profileShot(t, ctx, "profile-en")
	err = chromedp.Run(ctx,
		testkit.HTMXSettled(`#profile-locations tbody tr:first-child a.btn-danger`),
		chromedp.Click(`#profile-locations tbody tr:first-child a.btn-danger`, chromedp.ByQuery),
		chromedp.WaitVisible(`.profile-remove select`, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	profileShot(t, ctx, "profile-en-remove-location")
	err = chromedp.Run(ctx,
		testkit.HTMXSettled(`#profile-locations tbody tr:first-child a.btn:not(.btn-danger)`),
		chromedp.Click(`#profile-locations tbody tr:first-child a.btn:not(.btn-danger)`, chromedp.ByQuery),
		chromedp.WaitVisible(`#loc_contact_email`, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	profileShot(t, ctx, "profile-en-location-edit")

	// A new location with a mistyped address stays open with the message next to the field.
	var emailErr string
	err = chromedp.Run(ctx,
		chromedp.Evaluate(`window.__noReload = true`, nil),
		testkit.HTMXSettled(`#profile-locations .card-head a.btn`),
		chromedp.Click(`#profile-locations .card-head a.btn`, chromedp.ByQuery),
		chromedp.WaitVisible(`.profile-loc-new #loc_name`, chromedp.ByQuery),
		chromedp.SendKeys(`#loc_name`, "Osaka", chromedp.ByQuery),
		chromedp.SetValue(`#loc_country`, "JP", chromedp.ByQuery),
		chromedp.SendKeys(`#loc_contact_name`, "Ken Sato", chromedp.ByQuery),
		chromedp.SendKeys(`#loc_contact_email`, "ken.sato@", chromedp.ByQuery),
		chromedp.SendKeys(`#loc_contact_phone`, "+81 6-5555-0100", chromedp.ByQuery),
		testkit.HTMXSettled(`.profile-loc-new button[type=submit]`),
		chromedp.Click(`.profile-loc-new button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#loc_contact_email-err`, chromedp.ByQuery),
		chromedp.Text(`#loc_contact_email-err`, &emailErr, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(emailErr, "name@example.com") {
		t.Errorf("email message = %q", emailErr)
	}
	profileShot(t, ctx, "profile-en-location-new-error")
	var rows int
	err = chromedp.Run(ctx,
		chromedp.Evaluate(`document.querySelector("#loc_contact_email").value = ""`, nil),
		chromedp.SendKeys(`#loc_contact_email`, "ken.sato@example.com", chromedp.ByQuery),
		testkit.HTMXSettled(`.profile-loc-new button[type=submit]`),
		chromedp.Click(`.profile-loc-new button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitNotPresent(`.profile-loc-new`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll("#profile-locations tbody tr").length`, &rows),
		chromedp.Evaluate(`window.__noReload === true`, &marker),
	)
	if err != nil {
		t.Fatal(err)
	}
	if rows != 4 || !marker {
		t.Errorf("after adding Osaka: %d rows, no reload %v", rows, marker)
	}

	var title string
	err = chromedp.Run(ctx,
		chromedp.Click(`.lang-switch button[value=ja]`, chromedp.ByQuery),
		chromedp.WaitVisible(`.lang-switch button[value=ja][aria-pressed=true]`, chromedp.ByQuery),
		chromedp.Text(`h1`, &title, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if title != "ビジネス プロファイル" {
		t.Errorf("Japanese title = %q", title)
	}
	profileShot(t, ctx, "profile-ja")
	err = chromedp.Run(ctx,
		testkit.HTMXSettled(`#profile-preferences .card-head a.btn`),
		chromedp.Click(`#profile-preferences .card-head a.btn`, chromedp.ByQuery),
		chromedp.WaitVisible(`#profile-preferences form`, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	profileShot(t, ctx, "profile-ja-preferences-edit")

	// A tablet: one column, the tips under the cards, nothing cut off.
	var overflow bool
	err = chromedp.Run(ctx,
		chromedp.EmulateViewport(820, 1180),
		chromedp.Navigate(s.URL+"/profile"),
		chromedp.WaitVisible(`#profile-locations`, chromedp.ByQuery),
		chromedp.Evaluate(`document.documentElement.scrollWidth > document.documentElement.clientWidth`, &overflow),
	)
	if err != nil {
		t.Fatal(err)
	}
	if overflow {
		t.Error("the page scrolls sideways at tablet width")
	}
	profileShot(t, ctx, "profile-ja-tablet")
}

// profileShot scrolls to the top first, so the sticky top bar sits where a person sees it.
func profileShot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	// Let htmx settle (it focuses, and so scrolls to, the [autofocus] field) before scrolling back up.
	if err := chromedp.Run(ctx, chromedp.Sleep(150*time.Millisecond), chromedp.Evaluate(`window.scrollTo(0, 0)`, nil)); err != nil {
		t.Fatal(err)
	}
	testkit.Screenshot(t, ctx, name)
}
