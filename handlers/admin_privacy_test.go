package handlers_test

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"leaddesk/db"
	"leaddesk/internal/testkit"
	"leaddesk/lead"
	"leaddesk/leads"
	"leaddesk/lifecycle"
)

// TestAdminPrivacyErasesAPersonAfterAPreview goes through Admin › Privacy as an Account admin: bad
// input answers 422 naming the field, the preview lists the lead, the erasure removes the contact from
// the lead page and lists the run by hash; other roles get 403.
func TestAdminPrivacyErasesAPersonAfterAPreview(t *testing.T) {
	s := testkit.NewServer(t)
	s.CreateUser("root@example.com", "Rika Admin", db.RoleAccount)
	s.CreateUser("ref@example.com", "Ren Referrals", db.RoleReferrals)
	id, _, err := s.Leads.Receive(t.Context(), lead.Actor{Label: "marketplace"}, &lead.Lead{Tab: "marketplace", LeadType: "offer", CTA: "contact_me",
		Source: "appsource", CustomerCompany: "Fabrikam", Country: "JP", ContactFirstName: "Hanako", ContactLastName: "Yamamura",
		ContactEmail: "hanako@fabrikam.example", ContactPhone: "+81 3-1234-5678"})
	if err != nil {
		t.Fatal(err)
	}
	c := s.Client()
	c.Login("root@example.com")
	if res := c.Get("/admin"); !strings.Contains(res.Body, `href="/admin/privacy"`) {
		t.Errorf("the admin index does not link Privacy")
	}
	if res := c.PostForm("/admin/privacy/preview", url.Values{"email": {"not-an-address"}}); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(res.Body, "Enter a valid email address") {
		t.Errorf("bad address: %d", res.StatusCode)
	}
	res := c.PostForm("/admin/privacy/preview", url.Values{"phone": {"81312345678"}})
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "Found in 1 records") || !strings.Contains(res.Body, "/leads/"+itoa(id)) {
		t.Fatalf("preview by phone: %d\n%s", res.StatusCode, res.Body)
	}
	if res := c.PostForm("/admin/privacy/erase", url.Values{"phone": {"81312345678"}, "reason": {""}}); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(res.Body, "Enter a reason") {
		t.Errorf("no reason: %d", res.StatusCode)
	}
	if res := c.PostForm("/admin/privacy/erase", url.Values{"phone": {"81312345678"}, "reason": {"Ticket 88"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("erase: %d\n%s", res.StatusCode, res.Body)
	}
	page := c.Get("/admin/privacy").Body
	if !strings.Contains(page, "Erased.") || !strings.Contains(page, "Ticket 88") || !strings.Contains(page, "sha256:") || strings.Contains(page, `value="81312345678"`) {
		t.Errorf("the page does not list the run by hash:\n%s", page)
	}
	if show := c.Get("/leads/" + itoa(id)).Body; strings.Contains(show, "Yamamura") || strings.Contains(show, "hanako@") || !strings.Contains(show, "Fabrikam") {
		t.Errorf("the lead page still shows the person, or lost the company")
	}
	r := s.Client()
	r.Login("ref@example.com")
	if res := r.Get("/admin/privacy"); res.StatusCode != http.StatusForbidden {
		t.Errorf("Referrals admin on Privacy: %d; want 403", res.StatusCode)
	}
}

// TestAdminPrivacySettings saves the retention rules and the mail setting; a bad number of days is a
// 422 naming the row, and nothing is stored.
func TestAdminPrivacySettings(t *testing.T) {
	s := testkit.NewServer(t)
	s.CreateUser("root@example.com", "Rika Admin", db.RoleAccount)
	c := s.Client()
	c.Login("root@example.com")
	page := c.Get("/admin/privacy")
	if page.StatusCode != http.StatusOK || !strings.Contains(page.Body, `name="days_declined" inputmode="numeric" size="5" maxlength="4" value="180"`) {
		t.Fatalf("the defaults are not shown: %d", page.StatusCode)
	}
	form := url.Values{"action_declined": {"delete"}, "days_declined": {"0"}, "action_expired": {"keep"}, "action_lost": {"keep"}, "action_won": {"keep"}}
	if res := c.PostForm("/admin/privacy/settings", form); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "Enter a number of days from 1 to 3650") {
		t.Errorf("0 days: %d", res.StatusCode)
	}
	form.Set("days_declined", "90")
	form.Set("kind_declined", "qualified")
	if res := c.PostForm("/admin/privacy/settings", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", res.StatusCode)
	}
	got, err := s.DB.PrivacySettings(t.Context())
	if err != nil || got.MailWithoutPersonalData || got.Retention != `[{"outcome":"declined","kind":"qualified","days":90,"action":"delete"},{"outcome":"expired","kind":"","days":0,"action":"keep"},{"outcome":"lost","kind":"","days":0,"action":"keep"},{"outcome":"won","kind":"","days":0,"action":"keep"}]` {
		t.Errorf("stored: %+v %v", got, err)
	}
}

