package handlers_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"leaddesk/handlers"
	"leaddesk/internal/testkit"
	"leaddesk/lead"
)

// examplePayload is the README's documented marketplace example.
const examplePayload = `{
  "UserDetails": {
    "FirstName": "Aiko", "LastName": "Sato", "Email": "aiko.sato@contoso.co.jp",
    "Phone": "+81 3-1234-5678", "Country": "Japan", "Company": "Contoso KK", "Title": "CTO"
  },
  "LeadSource": "AppSource-PLT|contoso.crm",
  "ActionCode": "PLT",
  "OfferTitle": "Contoso CRM",
  "Description": "Please call me about licensing for 50 seats."
}`

// camelPayload is the same lead as the live service sends it: camelCase keys.
const camelPayload = `{"userDetails": {"firstName": "Aiko", "lastName": "Sato", "email": "aiko.sato@contoso.co.jp",
  "phone": "+81 3-1234-5678", "country": "JP", "company": "Contoso KK", "title": "CTO"},
  "leadSource": "AppSource-PLT|contoso.crm", "actionCode": "PLT", "offerTitle": "Contoso CRM",
  "description": "Please call me about licensing for 50 seats.", "someNewField": {"nested": true}}`

func newToken(t *testing.T, s *testkit.Server, scopes ...string) string {
	t.Helper()
	secret, _, err := s.DB.CreateToken(t.Context(), "test "+strings.Join(scopes, "+"), scopes, 0, "test", s.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

type apiAnswer struct {
	Status int
	Body   map[string]any
	Raw    string
}

func post(t *testing.T, url, body string, headers ...string) apiAnswer {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return doJSON(t, req)
}

func doJSON(t *testing.T, req *http.Request) apiAnswer {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(res.Body)
	a := apiAnswer{Status: res.StatusCode, Raw: buf.String()}
	json.Unmarshal(buf.Bytes(), &a.Body)
	return a
}

func leadID(t *testing.T, a apiAnswer) int64 {
	t.Helper()
	id, ok := a.Body["id"].(float64)
	if !ok {
		t.Fatalf("no id in %d %s", a.Status, a.Raw)
	}
	return int64(id)
}

func TestMarketplaceExamplePayloadBecomesALead(t *testing.T) {
	s := testkit.NewServer(t)
	url := s.URL + "/intake/marketplace/" + newToken(t, s, "intake")

	first := post(t, url, examplePayload)
	if first.Status != http.StatusCreated {
		t.Fatalf("first delivery: %d %s", first.Status, first.Raw)
	}
	l, err := s.DB.LeadByID(t.Context(), leadID(t, first))
	if err != nil {
		t.Fatal(err)
	}
	want := lead.Lead{Tab: "marketplace", LeadType: "offer", Source: "appsource", CTA: "contact_me", OfferID: "contoso.crm",
		OfferTitle: "Contoso CRM", CustomerCompany: "Contoso KK", ContactFirstName: "Aiko", ContactLastName: "Sato", ContactTitle: "CTO",
		ContactEmail: "aiko.sato@contoso.co.jp", ContactPhone: "+81 3-1234-5678", Country: "JP", EmailValidity: "valid",
		PhoneValidity: "valid", Quality: "high", Status: "received", Description: "Please call me about licensing for 50 seats."}
	got := lead.Lead{Tab: l.Tab, LeadType: l.LeadType, Source: l.Source, CTA: l.CTA, OfferID: l.OfferID, OfferTitle: l.OfferTitle,
		CustomerCompany: l.CustomerCompany, ContactFirstName: l.ContactFirstName, ContactLastName: l.ContactLastName, ContactTitle: l.ContactTitle,
		ContactEmail: l.ContactEmail, ContactPhone: l.ContactPhone, Country: l.Country, EmailValidity: l.EmailValidity,
		PhoneValidity: l.PhoneValidity, Quality: l.Quality, Status: l.Status, Description: l.Description}
	if got != want {
		t.Errorf("stored lead\n got %+v\nwant %+v", got, want)
	}
	if !l.Actionable || !l.CustomerRequestedContact || l.IsTest || l.ExpiresAt == nil || !l.ExpiresAt.Equal(testkit.Epoch.Add(14*24*time.Hour)) {
		t.Errorf("actionable=%v requested=%v test=%v expires=%v", l.Actionable, l.CustomerRequestedContact, l.IsTest, l.ExpiresAt)
	}
	var items int
	s.DB.QueryRow(`SELECT COUNT(*) FROM action_items WHERE lead_id = ?`, l.ID).Scan(&items)
	if items != 2 {
		t.Errorf("action items for the new contact-me lead = %d, want new_lead + requested_contact", items)
	}

	// The same lead again, as the live service spells it: the same lead, answered 200.
	again := post(t, url, camelPayload)
	if again.Status != http.StatusOK || leadID(t, again) != l.ID {
		t.Errorf("camelCase repeat: %d %s, want 200 with id %d", again.Status, again.Raw, l.ID)
	}
	// A day later the same person asking again is a new lead.
	s.Clock.Advance(25 * time.Hour)
	if later := post(t, url, camelPayload); later.Status != http.StatusCreated {
		t.Errorf("a day later: %d %s", later.Status, later.Raw)
	}
}

func TestMarketplaceCamelCaseFieldsParse(t *testing.T) {
	s := testkit.NewServer(t)
	a := post(t, s.URL+"/intake/marketplace/"+newToken(t, s, "intake"), camelPayload)
	if a.Status != http.StatusCreated {
		t.Fatalf("%d %s", a.Status, a.Raw)
	}
	l, _ := s.DB.LeadByID(t.Context(), leadID(t, a))
	if l.ContactEmail != "aiko.sato@contoso.co.jp" || l.Country != "JP" || l.CTA != "contact_me" || l.Source != "appsource" || l.CustomerCompany != "Contoso KK" {
		t.Errorf("camelCase lead = %+v", l)
	}
}

func TestMarketplaceActionCodes(t *testing.T) {
	s := testkit.NewServer(t)
	url := s.URL + "/intake/marketplace/" + newToken(t, s, "intake")
	for i, c := range []struct{ source, action, title, cta, src string }{
		{"AzureMarketplace-INS|contoso.vm", "INS", "Contoso VM", "get_it_now", "azure_marketplace"},
		{"AzureMarketplace-INS|contoso.vm", "INS", "Contoso VM free trial", "free_trial", "azure_marketplace"},
		{"SPZA-StartTestDrive|contoso.crm", "", "Contoso CRM", "test_drive", "appsource"},
		{"AzurePortal-Create|contoso.db", "Create", "Contoso DB", "get_it_now", "azure_portal"},
		{"AppSource-DNC|contoso.crm", "DNC", "Contoso CRM", "get_it_now", "appsource"},
		{"AzureMarketplace", "PLT", "Contoso CRM", "contact_me", "azure_marketplace"}, // the short form: action from ActionCode
	} {
		body := fmt.Sprintf(`{"UserDetails":{"Email":"buyer%d@fabrikam.com","Country":"US"},"LeadSource":%q,"ActionCode":%q,"OfferTitle":%q}`, i, c.source, c.action, c.title)
		a := post(t, url, body)
		if a.Status != http.StatusCreated {
			t.Errorf("%s: %d %s", c.source, a.Status, a.Raw)
			continue
		}
		l, _ := s.DB.LeadByID(t.Context(), leadID(t, a))
		if l.CTA != c.cta || l.Source != c.src {
			t.Errorf("%s %q: cta %s source %s, want %s %s", c.source, c.title, l.CTA, l.Source, c.cta, c.src)
		}
		if l.Actionable != (c.cta == "contact_me") {
			t.Errorf("%s: actionable = %v", c.source, l.Actionable)
		}
	}
}

func TestMarketplaceTestLeadsAreFlaggedAndSilent(t *testing.T) {
	s := testkit.NewServer(t)
	body := strings.Replace(examplePayload, `"Contoso KK"`, `"MSFT_TEST Contoso"`, 1)
	a := post(t, s.URL+"/intake/marketplace/"+newToken(t, s, "intake"), body)
	if a.Status != http.StatusCreated {
		t.Fatalf("%d %s", a.Status, a.Raw)
	}
	l, _ := s.DB.LeadByID(t.Context(), leadID(t, a))
	if !l.IsTest {
		t.Error("an MSFT_TEST lead is not flagged as a test")
	}
	counts, _ := s.DB.TabCounts(t.Context(), 0)
	var items, mails int
	s.DB.QueryRow(`SELECT COUNT(*) FROM action_items`).Scan(&items)
	s.DB.QueryRow(`SELECT COUNT(*) FROM outbox`).Scan(&mails)
	if counts["marketplace"] != 0 || items != 0 || mails != 0 {
		t.Errorf("test lead counted (%d) or notified (%d items, %d mails)", counts["marketplace"], items, mails)
	}
}

func TestMarketplaceBadInputNamesTheField(t *testing.T) {
	s := testkit.NewServer(t)
	url := s.URL + "/intake/marketplace/" + newToken(t, s, "intake")
	for name, c := range map[string]struct {
		body   string
		fields []string
	}{
		"not JSON":       {`{"UserDetails": `, []string{"body"}},
		"an array":       {`[1,2]`, []string{"body"}},
		"empty":          {``, []string{"body"}},
		"wrong types":    {`{"UserDetails":{"Email":42,"FirstName":["a"]},"LeadSource":true}`, []string{"UserDetails.FirstName", "LeadSource"}},
		"no contact":     {`{"UserDetails":{"FirstName":"A"},"LeadSource":"AppSource-PLT|a.b"}`, []string{"UserDetails.Email"}},
		"bad source":     {`{"UserDetails":{"Email":"a@b.com"},"LeadSource":"Bing-PLT|a.b"}`, []string{"LeadSource"}},
		"bad action":     {`{"UserDetails":{"Email":"a@b.com"},"LeadSource":"AppSource-XYZ|a.b"}`, []string{"LeadSource"}},
		"bad country":    {`{"UserDetails":{"Email":"a@b.com","Country":"Atlantis"},"LeadSource":"AppSource-PLT|a.b"}`, []string{"UserDetails.Country"}},
		"details object": {`{"UserDetails":"Aiko","LeadSource":"AppSource-PLT|a.b"}`, []string{"UserDetails"}},
		"huge name":      {`{"UserDetails":{"Email":"a@b.com","FirstName":"` + strings.Repeat("x", 300) + `"},"LeadSource":"AppSource-PLT|a.b"}`, []string{"UserDetails.FirstName"}},
	} {
		a := post(t, url, c.body)
		if a.Status != http.StatusBadRequest {
			t.Errorf("%s: %d %s", name, a.Status, a.Raw)
			continue
		}
		for _, f := range c.fields {
			if !strings.Contains(a.Raw, `"field":"`+f+`"`) {
				t.Errorf("%s: answer does not name %s: %s", name, f, a.Raw)
			}
		}
	}
	// 10 MB: refused with 413, and the server is still up.
	big := `{"Description":"` + strings.Repeat("x", 10<<20) + `"}`
	if a := post(t, url, big); a.Status != http.StatusRequestEntityTooLarge || !strings.Contains(a.Raw, `"status":413`) {
		t.Errorf("10 MB body: %d %.200s", a.Status, a.Raw)
	}
	if a := post(t, url, examplePayload); a.Status != http.StatusCreated {
		t.Errorf("after the bad input: %d %s", a.Status, a.Raw)
	}
	var n int
	s.DB.QueryRow(`SELECT COUNT(*) FROM leads`).Scan(&n)
	if n != 1 {
		t.Errorf("%d leads stored, want only the good one", n)
	}
}

func TestMarketplaceControlCharactersAreRemoved(t *testing.T) {
	s := testkit.NewServer(t)
	body := `{"UserDetails":{"Email":"a@contoso.com","FirstName":"Ai\u0000ko\u001b[31m","Company":"Con\ttoso"},"LeadSource":"AppSource-PLT|a.b","Description":"line 1\nline 2\u0007"}`
	a := post(t, s.URL+"/intake/marketplace/"+newToken(t, s, "intake"), body)
	if a.Status != http.StatusCreated {
		t.Fatalf("%d %s", a.Status, a.Raw)
	}
	l, _ := s.DB.LeadByID(t.Context(), leadID(t, a))
	if l.ContactFirstName != "Aiko[31m" || l.CustomerCompany != "Con toso" || l.Description != "line 1\nline 2" {
		t.Errorf("cleaned: %q %q %q", l.ContactFirstName, l.CustomerCompany, l.Description)
	}
}

func TestMarketplaceTokens(t *testing.T) {
	s := testkit.NewServer(t)
	good := newToken(t, s, "intake")
	readOnly := newToken(t, s, "read")
	for name, url := range map[string]string{
		"unknown token":   s.URL + "/intake/marketplace/ld_not-a-real-token",
		"read-only token": s.URL + "/intake/marketplace/" + readOnly,
	} {
		if a := post(t, url, examplePayload); a.Status != http.StatusUnauthorized || a.Body["error"] == nil {
			t.Errorf("%s: %d %s", name, a.Status, a.Raw)
		}
	}
	if a := post(t, s.URL+"/intake/marketplace/"+good, examplePayload); a.Status != http.StatusCreated {
		t.Fatalf("good token: %d %s", a.Status, a.Raw)
	}
	toks, _ := s.DB.ListTokens(t.Context())
	for _, tk := range toks {
		if tk.Has("intake") && (tk.LastUsedAt == nil || !tk.LastUsedAt.Equal(testkit.Epoch)) {
			t.Errorf("last use of the intake token = %v", tk.LastUsedAt)
		}
		if tk.Has("intake") {
			if err := s.DB.RevokeToken(t.Context(), tk.ID, 0, s.Clock.Now()); err != nil {
				t.Fatal(err)
			}
		}
	}
	if a := post(t, s.URL+"/intake/marketplace/"+good, examplePayload); a.Status != http.StatusUnauthorized {
		t.Errorf("revoked token: %d %s", a.Status, a.Raw)
	}
}

// TestMarketplaceDuplicateStorm sends one lead from 50 clients at once: exactly one lead is stored,
// one client hears 201, and the other 49 hear 200 with the same id.
func TestMarketplaceDuplicateStorm(t *testing.T) {
	s := testkit.NewServer(t)
	url := s.URL + "/intake/marketplace/" + newToken(t, s, "intake")
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	ids := map[int64]bool{}
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := post(t, url, examplePayload)
			mu.Lock()
			defer mu.Unlock()
			statuses[a.Status]++
			if id, ok := a.Body["id"].(float64); ok {
				ids[int64(id)] = true
			}
		}()
	}
	wg.Wait()
	var n int
	s.DB.QueryRow(`SELECT COUNT(*) FROM leads`).Scan(&n)
	if n != 1 || statuses[201] != 1 || statuses[200] != 49 || len(ids) != 1 {
		t.Errorf("leads %d, statuses %v, distinct ids %d", n, statuses, len(ids))
	}
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

// TestMarketplaceTokenNeverLogged sends good, bad and failing deliveries and checks the log never
// holds the token.
func TestMarketplaceTokenNeverLogged(t *testing.T) {
	var logBuf syncBuffer
	s := testkit.NewServer(t, func(d *handlers.Deps) { d.Log = slog.New(slog.NewTextHandler(&logBuf, nil)) })
	tok := newToken(t, s, "intake")
	post(t, s.URL+"/intake/marketplace/"+tok, examplePayload)
	post(t, s.URL+"/intake/marketplace/"+tok, `{"broken":`)
	post(t, s.URL+"/intake/marketplace/"+tok+"x", examplePayload)
	s.DB.Close() // the next delivery fails with a 500, which is logged
	if a := post(t, s.URL+"/intake/marketplace/"+tok, camelPayload); a.Status != http.StatusInternalServerError {
		t.Errorf("with the database closed: %d", a.Status)
	}
	if logBuf.String() == "" || strings.Contains(logBuf.String(), tok) {
		t.Errorf("the log holds the token (or nothing):\n%s", logBuf.String())
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
