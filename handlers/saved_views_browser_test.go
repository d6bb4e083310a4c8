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

// TestBrowserSaveAViewAndOpenItBesideTheTabs filters the list to Japan, searches in place, saves that
// as a shared view from the "Save view" disclosure (keyboard: type the name, tick Share, submit), moves to another tab
// and opens the view again from its link beside the tabs: the list is Japan's leads again. Screenshots
// of the list with its saved views, the open save form, Manage views, a view whose location was
// removed, and Assignment's team away days, in English and Japanese at 1366 and 390 px, go to
// $LEADDESK_SCREENSHOTS.
func TestBrowserSaveAViewAndOpenItBesideTheTabs(t *testing.T) {
	s := testkit.NewServer(t)
	aiko := s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals, db.RoleAccount)
	ben := s.CreateUser("ben@example.com", "Ben Ito", db.RoleReferrals)
	addLead(t, s, lead.Lead{CustomerCompany: "Alpha KK", Country: "JP"})
	addLead(t, s, lead.Lead{CustomerCompany: "Beta GmbH", Country: "DE"})
	addLead(t, s, lead.Lead{Tab: "qualified", CustomerCompany: "Gamma Ltd", Country: "GB"})
	ctx := testkit.Browser(t)
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	s.SignIn(t, ctx, "aiko@example.com")

	var current, results string
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(1366, 900),
		chromedp.Navigate(s.URL+"/leads?tab=marketplace&country=JP"),
		chromedp.WaitVisible(chromedp.CSS(`#save-view summary`)),
		testkit.HTMXIdle(),
		// A search typed after the page came filters in place (only the results are swapped): the
		// saved view must still be the view on screen.
		chromedp.SendKeys(chromedp.CSS(`#q`), "Alpha"),
		chromedp.Poll[chromedp.Void](`location.search.indexOf("q=Alpha") >= 0`, chromedp.WithPollingTimeout(10*time.Second)),
		testkit.HTMXIdle(),
		chromedp.Focus(chromedp.CSS(`#save-view summary`)),
		chromedp.KeyEvent("\r"),
		chromedp.WaitVisible(chromedp.CSS(`#save-view-name`)),
		chromedp.SendKeys(chromedp.CSS(`#save-view-name`), "Japan"),
		chromedp.Focus(chromedp.CSS(`#save-view-shared`)),
		chromedp.KeyEvent(" "),
	)
	if err != nil {
		t.Fatalf("open the save form: %v", err)
	}
	testkit.Screenshot(t, ctx, "views-save-form-en-1366")
	err = chromedp.Do(ctx,
		chromedp.Focus(chromedp.CSS(`#save-view-name`)),
		chromedp.KeyEvent("\r"),
		chromedp.WaitVisible(chromedp.CSS(`#saved-views a.saved-view[aria-current="page"]`)),
		testkit.Into(chromedp.Text(chromedp.CSS(`#saved-views a.saved-view[aria-current="page"]`)), &current),
	)
	if err != nil {
		t.Fatalf("save the view: %v", err)
	}
	if !strings.Contains(current, "Japan") {
		t.Errorf("the current saved view beside the tabs = %q", current)
	}
	var shared bool
	var query string
	if err := s.DB.QueryRow(`SELECT shared, query FROM saved_views WHERE name = 'Japan' AND user_id = ?`, aiko.ID).Scan(&shared, &query); err != nil ||
		!shared || query != "country=JP&q=Alpha&tab=marketplace" {
		t.Errorf("stored view: shared %v, query %q, %v", shared, query, err)
	}

	// Elsewhere in the list, the link beside the tabs brings the view back.
	err = chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/leads?tab=qualified"),
		chromedp.WaitVisible(chromedp.CSS(`#results`)),
		testkit.HTMXIdle(),
		chromedp.Click(chromedp.CSS(`#saved-views a.saved-view`)),
		chromedp.WaitVisible(chromedp.CSS(`#saved-views a.saved-view[aria-current="page"]`)),
		testkit.Into(chromedp.Text(chromedp.CSS(`#results`)), &results),
	)
	if err != nil {
		t.Fatalf("open the saved view: %v", err)
	}
	if !strings.Contains(results, "Alpha KK") || strings.Contains(results, "Beta GmbH") || strings.Contains(results, "Gamma Ltd") {
		t.Errorf("the saved view's list:\n%s", results)
	}

	// What the screenshots show besides: a second view, a view whose location is gone, Ben away.
	now := s.Clock.Now()
	if _, err := s.DB.Exec(`INSERT INTO locations (id, name, country, created_at, updated_at) VALUES (9, 'Osaka', 'JP', 0, 0)`); err != nil {
		t.Fatal(err)
	}
	for _, v := range []*db.SavedView{
		{UserID: aiko.ID, Name: "Contact me, not answered", Query: "cta=contact_me&status=received&tab=marketplace"},
		{UserID: aiko.ID, Name: "Osaka", Query: "location=9&tab=marketplace"},
	} {
		if err := s.DB.CreateSavedView(t.Context(), v, now); err != nil {
			t.Fatal(err)
		}
	}
	var osaka int64
	s.DB.QueryRow(`SELECT id FROM saved_views WHERE name = 'Osaka'`).Scan(&osaka)
	if _, err := s.DB.Exec(`DELETE FROM locations WHERE id = 9`); err != nil {
		t.Fatal(err)
	}
	if err := s.DB.SetAway(t.Context(), ben.ID, &db.Away{UserID: ben.ID, From: now.Add(-time.Hour), Until: now.AddDate(0, 0, 3)}); err != nil {
		t.Fatal(err)
	}
	shots := func(lang string) {
		for _, w := range []struct {
			width, height int64
			size          string
		}{{1366, 900, "1366"}, {390, 844, "390"}} {
			for _, p := range []struct{ path, wait, name string }{
				{"/leads?tab=marketplace&country=JP", "#saved-views", "list"},
				{"/leads/views", ".saved-views-table", "manage"},
				{fmt.Sprintf("/leads/views/%d", osaka), "#view-broken", "broken"},
				{"/assignment", "#team-away", "team-away"},
			} {
				if err := chromedp.Do(ctx, chromedp.EmulateViewport(w.width, w.height), chromedp.Navigate(s.URL+p.path),
					chromedp.WaitVisible(chromedp.CSS(p.wait)), testkit.HTMXIdle()); err != nil {
					t.Fatalf("%s %s: %v", lang, p.path, err)
				}
				testkit.Screenshot(t, ctx, "views-"+p.name+"-"+lang+"-"+w.size)
			}
		}
	}
	shots("en")
	err = chromedp.Do(ctx,
		chromedp.EmulateViewport(1366, 900),
		chromedp.Navigate(s.URL+"/leads?tab=marketplace"),
		chromedp.WaitVisible(chromedp.CSS(`.lang-switch button[value="ja"]`)),
		chromedp.Click(chromedp.CSS(`.lang-switch button[value="ja"]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="ja"] #saved-views`)),
	)
	if err != nil {
		t.Fatalf("switch to Japanese: %v", err)
	}
	shots("ja")
}
