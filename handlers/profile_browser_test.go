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
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/profile"),
		chromedp.WaitVisible(chromedp.CSS(`#profile-company`)),
		chromedp.Evaluate[chromedp.Void](`window.__noReload = true`),
		testkit.HTMXSettled(`#profile-company .card-head a.btn`),
		chromedp.Click(chromedp.CSS(`#profile-company .card-head a.btn`)),
		chromedp.WaitVisible(chromedp.CSS(`#company_name`)),
		chromedp.Poll[chromedp.Void](`document.activeElement && document.activeElement.id === "company_name"`, chromedp.WithPollingTimeout(3*time.Second)),
		chromedp.Evaluate[chromedp.Void](`document.querySelector("#company_name").value = ""`),
		testkit.HTMXSettled(`#profile-company button[type=submit]`),
		chromedp.Click(chromedp.CSS(`#profile-company button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#company_name-err`)),
		testkit.Into(chromedp.Text(chromedp.CSS(`#company_name-err`)), &errText),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errText, "Enter your company name.") {
		t.Errorf("error in place = %q", errText)
	}
	// htmx focuses the [autofocus] field once the swap settles.
	var live string
	if err := chromedp.Do(ctx,
		chromedp.Poll[chromedp.Void](`document.activeElement && document.activeElement.id === "company_name"`, chromedp.WithPollingTimeout(3*time.Second)),
	); err != nil {
		chromedp.Do(ctx, testkit.Eval(`document.activeElement.id`, &live))
		t.Errorf("focus after the error is on %q, want the company name field", live)
	}
	profileShot(t, ctx, "profile-en-company-error")
	s.Clock.Advance(90 * time.Minute)
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#company_name`), "Contoso Japan KK"),
		testkit.HTMXSettled(`#profile-company button[type=submit]`),
		chromedp.Click(chromedp.CSS(`#profile-company button[type=submit]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#company_name`)),
		testkit.Into(chromedp.Text(chromedp.CSS(`#profile-company dd strong`)), &name),
		testkit.Into(chromedp.Text(chromedp.CSS(`#profile-changed`)), &changed),
		testkit.Eval(`window.__noReload === true`, &marker),
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
	if err := chromedp.Do(ctx, testkit.Into(chromedp.Text(chromedp.CSS(`#live`)), &live)); err != nil || live != "Saved." {
		t.Errorf("screen-reader notice = %q (%v)", live, err)
	}

	var chips string
	err = chromedp.Do(ctx,
		testkit.HTMXSettled(`#profile-keywords .card-head a.btn`),
		chromedp.Click(chromedp.CSS(`#profile-keywords .card-head a.btn`)),
		chromedp.WaitVisible(chromedp.CSS(`#keyword_expertise`)),
		chromedp.SendKeys(chromedp.CSS(`#keyword_expertise`), "Copilot"),
		testkit.HTMXSettled(`#profile-keywords form.profile-kw-add button[type=submit]`),
		chromedp.Click(chromedp.CSS(`#profile-keywords form.profile-kw-add button[type=submit]`)),
		chromedp.WaitVisible(`//ul[@aria-labelledby="kw-expertise-h"]//span[text()="Copilot"]`),
		testkit.Into(chromedp.Text(chromedp.CSS(`#profile-keywords`)), &chips),
		testkit.Eval(`window.__noReload === true`, &marker),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !marker || !strings.Contains(chips, "Copilot") {
		t.Errorf("keyword not added in place (no reload: %v): %q", marker, chips)
	}
	// The editor stays open for the next change: remove a keyword that brings unwanted leads.
	err = chromedp.Do(ctx,
		testkit.HTMXSettled(`#profile-keywords button[aria-label="Remove keyword CRM"]`),
		chromedp.Click(chromedp.CSS(`#profile-keywords button[aria-label="Remove keyword CRM"]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#profile-keywords button[aria-label="Remove keyword CRM"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#keyword_expertise`)),
		testkit.Into(chromedp.Text(chromedp.CSS(`#profile-keywords`)), &chips),
		testkit.Eval(`window.__noReload === true`, &marker),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !marker || strings.Contains(chips, "CRM") {
		t.Errorf("keyword not removed in place (no reload: %v): %q", marker, chips)
	}
	profileShot(t, ctx, "profile-en-keywords-edit")

	err = chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/profile"),
		chromedp.WaitVisible(chromedp.CSS(`#profile-locations`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	profileShot(t, ctx, "profile-en")
	err = chromedp.Do(ctx,
		testkit.HTMXSettled(`#profile-locations tbody tr:first-child a.btn-danger`),
		chromedp.Click(chromedp.CSS(`#profile-locations tbody tr:first-child a.btn-danger`)),
		chromedp.WaitVisible(chromedp.CSS(`.profile-remove select`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	profileShot(t, ctx, "profile-en-remove-location")
	err = chromedp.Do(ctx,
		testkit.HTMXSettled(`#profile-locations tbody tr:first-child a.btn:not(.btn-danger)`),
		chromedp.Click(chromedp.CSS(`#profile-locations tbody tr:first-child a.btn:not(.btn-danger)`)),
		chromedp.WaitVisible(chromedp.CSS(`#loc_contact_email`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	profileShot(t, ctx, "profile-en-location-edit")

	// A new location with a mistyped address stays open with the message next to the field.
	var emailErr string
	err = chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](`window.__noReload = true`),
		testkit.HTMXSettled(`#profile-locations .card-head a.btn`),
		chromedp.Click(chromedp.CSS(`#profile-locations .card-head a.btn`)),
		chromedp.WaitVisible(chromedp.CSS(`.profile-loc-new #loc_name`)),
		chromedp.SendKeys(chromedp.CSS(`#loc_name`), "Osaka"),
		chromedp.SetValue(chromedp.CSS(`#loc_country`), "JP"),
		chromedp.SendKeys(chromedp.CSS(`#loc_contact_name`), "Ken Sato"),
		chromedp.SendKeys(chromedp.CSS(`#loc_contact_email`), "ken.sato@"),
		chromedp.SendKeys(chromedp.CSS(`#loc_contact_phone`), "+81 6-5555-0100"),
		testkit.HTMXSettled(`.profile-loc-new button[type=submit]`),
		chromedp.Click(chromedp.CSS(`.profile-loc-new button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#loc_contact_email-err`)),
		testkit.Into(chromedp.Text(chromedp.CSS(`#loc_contact_email-err`)), &emailErr),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(emailErr, "name@example.com") {
		t.Errorf("email message = %q", emailErr)
	}
	profileShot(t, ctx, "profile-en-location-new-error")
	var rows int
	err = chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](`document.querySelector("#loc_contact_email").value = ""`),
		chromedp.SendKeys(chromedp.CSS(`#loc_contact_email`), "ken.sato@example.com"),
		testkit.HTMXSettled(`.profile-loc-new button[type=submit]`),
		chromedp.Click(chromedp.CSS(`.profile-loc-new button[type=submit]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`.profile-loc-new`)),
		testkit.Eval(`document.querySelectorAll("#profile-locations tbody tr").length`, &rows),
		testkit.Eval(`window.__noReload === true`, &marker),
	)
	if err != nil {
		t.Fatal(err)
	}
	if rows != 4 || !marker {
		t.Errorf("after adding Osaka: %d rows, no reload %v", rows, marker)
	}

	var title string
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`.lang-switch button[value=ja]`)),
		chromedp.WaitVisible(chromedp.CSS(`.lang-switch button[value=ja][aria-pressed=true]`)),
		testkit.Into(chromedp.Text(chromedp.CSS(`h1`)), &title),
	)
	if err != nil {
		t.Fatal(err)
	}
	if title != "ビジネス プロファイル" {
		t.Errorf("Japanese title = %q", title)
	}
	profileShot(t, ctx, "profile-ja")
	err = chromedp.Do(ctx,
		testkit.HTMXSettled(`#profile-preferences .card-head a.btn`),
		chromedp.Click(chromedp.CSS(`#profile-preferences .card-head a.btn`)),
		chromedp.WaitVisible(chromedp.CSS(`#profile-preferences form`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	profileShot(t, ctx, "profile-ja-preferences-edit")

	// A tablet: one column, the tips under the cards, nothing cut off.
	var overflow bool
	err = chromedp.Do(ctx,
		chromedp.EmulateViewport(820, 1180),
		chromedp.Navigate(s.URL+"/profile"),
		chromedp.WaitVisible(chromedp.CSS(`#profile-locations`)),
		testkit.Eval(`document.documentElement.scrollWidth > document.documentElement.clientWidth`, &overflow),
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
	// Wait until htmx has settled and focused (so scrolled to) the [autofocus] field, then scroll back up.
	if err := chromedp.Do(ctx, testkit.HTMXIdle(), chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`)); err != nil {
		t.Fatal(err)
	}
	testkit.Screenshot(t, ctx, name)
}
