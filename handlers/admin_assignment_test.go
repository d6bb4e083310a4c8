package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"leaddesk/lead"
)

// Admin › Assignment over HTTP: a refused rule names its field; a location rule and a country rule in
// order; moving a rule changes which one decides; re-run on unassigned gives the owners; away days
// round-trip and are checked.
func TestAdminAssignmentRulesOverHTTP(t *testing.T) {
	f := newLCFixture(t)
	page := f.c.Get("/assignment")
	if page.StatusCode != http.StatusOK || !strings.Contains(page.Body, "No rules yet") {
		t.Fatalf("assignment page: %d", page.StatusCode)
	}
	for _, tc := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"name": {"x"}}, "Assign to: choose at least one person."},
		{url.Values{"member": {fmt.Sprint(f.profile.ID)}}, "Owner: only an active Referrals admin can own leads."},
		{url.Values{"member": {fmt.Sprint(f.worker.ID)}, "countries": {"Atlantis"}}, "Country: Atlantis is not a country."},
		{url.Values{"member": {fmt.Sprint(f.worker.ID)}, "cta": {"call_me_maybe"}}, "call_me_maybe is not one of the choices."},
	} {
		res := f.c.PostForm("/assignment", tc.form)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, tc.want) {
			t.Errorf("%v: %d, want 422 with %q", tc.form, res.StatusCode, tc.want)
		}
	}
	if n := f.count(t, `SELECT COUNT(*) FROM assignment_rules`); n != 0 {
		t.Fatalf("%d rules stored from refused forms", n)
	}
	// Leads that arrived before any rule.
	jp := f.addLead(t, func(l *lead.Lead) { l.CustomerCompany = "Tokyo KK" })
	de := f.addLead(t, func(l *lead.Lead) {
		l.CustomerCompany = "Berlin GmbH"
		l.Country = "DE"
		l.ContactEmail = "x@berlin.example"
	})
	// Rule 1: Germany → Ben. Rule 2: every contact-me lead → Aiko.
	for _, form := range []url.Values{
		{"name": {"Germany"}, "countries": {"Germany"}, "member": {fmt.Sprint(f.teammate.ID)}},
		{"name": {"Contact me"}, "cta": {"contact_me"}, "member": {fmt.Sprint(f.worker.ID)}},
	} {
		if res := f.c.PostForm("/assignment", form); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("add rule: %d %s", res.StatusCode, res.Body)
		}
	}
	page = f.c.Get("/assignment")
	if !strings.Contains(page.Body, "Country/region: Germany") || !strings.Contains(page.Body, "Call to action: Contact me") {
		t.Errorf("the rules are not listed with their conditions")
	}
	res := f.c.PostForm("/assignment/rerun", nil)
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "2 leads got an owner; 0 no rule takes stay unassigned.") {
		t.Fatalf("re-run: %d", res.StatusCode)
	}
	if f.lead(t, jp.ID).OwnerID != f.worker.ID || f.lead(t, de.ID).OwnerID != f.teammate.ID {
		t.Errorf("re-run owners: JP %d DE %d", f.lead(t, jp.ID).OwnerID, f.lead(t, de.ID).OwnerID)
	}
	// Move "Contact me" above "Germany": now it decides for a German contact-me lead.
	var second int64
	f.s.DB.QueryRow(`SELECT id FROM assignment_rules WHERE name = 'Contact me'`).Scan(&second)
	if res := f.c.PostForm(fmt.Sprintf("/assignment/%d/move", second), url.Values{"dir": {"up"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("move: %d", res.StatusCode)
	}
	de2 := f.addLead(t, func(l *lead.Lead) {
		l.CustomerCompany = "Hamburg AG"
		l.Country = "DE"
		l.ContactEmail = "x@hamburg.example"
	})
	f.c.PostForm("/assignment/rerun", nil)
	if got := f.lead(t, de2.ID).OwnerID; got != f.worker.ID {
		t.Errorf("after moving Contact me up, a German lead went to %d, want Aiko", got)
	}
	if res := f.c.PostForm(fmt.Sprintf("/assignment/%d/move", second), url.Values{"dir": {"sideways"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("move sideways: %d", res.StatusCode)
	}
	// Away days: a backwards span is refused, a good one is shown back.
	if res := f.c.PostForm("/assignment/away", url.Values{"from": {"2026-12-10"}, "until": {"2026-12-01"}}); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(res.Body, "Last day away:") {
		t.Errorf("backwards away: %d", res.StatusCode)
	}
	if res := f.c.PostForm("/assignment/away", url.Values{"from": {"2026-12-10"}, "until": {"2026-12-12"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("away: %d", res.StatusCode)
	}
	if page := f.c.Get("/assignment"); !strings.Contains(page.Body, `value="2026-12-10"`) || !strings.Contains(page.Body, `value="2026-12-12"`) {
		t.Error("the away days are not shown back")
	}
	// Deleting a rule keeps the owners it gave.
	if res := f.c.PostForm(fmt.Sprintf("/assignment/%d/delete", second), nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete: %d", res.StatusCode)
	}
	if f.lead(t, de2.ID).OwnerID != f.worker.ID {
		t.Error("deleting a rule changed an owner")
	}
	// A Business profile admin has no access.
	pc := f.s.Client()
	pc.Login("pat@example.com")
	if res := pc.Get("/assignment"); res.StatusCode != http.StatusForbidden {
		t.Errorf("profile admin: %d", res.StatusCode)
	}
}
