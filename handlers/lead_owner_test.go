package handlers_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"leaddesk/lead"
)

// Owners on the details page: assign to me, move to a teammate, unassign — each in the timeline,
// each a lead.assigned domain event naming both owners, each bumping the version so a stale page
// is refused; an archived lead keeps its owner; a user who is not a Referrals admin cannot own leads.
func TestOwnerAssignFromTheDetailsPage(t *testing.T) {
	f := newLCFixture(t)
	l := f.addLead(t, nil)
	page := f.c.Get(fmt.Sprintf("/leads/%d", l.ID))
	for _, want := range []string{"Nobody owns this lead yet.", `id="btn-assign-me"`, `<option value="` + fmt.Sprint(f.teammate.ID) + `"`} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("details of an unassigned lead lack %q", want)
		}
	}
	post := func(owner string, version int64) *http.Response {
		t.Helper()
		res := f.c.PostForm(fmt.Sprintf("/leads/%d/owner", l.ID), url.Values{"owner": {owner}, "version": {fmt.Sprint(version)}})
		return res.Response
	}
	if res := post("me", 1); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("assign to me: %d", res.StatusCode)
	}
	if got := f.lead(t, l.ID); got.OwnerID != f.worker.ID || got.Version != 2 {
		t.Fatalf("after assign to me: owner %d version %d", got.OwnerID, got.Version)
	}
	page = f.c.Get(fmt.Sprintf("/leads/%d", l.ID))
	for _, want := range []string{`id="owner-now"`, "Aiko Tanaka", "(you)", "Owner changed", "<ins>Aiko Tanaka</ins>", `id="btn-unassign"`} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("details after assign to me lack %q", want)
		}
	}
	if strings.Contains(page.Body, `id="btn-assign-me"`) {
		t.Error("the owner is still offered Assign to me")
	}
	// A page based on version 1 is refused: the lead changed meanwhile.
	if res := post(fmt.Sprint(f.teammate.ID), 1); res.StatusCode != http.StatusConflict {
		t.Errorf("stale assignment: %d, want 409", res.StatusCode)
	}
	if res := post(fmt.Sprint(f.teammate.ID), 2); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("assign to teammate: %d", res.StatusCode)
	}
	page = f.c.Get(fmt.Sprintf("/leads/%d", l.ID))
	if !strings.Contains(page.Body, "<del>Aiko Tanaka</del> → <ins>Ben Ito</ins>") {
		t.Error("the timeline does not show the move from Aiko to Ben")
	}
	// Bad owners name the field: not a number, a Business profile admin, nobody at all.
	for _, owner := range []string{"boss", fmt.Sprint(f.profile.ID), "99999"} {
		res := f.c.PostForm(fmt.Sprintf("/leads/%d/owner", l.ID), url.Values{"owner": {owner}, "version": {"3"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "Owner:") {
			t.Errorf("owner %q: %d, want 422 naming the owner", owner, res.StatusCode)
		}
	}
	if res := post("none", 3); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("unassign: %d", res.StatusCode)
	}
	if got := f.lead(t, l.ID); got.OwnerID != 0 || got.Version != 4 {
		t.Errorf("after unassign: owner %d version %d", got.OwnerID, got.Version)
	}
	// Three events, each with the owners before and after.
	rows, err := f.s.DB.Query(`SELECT payload FROM domain_events WHERE lead_id = ? AND kind = 'lead.assigned' ORDER BY id`, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got [][2]int64
	for rows.Next() {
		var p string
		rows.Scan(&p)
		var v struct {
			Owner, Prev int64
		}
		var raw map[string]any
		json.Unmarshal([]byte(p), &raw)
		if o, ok := raw["owner_id"].(float64); ok {
			v.Owner = int64(o)
		}
		if o, ok := raw["previous_owner_id"].(float64); ok {
			v.Prev = int64(o)
		}
		got = append(got, [2]int64{v.Prev, v.Owner})
	}
	rows.Close()
	want := [][2]int64{{0, f.worker.ID}, {f.worker.ID, f.teammate.ID}, {f.teammate.ID, 0}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("lead.assigned events (previous, owner) = %v, want %v", got, want)
	}

	// An archived lead keeps its owner, read-only.
	arch := f.addLead(t, func(l *lead.Lead) { l.Status, l.Outcome = "archived", "won" })
	res := f.c.PostForm(fmt.Sprintf("/leads/%d/owner", arch.ID), url.Values{"owner": {"me"}})
	if res.StatusCode != http.StatusConflict || f.lead(t, arch.ID).OwnerID != 0 {
		t.Errorf("assigning an archived lead: %d, owner %d", res.StatusCode, f.lead(t, arch.ID).OwnerID)
	}
	if page := f.c.Get(fmt.Sprintf("/leads/%d", arch.ID)); strings.Contains(page.Body, `id="owner-select"`) ||
		!strings.Contains(page.Body, "The owner of an archived lead stays as it was.") {
		t.Error("an archived lead's details offer assignment")
	}
	// A Business profile admin reads leads but cannot assign them.
	pc := f.s.Client()
	pc.Login("pat@example.com")
	if res := pc.PostForm(fmt.Sprintf("/leads/%d/owner", l.ID), url.Values{"owner": {fmt.Sprint(f.worker.ID)}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("profile admin assigning: %d, want 403", res.StatusCode)
	}
}

// Owners in the list: bulk assignment from the list, the owner column with initials, the owner filter
// (me, a user id, none) with its chip, the "My leads" view, the export's Owner column and the API's
// ownerId and owner filter.
func TestOwnerInTheListFilterExportAndAPI(t *testing.T) {
	f := newLCFixture(t)
	a := f.addLead(t, func(l *lead.Lead) { l.CustomerCompany = "Alpha KK" })
	b := f.addLead(t, func(l *lead.Lead) { l.CustomerCompany = "Beta GmbH" })
	c := f.addLead(t, func(l *lead.Lead) { l.CustomerCompany = "Gamma Inc" })
	arch := f.addLead(t, func(l *lead.Lead) { l.CustomerCompany = "Omega Ltd"; l.Status, l.Outcome = "archived", "lost" })

	list := f.c.Get("/leads?tab=marketplace")
	for _, want := range []string{`id="bulk-assign"`, `id="my-leads"`, `name="owner" value="none"`, ">Owner</th>"} {
		if !strings.Contains(list.Body, want) {
			t.Errorf("list lacks %q", want)
		}
	}
	res := f.c.PostForm("/leads/bulk/assign", url.Values{"ids": {fmt.Sprint(a.ID), fmt.Sprint(b.ID), fmt.Sprint(arch.ID)}, "owner": {"me"},
		"next": {"/leads?tab=marketplace"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("bulk assign: %d", res.StatusCode)
	}
	if f.lead(t, a.ID).OwnerID != f.worker.ID || f.lead(t, b.ID).OwnerID != f.worker.ID || f.lead(t, arch.ID).OwnerID != 0 {
		t.Fatal("bulk assign to me did not assign the two open leads (and only them)")
	}
	list = f.c.Get("/leads?tab=marketplace")
	if !strings.Contains(list.Body, "archived leads among the selected ones were left as they were") {
		t.Error("the flash does not say the archived lead was skipped")
	}
	if n := strings.Count(list.Body, `title="Aiko Tanaka" aria-label="Owner: Aiko Tanaka">AT</span>`); n != 2 {
		t.Errorf("owner column shows Aiko's initials %d times, want 2", n)
	}
	if res := f.c.PostForm("/leads/bulk/assign", url.Values{"ids": {fmt.Sprint(c.ID)}, "owner": {fmt.Sprint(f.teammate.ID)}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("bulk assign to Ben: %d", res.StatusCode)
	}
	if res := f.c.PostForm("/leads/bulk/assign", url.Values{"ids": {fmt.Sprint(c.ID)}, "owner": {"x"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("bulk assign to junk: %d, want 422", res.StatusCode)
	}

	rowsOf := func(body string) (out []string) {
		for _, name := range []string{"Alpha KK", "Beta GmbH", "Gamma Inc", "Omega Ltd"} {
			if strings.Contains(body, ">"+name+"</a>") {
				out = append(out, name)
			}
		}
		return out
	}
	for q, want := range map[string]string{
		"owner=me":                           "[Alpha KK Beta GmbH]",
		"owner=" + fmt.Sprint(f.teammate.ID): "[Gamma Inc]",
		"owner=none":                         "[Omega Ltd]",
		"owner=none,me":                      "[Alpha KK Beta GmbH Omega Ltd]",
	} {
		body := f.c.Get("/leads?tab=marketplace&" + q).Body
		if got := fmt.Sprint(rowsOf(body)); got != want {
			t.Errorf("%s: rows %s, want %s", q, got, want)
		}
	}
	my := f.c.Get("/leads?tab=marketplace&owner=me").Body
	if !strings.Contains(my, `id="my-leads" aria-current="page"`) || !strings.Contains(my, "Owner: Me") {
		t.Error("the My leads view is not marked current or lacks its chip")
	}
	// Ben's "me" is Ben.
	ben := f.s.Client()
	ben.Login("ben@example.com")
	if got := fmt.Sprint(rowsOf(ben.Get("/leads?tab=marketplace&owner=me").Body)); got != "[Gamma Inc]" {
		t.Errorf("Ben's leads: %s", got)
	}

	if res := f.c.PostForm(fmt.Sprintf("/leads/%d/activities", a.ID), url.Values{"kind": {"call"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("log call: %d", res.StatusCode)
	}
	csv := f.c.Get("/leads/export.csv?tab=marketplace&owner=me&format=crm").Body
	last := f.s.Clock.Now().UTC().Format(time.RFC3339)
	if !strings.Contains(csv, ",Location,Owner,Activities,LastActivity\r\n") || !strings.Contains(csv, ",aiko@example.com,1,"+last+"\r\n") ||
		!strings.Contains(csv, ",aiko@example.com,0,\r\n") || strings.Contains(csv, "Gamma") {
		t.Errorf("export of my leads:\n%s", csv)
	}

	tok := newToken(t, f.s, "read")
	api := f.s.Client()
	get := func(q string) (int, string) {
		r := api.Get("/api/v1/leads?"+q, "Authorization", "Bearer "+tok)
		return r.StatusCode, r.Body
	}
	if code, body := get("owner=" + fmt.Sprint(f.teammate.ID)); code != http.StatusOK || !strings.Contains(body, fmt.Sprintf(`"ownerId":%d`, f.teammate.ID)) ||
		strings.Contains(body, "Alpha KK") {
		t.Errorf("API owner filter: %d %s", code, body)
	}
	if code, body := get("owner=none"); code != http.StatusOK || strings.Contains(body, "ownerId") || !strings.Contains(body, "Omega Ltd") {
		t.Errorf("API unassigned: %d %s", code, body)
	}
	for _, q := range []string{"owner=me", "owner=ben"} {
		if code, body := get(q); code != http.StatusUnprocessableEntity && code != http.StatusBadRequest || !strings.Contains(body, "owner") {
			t.Errorf("API %s: %d %s", q, code, body)
		}
	}
}
