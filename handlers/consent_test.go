package handlers_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"leaddesk/db"
	"leaddesk/internal/testkit"
)

// One consent rule for every way in (intake.Consent): a lead that says the same thing about the
// customer's wish to be contacted arrives with the same customerRequestedContact and customerConsent,
// whether it came through the marketplace endpoint, the JSON API or a CSV import — as the API then
// serves them to an integration.
func TestEveryEntryPointFollowsTheConsentRule(t *testing.T) {
	cases := []struct {
		name               string
		requested, consent bool
		marketplace        string // LeadSource; "" when the marketplace cannot say this
		api                string // extra JSON fields
		csv                string // CallToAction,CustomerRequestedContact,CustomerConsent
	}{
		{"contact me, nothing stated", true, true, "AppSource-PLT|contoso.crm", `"callToAction": "contact_me"`, "contact_me,,"},
		{"informational, nothing stated", false, false, "AppSource-INS|contoso.crm", `"callToAction": "get_it_now"`, "get_it_now,,"},
		{"asked to be contacted", true, true, "", `"callToAction": "get_it_now", "details": {"customerRequestedContact": true}`, "get_it_now,yes,"},
		{"contact me, but said no", true, false, "", `"callToAction": "contact_me", "customerConsent": false`, "contact_me,,no"},
		{"informational, said yes", false, true, "", `"callToAction": "get_it_now", "customerConsent": true`, "get_it_now,,yes"},
		{"do not contact", false, false, "AppSource-DNC|contoso.crm", `"callToAction": "get_it_now", "customerConsent": false`, "get_it_now,,no"},
	}
	s := testkit.NewServer(t)
	intakeToken, apiToken := newToken(t, s, "intake"), newToken(t, s, "write", "read")
	s.CreateUser("ref@example.com", "Ren Referrals", db.RoleReferrals)
	admin := s.Client()
	admin.Login("ref@example.com")
	admin.Get("/leads/import")

	// served reads the two flags back through the API.
	served := func(t *testing.T, id int64) (requested, consent bool) {
		t.Helper()
		a := get(t, fmt.Sprintf("%s/api/v1/leads/%d", s.URL, id), apiToken)
		details, _ := a.Body["details"].(map[string]any)
		requested, _ = details["customerRequestedContact"].(bool)
		consent, _ = a.Body["customerConsent"].(bool)
		return requested, consent
	}
	check := func(t *testing.T, way string, id int64, wantRequested, wantConsent bool) {
		t.Helper()
		if r, c := served(t, id); r != wantRequested || c != wantConsent {
			t.Errorf("%s: requested contact %v, consent %v; want %v, %v", way, r, c, wantRequested, wantConsent)
		}
	}

	csv := "LeadId,Email,Country,CallToAction,CustomerRequestedContact,CustomerConsent\r\n"
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.marketplace != "" {
				a := post(t, s.URL+"/intake/marketplace/"+intakeToken,
					fmt.Sprintf(`{"UserDetails": {"Email": "m%d@fabrikam.com", "Country": "US"}, "LeadSource": %q}`, i, c.marketplace))
				if a.Status != http.StatusCreated {
					t.Fatalf("marketplace: %d %s", a.Status, a.Raw)
				}
				check(t, "marketplace", leadID(t, a), c.requested, c.consent)
			}
			a := post(t, s.URL+"/api/v1/leads", fmt.Sprintf(`{"customerProfile": {"name": "API %d", "address": {"country": "US"},
				"team": [{"email": "a%d@fabrikam.com"}]}, %s}`, i, i, c.api), "Authorization", "Bearer "+apiToken)
			if a.Status != http.StatusCreated {
				t.Fatalf("API: %d %s", a.Status, a.Raw)
			}
			check(t, "API", leadID(t, a), c.requested, c.consent)
		})
		csv += fmt.Sprintf("CSV-%d,c%d@fabrikam.com,US,%s\r\n", i, i, c.csv)
	}

	res := uploadCSV(t, admin, "consent.csv", csv)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d\n%s", res.StatusCode, res.Body)
	}
	if done := admin.PostForm(res.Header.Get("Location"), nil); !strings.Contains(done.Body, fmt.Sprintf("%d leads imported", len(cases))) {
		t.Fatalf("import: %d\n%s", done.StatusCode, done.Body)
	}
	for i, c := range cases {
		var id int64
		if err := s.DB.QueryRow(`SELECT id FROM leads WHERE external_id = ?`, fmt.Sprintf("CSV-%d", i)).Scan(&id); err != nil {
			t.Fatalf("CSV row %d: %v", i, err)
		}
		check(t, "CSV import, "+c.name, id, c.requested, c.consent)
	}
}
