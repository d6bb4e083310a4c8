package handlers_test

import (
	"net/http"
	"strings"
	"testing"

	"leaddesk/contact"
	"leaddesk/db"
	"leaddesk/handlers"
	"leaddesk/internal/testkit"
)

// withDNS points the server's email-domain checks at a DNS server on loopback.
func withDNS(addr string) testkit.Option {
	return func(d *handlers.Deps) { d.DNS = contact.NewResolver(addr, d.Clock.Now) }
}

var intakeZone = []string{
	"contoso.example. 300 IN MX 10 mail.contoso.example.",
	"fabrikam.example. 300 IN A 192.0.2.10",
	"nomail.example. 300 IN TXT \"no mail here\"",
}

// Every way in asks DNS whether the email domain takes mail: a domain that does not exist, or has
// neither MX nor address records, makes the address invalid (and the lead low quality).
func TestIntakePathsCheckTheEmailDomainInDNS(t *testing.T) {
	dns := testkit.NewDNSServer(t, intakeZone...)
	s := testkit.NewServer(t, withDNS(dns.Addr))
	validity := func(id int64) (string, string) {
		t.Helper()
		l, err := s.DB.LeadByID(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		return l.EmailValidity, l.Quality
	}

	t.Run("marketplace", func(t *testing.T) {
		url := s.URL + "/intake/marketplace/" + newToken(t, s, "intake")
		for email, want := range map[string]string{"aiko@contoso.example": "valid", "aiko@gone.example": "invalid", "aiko@nomail.example": "invalid"} {
			a := post(t, url, strings.Replace(examplePayload, "aiko.sato@contoso.co.jp", email, 1))
			if a.Status != http.StatusCreated {
				t.Fatalf("%s: %d %s", email, a.Status, a.Raw)
			}
			if v, q := validity(leadID(t, a)); v != want || (want == "invalid") != (q == "low") {
				t.Errorf("%s: %s/%s, want %s", email, v, q, want)
			}
		}
	})
	t.Run("api", func(t *testing.T) {
		a := post(t, s.URL+"/api/v1/leads", strings.Replace(qualifiedLead, "aiko.sato@contoso.co.jp", "aiko@gone.example", 1),
			"Authorization", "Bearer "+newToken(t, s, "write"))
		if a.Status != http.StatusCreated {
			t.Fatalf("%d %s", a.Status, a.Raw)
		}
		if v, _ := validity(leadID(t, a)); v != "invalid" {
			t.Errorf("API lead with a non-existent domain: %s", v)
		}
	})
	t.Run("csv", func(t *testing.T) {
		s.CreateUser("ref@example.com", "Ren Referrals", db.RoleReferrals)
		c := s.Client()
		c.Login("ref@example.com")
		c.Get("/leads/import")
		file := "LeadId,CustomerCompany,ContactName,Email,Country,Source,LeadType,CallToAction,Offer\r\n"
		for i, email := range []string{"a@fabrikam.example", "b@fabrikam.example", "c@FABRIKAM.example", "d@nomail.example", "e@nomail.example"} {
			file += "CSV-" + string(rune('1'+i)) + ",Fabrikam,Bob," + email + ",US,appsource,offer,contact_me,Fabrikam VM\r\n"
		}
		res := uploadCSV(t, c, "leads.csv", file)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("upload: %d\n%s", res.StatusCode, res.Body)
		}
		if done := c.PostForm(res.Header.Get("Location"), nil); !strings.Contains(done.Body, "5 leads imported") {
			t.Fatalf("confirm: %d\n%s", done.StatusCode, done.Body)
		}
		rows, err := s.DB.Query(`SELECT contact_email, email_validity FROM leads WHERE external_id LIKE 'CSV-%'`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var email, v string
			rows.Scan(&email, &v)
			if want := map[bool]string{true: "valid", false: "invalid"}[strings.Contains(strings.ToLower(email), "fabrikam")]; v != want {
				t.Errorf("%s: %s, want %s", email, v, want)
			}
		}
		// One lookup per distinct domain, whatever the number of rows (preview and import share the cache).
		if n := dns.Queries("fabrikam.example.", "MX"); n != 1 {
			t.Errorf("fabrikam.example was asked %d times for MX, want once", n)
		}
		if n := dns.Queries("nomail.example.", "MX"); n != 1 {
			t.Errorf("nomail.example was asked %d times for MX, want once", n)
		}
	})
}