// TestAdminPrivacyExportRoundTrips downloads a person's data as JSON and CSV: the JSON decodes back
// into what was stored (lead, timeline, extra contact entry, mail), the CSV holds the same values.
func TestAdminPrivacyExportRoundTrips(t *testing.T) {
	s := testkit.NewServer(t)
	s.CreateUser("root@example.com", "Rika Admin", db.RoleAccount)
	ren := s.CreateUser("ref@example.com", "Ren Referrals", db.RoleReferrals)
	ctx := t.Context()
	id, _, err := s.Leads.Receive(ctx, lead.Actor{Label: "marketplace"}, &lead.Lead{Tab: "marketplace", LeadType: "offer", CTA: "contact_me",
		Source: "appsource", CustomerCompany: "Fabrikam", Country: "FR", ContactFirstName: "Amélie", ContactLastName: "Poulain, \"Jr\"",
		ContactEmail: "amelie@fabrikam.example", Description: "Appelez-moi\nle matin", EmailValidity: "valid", CustomerConsent: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Leads.Decline(ctx, ren.LeadActor(), id, 0, "budget", ""); err != nil {
		t.Fatal(err)
	}
	other, _, err := s.Leads.Receive(ctx, lead.Actor{Label: "marketplace"}, &lead.Lead{Tab: "marketplace", LeadType: "offer", CTA: "contact_me",
		Source: "appsource", CustomerCompany: "Contoso", ContactEmail: "someone@contoso.example"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Leads.Accept(ctx, ren.LeadActor(), other, 0, lifecycle.Deal{Name: "Contoso"}, nil, []lead.Contact{{Name: "Amélie P.", Email: "AMELIE@fabrikam.example"}}); err != nil {
		t.Fatal(err)
	}
	c := s.Client()
	c.Login("root@example.com")
	res := c.PostForm("/admin/privacy/export", url.Values{"email": {"amelie@fabrikam.example"}, "format": {"json"}})
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Disposition"), "attachment") || strings.Contains(res.Header.Get("Content-Disposition"), "amelie") {
		t.Fatalf("JSON export: %d %q", res.StatusCode, res.Header.Get("Content-Disposition"))
	}
	var got leads.PersonExport
	if err := json.Unmarshal([]byte(res.Body), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Leads) != 1 || got.Leads[0].LastName != `Poulain, "Jr"` || got.Leads[0].Message != "Appelez-moi\nle matin" || !got.Leads[0].Consent ||
		got.Leads[0].Outcome != "declined" || len(got.Leads[0].Timeline) != 2 || got.Leads[0].Timeline[1].Kind != "declined" {
		t.Errorf("JSON lead: %+v", got.Leads)
	}
	if len(got.Contacts) != 1 || got.Contacts[0].Name != "Amélie P." || got.Contacts[0].LeadID != other {
		t.Errorf("JSON contacts: %+v", got.Contacts)
	}
	if len(got.Mail) != 1 || got.Mail[0].Kind != "decline_customer" {
		t.Errorf("JSON mail: %+v", got.Mail)
	}
	res = c.PostForm("/admin/privacy/export", url.Values{"email": {"amelie@fabrikam.example"}, "format": {"csv"}})
	rows, err := csv.NewReader(strings.NewReader(res.Body)).ReadAll()
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("CSV export: %d %v", res.StatusCode, err)
	}
	values := map[string]string{}
	for _, r := range rows[1:] {
		values[r[0]+"/"+r[4]] = r[5]
	}
	if values["lead/last_name"] != `Poulain, "Jr"` || values["lead/message"] != "Appelez-moi\nle matin" || values["contact/name"] != "Amélie P." ||
		values["mail/kind"] != "decline_customer" || values["timeline/kind"] != "declined" {
		t.Errorf("CSV values: %v", values)
	}
	if res := c.PostForm("/admin/privacy/export", url.Values{"email": {"nope"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("bad address: %d", res.StatusCode)
	}
}

// TestAdminPrivacyRecords states the retention of the current rules and downloads as CSV.
func TestAdminPrivacyRecords(t *testing.T) {
	s := testkit.NewServer(t)
	s.CreateUser("root@example.com", "Rika Admin", db.RoleAccount)
	c := s.Client()
	c.Login("root@example.com")
	page := c.Get("/admin/privacy/records")
	if page.StatusCode != http.StatusOK || !strings.Contains(page.Body, "Declined (Any kind): Anonymise after 180 days") ||
		!strings.Contains(page.Body, "test leads: deleted after 30 days") || strings.Contains(page.Body, "⟦") {
		t.Fatalf("records page: %d\n%s", page.StatusCode, page.Body)
	}
	res := c.Get("/admin/privacy/records?format=csv")
	rows, err := csv.NewReader(strings.NewReader(res.Body)).ReadAll()
	if err != nil || len(rows) != 9 || rows[1][3] != "Referrals admin, Business profile admin, Account admin" {
		t.Errorf("records CSV: %v %v", rows, err)
	}
}
