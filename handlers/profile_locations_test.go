package handlers_test

import (
	"context"
	"database/sql"
	"errors"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"leaddesk/db"
	"leaddesk/internal/testkit"
	"leaddesk/lead"
)

func profileLocationForm(mod func(url.Values)) url.Values {
	f := url.Values{"name": {"Osaka"}, "address": {"大阪市北区梅田1-1"}, "country": {"JP"},
		"contact_name": {"Ken Sato"}, "contact_email": {"osaka@example.com"}, "contact_phone": {"+81 (6) 5555-0100"}}
	if mod != nil {
		mod(f)
	}
	return f
}

func profileAddLead(t *testing.T, s *testkit.Server, locID int64, company string) int64 {
	t.Helper()
	l := &lead.Lead{Tab: "marketplace", LeadType: "profile", Source: "appsource", LocationID: locID, CustomerCompany: company, CreatedAt: testkit.Epoch}
	if err := s.DB.InTx(context.Background(), func(tx *sql.Tx) error { return db.InsertLeadTx(context.Background(), tx, l) }); err != nil {
		t.Fatal(err)
	}
	return l.ID
}

func TestProfileLocationValidation(t *testing.T) {
	s, tokyo := profileServer(t)
	c := profileSignIn(t, s, "pat@example.com")
	cases := []struct {
		name, field, msg string
		mod              func(url.Values)
	}{
		{"no name", "loc_name", "Enter a value.", func(f url.Values) { f.Set("name", " ") }},
		{"no contact name", "loc_contact_name", "Enter a value.", func(f url.Values) { f.Set("contact_name", "") }},
		{"no email", "loc_contact_email", "Enter the email address", func(f url.Values) { f.Set("contact_email", "") }},
		{"email without @", "loc_contact_email", "like name@example.com", func(f url.Values) { f.Set("contact_email", "osaka.example.com") }},
		{"email with a display name", "loc_contact_email", "like name@example.com", func(f url.Values) { f.Set("contact_email", "Ken <ken@example.com>") }},
		{"email without a dotted domain", "loc_contact_email", "like name@example.com", func(f url.Values) { f.Set("contact_email", "ken@localhost") }},
		{"phone with letters", "loc_contact_phone", "6 to 15 digits", func(f url.Values) { f.Set("contact_phone", "+81 3 CALL NOW") }},
		{"phone too short", "loc_contact_phone", "6 to 15 digits", func(f url.Values) { f.Set("contact_phone", "12-34") }},
		{"phone too long", "loc_contact_phone", "6 to 15 digits", func(f url.Values) { f.Set("contact_phone", strings.Repeat("1", 16)) }},
		{"unknown country", "loc_country", "Choose a country/region.", func(f url.Values) { f.Set("country", "XX") }},
		{"no country", "loc_country", "Choose a country/region.", func(f url.Values) { f.Set("country", "") }},
		{"long address", "loc_address", "Use at most 300 characters.", func(f url.Values) { f.Set("address", strings.Repeat("a", 301)) }},
	}
	for _, path := range []string{"/profile/locations", "/profile/locations/" + profileID(tokyo)} {
		for _, tc := range cases {
			t.Run(path+" "+tc.name, func(t *testing.T) {
				before := profileAuditCount(t, s)
				r := c.PostForm(path, profileLocationForm(tc.mod))
				if r.StatusCode != http.StatusUnprocessableEntity {
					t.Fatalf("status %d, want 422", r.StatusCode)
				}
				if !strings.Contains(r.Body, tc.msg) || !strings.Contains(r.Body, `id="`+tc.field+`-err"`) {
					t.Errorf("no message %q at %s", tc.msg, tc.field)
				}
				if tc.field != "loc_address" && !strings.Contains(html.UnescapeString(r.Body), "大阪市北区梅田1-1") {
					t.Error("the other typed values were lost")
				}
				if profileAuditCount(t, s) != before {
					t.Error("something was saved")
				}
			})
		}
	}
	// An empty phone is fine: the mail goes by email.
	if r := c.PostForm("/profile/locations", profileLocationForm(func(f url.Values) { f.Set("contact_phone", "") })); r.StatusCode != http.StatusSeeOther {
		t.Errorf("no phone: %d\n%s", r.StatusCode, r.Body)
	}
}

