package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"leaddesk/db"
	"leaddesk/internal/testkit"
)

// Saved views over HTTP (issue 17): a refused name or filter re-renders the form with 422 naming the
// field; a personal view is its author's alone; a shared one shows for everyone beside the tabs, but
// only its author or an Account admin may change it (403 for anyone else); each person orders the
// views they see without changing anyone else's order; a view whose location was removed opens with a
// message, not a 500; deleting a view deletes no lead.
func TestSavedViewsPersonalSharedAndPermissions(t *testing.T) {
	f := newLCFixture(t)
	s := f.s
	s.CreateUser("acct@example.com", "Ana Account", db.RoleAccount)
	if _, err := s.DB.Exec(`INSERT INTO locations (id, name, country, created_at, updated_at) VALUES (1, 'Tokyo', 'JP', 0, 0)`); err != nil {
		t.Fatal(err)
	}
	f.addLead(t, nil)
	leads := f.count(t, `SELECT COUNT(*) FROM leads`)
	viewID := func(name string) int64 {
		t.Helper()
		var id int64
		if err := s.DB.QueryRow(`SELECT id FROM saved_views WHERE name = ?`, name).Scan(&id); err != nil {
			t.Fatalf("view %q: %v", name, err)
		}
		return id
	}
	aiko := f.c
	page := aiko.Get("/leads?tab=qualified")
	if !strings.Contains(page.Body, `id="saved-views-none"`) || !strings.Contains(page.Body, `name="query" value="tab=qualified"`) {
		t.Fatalf("the Leads page has no saved views bar with the view on screen")
	}

	// Refused forms: 422, the form again with the message, nothing stored.
	for _, tc := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"name": {"  "}, "query": {"tab=qualified"}}, "Name: enter a name."},
		{url.Values{"name": {strings.Repeat("長", 61)}, "query": {"tab=qualified"}}, "Name: at most 60 characters."},
		{url.Values{"name": {"Odd"}, "query": {"status=bogus"}}, "Status: a value is not one Leaddesk knows."},
		{url.Values{"name": {"Odd"}, "query": {"tab=qualified&colour=red"}}, "“colour” is not a setting of the Leads list."},
		{url.Values{"name": {"Odd"}, "query": {"location=7"}}, "Location 7 no longer exists."},
	} {
		res := aiko.PostForm("/leads/views", tc.form)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, tc.want) || !strings.Contains(res.Body, `id="view-name"`) {
			t.Errorf("%v: %d, want 422 with the form and %q", tc.form, res.StatusCode, tc.want)
		}
	}
	if n := f.count(t, `SELECT COUNT(*) FROM saved_views`); n != 0 {
		t.Fatalf("%d views stored from refused forms", n)
	}

	// Aiko saves a personal view and a shared one; the stored query is the list's canonical one.
	res := aiko.PostForm("/leads/views", url.Values{"name": {"Tokyo contact-me"}, "query": {"/leads?location=1&cta=contact_me&sort=customer&page=3"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/leads?cta=contact_me&dir=asc&location=1&sort=customer&tab=marketplace" {
		t.Fatalf("save personal: %d → %q %s", res.StatusCode, res.Header.Get("Location"), res.Body)
	}
	if res := aiko.PostForm("/leads/views", url.Values{"name": {"Team Japan"}, "query": {"country=JP"}, "shared": {"1"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save shared: %d %s", res.StatusCode, res.Body)
	}
	if res := aiko.PostForm("/leads/views", url.Values{"name": {"team japan"}, "query": {"tab=qualified"}}); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(res.Body, "you already see a view called") {
		t.Errorf("a duplicate name: %d", res.StatusCode)
	}
	personal, shared := viewID("Tokyo contact-me"), viewID("Team Japan")

	// Opening the personal view lands on its list, where its link is the current one.
	res = aiko.Get(fmt.Sprintf("/leads/views/%d", personal))
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/leads?cta=contact_me") {
		t.Fatalf("open: %d → %q", res.StatusCode, res.Header.Get("Location"))
	}
	page = aiko.Get(res.Header.Get("Location"))
	if !strings.Contains(page.Body, fmt.Sprintf(`id="saved-view-%d" href="/leads/views/%d" aria-current="page"`, personal, personal)) {
		t.Errorf("the opened view is not marked current beside the tabs")
	}

	// Ben sees the shared view beside the tabs, not Aiko's personal one.
	ben := s.Client()
	ben.Login("ben@example.com")
	page = ben.Get("/leads")
	if !strings.Contains(page.Body, "Team Japan</a>") || strings.Contains(page.Body, "Tokyo contact-me") {
		t.Errorf("Ben's saved views: shared shown %v, personal hidden %v", strings.Contains(page.Body, "Team Japan</a>"), !strings.Contains(page.Body, "Tokyo contact-me"))
	}
	if res := ben.Get(fmt.Sprintf("/leads/views/%d", personal)); res.StatusCode != http.StatusNotFound {
		t.Errorf("Ben opening Aiko's personal view: %d, want 404", res.StatusCode)
	}
	// …and may not change it: 403 for edit, rename and delete.
	sp := fmt.Sprintf("/leads/views/%d", shared)
	if res := ben.Get(sp + "/edit"); res.StatusCode != http.StatusForbidden {
		t.Errorf("Ben's edit form of a shared view: %d, want 403", res.StatusCode)
	}
	if res := ben.PostForm(sp, url.Values{"name": {"Mine now"}, "query": {"country=JP"}}); res.StatusCode != http.StatusForbidden ||
		!strings.Contains(res.Body, "Only its author or an Account admin") {
		t.Errorf("Ben renaming a shared view: %d, want 403", res.StatusCode)
	}
	if res := ben.PostForm(sp+"/delete", nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("Ben deleting a shared view: %d, want 403", res.StatusCode)
	}
	if viewID("Team Japan") != shared {
		t.Fatal("the shared view changed")
	}

	// Order: Ben saves his own view and moves it above the shared one; Aiko's order is hers.
	if res := ben.PostForm("/leads/views", url.Values{"name": {"Ben's open"}, "query": {"status=received"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("Ben's view: %d", res.StatusCode)
	}
	if res := ben.PostForm(fmt.Sprintf("/leads/views/%d/move", viewID("Ben's open")), url.Values{"dir": {"up"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("move: %d", res.StatusCode)
	}
	order := func(c *testkit.Client, names ...string) {
		t.Helper()
		body := c.Get("/leads?tab=marketplace").Body
		last := -1
		for _, n := range names {
			i := strings.Index(body, n+"</a>")
			if i < 0 || i < last {
				t.Errorf("beside the tabs, want the order %q", names)
				return
			}
			last = i
		}
	}
	order(ben, "Ben&#39;s open", "Team Japan")
	order(aiko, "Tokyo contact-me", "Team Japan")
	if res := aiko.PostForm(fmt.Sprintf("/leads/views/%d/move", shared), url.Values{"dir": {"up"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("move: %d", res.StatusCode)
	}
	order(aiko, "Team Japan", "Tokyo contact-me")
	order(ben, "Ben&#39;s open", "Team Japan")
	if res := aiko.PostForm(fmt.Sprintf("/leads/views/%d/move", shared), url.Values{"dir": {"sideways"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a bad direction: %d", res.StatusCode)
	}

	// An Account admin may rename a shared view.
	acct := s.Client()
	acct.Login("acct@example.com")
	if res := acct.PostForm(sp, url.Values{"name": {"Japan team"}, "query": {"country=JP"}, "shared": {"1"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the Account admin renaming: %d %s", res.StatusCode, res.Body)
	}
	if viewID("Japan team") != shared {
		t.Error("the rename did not stick")
	}

	// The location of Aiko's personal view is removed: opening it says so, and offers the form.
	if _, err := s.DB.Exec(`DELETE FROM locations WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	res = aiko.Get(fmt.Sprintf("/leads/views/%d", personal))
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "The view “Tokyo contact-me” can no longer be opened.") ||
		!strings.Contains(res.Body, "Location 1 no longer exists.") || !strings.Contains(res.Body, `id="view-query"`) {
		t.Errorf("opening a view whose location is gone: %d", res.StatusCode)
	}

	// Deleting views deletes no lead.
	for _, id := range []int64{personal, shared} {
		if res := aiko.PostForm(fmt.Sprintf("/leads/views/%d/delete", id), nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("delete: %d", res.StatusCode)
		}
	}
	if n := f.count(t, `SELECT COUNT(*) FROM saved_views WHERE user_id = ?`, f.worker.ID); n != 0 {
		t.Errorf("%d of Aiko's views left", n)
	}
	if n := f.count(t, `SELECT COUNT(*) FROM leads`); n != leads {
		t.Errorf("%d leads after deleting views, want %d", n, leads)
	}
	if page := ben.Get("/leads/views"); !strings.Contains(page.Body, "Ben&#39;s open") || strings.Contains(page.Body, "Japan team") {
		t.Error("Ben's Manage views page does not follow the deletion")
	}
}