func TestProfileLocationAddEditAudited(t *testing.T) {
	s, tokyo := profileServer(t)
	c := profileSignIn(t, s, "pat@example.com")
	if r := c.PostForm("/profile/locations", profileLocationForm(nil)); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("add: %d\n%s", r.StatusCode, r.Body)
	}
	if _, action, _ := profileLastAudit(t, s); action != "profile.location.add" {
		t.Errorf("audit %s", action)
	}
	r := c.PostForm("/profile/locations/"+profileID(tokyo), profileLocationForm(func(f url.Values) {
		f.Set("name", "Tokyo HQ")
		f.Set("contact_email", "leads-tokyo@example.com")
	}))
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d\n%s", r.StatusCode, r.Body)
	}
	l, err := s.DB.LocationByID(context.Background(), tokyo)
	if err != nil || l.Name != "Tokyo HQ" || l.ContactEmail != "leads-tokyo@example.com" || l.ContactPhone != "+81 (6) 5555-0100" {
		t.Fatalf("LocationByID = %+v, %v", l, err)
	}
	actor, action, d := profileLastAudit(t, s)
	if action != "profile.location.update" || !actor.Valid {
		t.Fatalf("audit %v %s", actor, action)
	}
	if got := d["contact_email"].([]any); got[0] != "tokyo@example.com" || got[1] != "leads-tokyo@example.com" {
		t.Errorf("audit old → new = %v", got)
	}
	page := html.UnescapeString(c.Get("/profile").Body)
	for _, want := range []string{"Tokyo HQ", "leads-tokyo@example.com", "Osaka", "Japan", "Last changed by Pat Profile"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if r := c.Get("/profile/locations/999/edit"); r.StatusCode != http.StatusNotFound {
		t.Errorf("unknown location: %d", r.StatusCode)
	}
	if _, err := s.DB.LocationByID(context.Background(), 999); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("LocationByID(999) = %v", err)
	}
}

func TestProfileLocationRemoval(t *testing.T) {
	s, tokyo := profileServer(t)
	c := profileSignIn(t, s, "ann@example.com")
	lead1 := profileAddLead(t, s, tokyo, "Contoso KK")
	profileAddLead(t, s, tokyo, "Fabrikam KK")
	remove := "/profile/locations/" + profileID(tokyo) + "/remove"

	// The last location is refused, with or without leads.
	confirm := c.Get(remove)
	if !strings.Contains(confirm.Body, "Tokyo is your only location") {
		t.Errorf("the confirmation does not explain the last location:\n%s", confirm.Body)
	}
	r := c.PostForm(remove, nil)
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "The only location cannot be removed.") {
		t.Fatalf("last location: %d", r.StatusCode)
	}

	if r := c.PostForm("/profile/locations", profileLocationForm(nil)); r.StatusCode != http.StatusSeeOther {
		t.Fatal("add Osaka")
	}
	locs, _ := s.DB.ListLocations(context.Background())
	var osaka int64
	for _, l := range locs {
		if l.Name == "Osaka" {
			osaka = l.ID
		} else if l.LeadCount != 2 {
			t.Errorf("Tokyo lead count = %d", l.LeadCount)
		}
	}

	confirm = c.Get(remove)
	if !strings.Contains(confirm.Body, "2 leads came through Tokyo") || !strings.Contains(confirm.Body, `name="move_to"`) {
		t.Errorf("the confirmation does not offer to move the leads:\n%s", confirm.Body)
	}
	before := profileAuditCount(t, s)
	r = c.PostForm(remove, nil)
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "2 leads name this location.") {
		t.Fatalf("in use: %d\n%s", r.StatusCode, r.Body)
	}
	if profileAuditCount(t, s) != before {
		t.Error("a refused removal changed something")
	}
	if _, err := s.DB.LocationByID(context.Background(), tokyo); err != nil {
		t.Fatal("Tokyo vanished")
	}

	r = c.PostForm(remove, url.Values{"move_to": {"999"}})
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "no longer exists") {
		t.Fatalf("move to a gone location: %d", r.StatusCode)
	}
	if r := c.PostForm("/profile/locations/999/remove", url.Values{"move_to": {profileID(osaka)}}); r.StatusCode != http.StatusNotFound {
		t.Errorf("remove an unknown location: %d", r.StatusCode)
	}
	r = c.PostForm(remove, url.Values{"move_to": {profileID(osaka)}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("move and remove: %d\n%s", r.StatusCode, r.Body)
	}
	if _, err := s.DB.LocationByID(context.Background(), tokyo); !errors.Is(err, db.ErrNotFound) {
		t.Error("Tokyo is still there")
	}
	l, _ := s.DB.LeadByID(context.Background(), lead1)
	if l.LocationID != osaka {
		t.Errorf("lead location = %d, want Osaka %d", l.LocationID, osaka)
	}
	var kind, changes string
	if err := s.DB.QueryRow(`SELECT kind, changes FROM lead_events WHERE lead_id = ? ORDER BY id DESC LIMIT 1`, lead1).Scan(&kind, &changes); err != nil {
		t.Fatal(err)
	}
	if kind != "edited" || changes != `{"location":["Tokyo","Osaka"]}` {
		t.Errorf("lead timeline: %s %s", kind, changes)
	}
	if _, action, _ := profileLastAudit(t, s); action != "profile.location.remove" {
		t.Errorf("audit %s", action)
	}
	// Osaka has the leads now and is the last one: still refused.
	if r := c.PostForm("/profile/locations/"+profileID(osaka)+"/remove", url.Values{"move_to": {profileID(tokyo)}}); r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("removing the last location with a gone target: %d", r.StatusCode)
	}
}
