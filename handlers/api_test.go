package handlers_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"leaddesk/db"
	"leaddesk/internal/testkit"
)

func get(t *testing.T, url, token string) apiAnswer {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return doJSON(t, req)
}

const qualifiedLead = `{
  "externalReferenceId": "MS-REF-1001",
  "name": "Contoso cloud migration",
  "qualification": "SalesQualified",
  "customerProfile": {"name": "Contoso KK", "address": {"country": "JP", "city": "Tokyo"},
    "team": [{"firstName": "Aiko", "lastName": "Sato", "email": "aiko.sato@contoso.co.jp", "phoneNumber": "+81 3-1234-5678"}]},
  "details": {"notes": "Wants a demo", "dealValue": 1250000, "currency": "JPY", "customerRequestedContact": true},
  "sender": {"name": "Ken Ito", "email": "ken.ito@microsoft.com"}
}`

func TestAPICreatesQualifiedLeadsAndReadsThemBack(t *testing.T) {
	s := testkit.NewServer(t)
	writer := newToken(t, s, "write")
	reader := newToken(t, s, "read")

	a := post(t, s.URL+"/api/v1/leads", qualifiedLead, "Authorization", "Bearer "+writer)
	if a.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", a.Status, a.Raw)
	}
	id := leadID(t, a)
	if again := post(t, s.URL+"/api/v1/leads", qualifiedLead, "Authorization", "Bearer "+writer); again.Status != http.StatusOK || leadID(t, again) != id {
		t.Errorf("same externalReferenceId again: %d %s", again.Status, again.Raw)
	}
	l, _ := s.DB.LeadByID(t.Context(), id)
	if l.Tab != "qualified" || l.Classification != "sales_qualified" || l.SenderEmail != "ken.ito@microsoft.com" || l.DealValue != 1250000 || l.ExpiresAt == nil {
		t.Errorf("stored: %+v", l)
	}

	one := get(t, fmt.Sprintf("%s/api/v1/leads/%d", s.URL, id), reader)
	if one.Status != http.StatusOK {
		t.Fatalf("get: %d %s", one.Status, one.Raw)
	}
	for _, want := range []string{`"qualification":"SalesQualified"`, `"status":"New"`, `"substatus":"Received"`, `"createdDateTime":"2026-11-30T09:00:00Z"`,
		`"expirationDateTime":"2026-12-14T09:00:00Z"`, `"team":[{"firstName":"Aiko","lastName":"Sato","email":"aiko.sato@contoso.co.jp"`,
		`"address":{"country":"JP","city":"Tokyo"}`, `"dealValue":1250000`, `"customerRequestedContact":true`, `"emailValidity":"valid"`} {
		if !strings.Contains(one.Raw, want) {
			t.Errorf("GET lacks %s:\n%s", want, one.Raw)
		}
	}
	// Scopes: a reader cannot create, a writer cannot read, nobody without a token gets in.
	if a := post(t, s.URL+"/api/v1/leads", qualifiedLead, "Authorization", "Bearer "+reader); a.Status != http.StatusUnauthorized {
		t.Errorf("read token posting: %d", a.Status)
	}
	if a := get(t, s.URL+"/api/v1/leads", writer); a.Status != http.StatusUnauthorized {
		t.Errorf("write token listing: %d", a.Status)
	}
	if a := get(t, s.URL+"/api/v1/leads", ""); a.Status != http.StatusUnauthorized || !strings.Contains(a.Raw, `"error"`) {
		t.Errorf("no token: %d %s", a.Status, a.Raw)
	}
}

func TestAPIHistoricalLeadsArriveInTheirState(t *testing.T) {
	s := testkit.NewServer(t)
	tok := newToken(t, s, "intake", "read")
	old := `{"callToAction": "contact_me", "leadSource": "AppSource", "offerTitle": "Contoso CRM", "createdDateTime": "2026-10-01T09:00:00Z",
	  "customerProfile": {"name": "Old Co", "address": {"country": "US"}, "team": [{"firstName": "Old", "lastName": "Timer", "email": "old@oldco.com"}]}}`
	a := post(t, s.URL+"/api/v1/leads", old, "Authorization", "Bearer "+tok)
	if a.Status != http.StatusCreated {
		t.Fatalf("%d %s", a.Status, a.Raw)
	}
	one := get(t, fmt.Sprintf("%s/api/v1/leads/%d", s.URL, leadID(t, a)), tok)
	if !strings.Contains(one.Raw, `"substatus":"Expired"`) || !strings.Contains(one.Raw, `"contactHidden":true`) ||
		strings.Contains(one.Raw, "old@oldco.com") || !strings.Contains(one.Raw, `"createdDateTime":"2026-10-01T09:00:00Z"`) {
		t.Errorf("a 60-day-old unanswered lead should arrive expired, without contact details:\n%s", one.Raw)
	}
	won := strings.Replace(old, `"createdDateTime"`, `"status": "Closed", "substatus": "Won", "createdDateTime"`, 1)
	won = strings.Replace(won, "old@oldco.com", "won@oldco.com", 1)
	a = post(t, s.URL+"/api/v1/leads", won, "Authorization", "Bearer "+tok)
	l, _ := s.DB.LeadByID(t.Context(), leadID(t, a))
	if l.Status != "archived" || l.Outcome != "won" {
		t.Errorf("given status kept? %s/%s", l.Status, l.Outcome)
	}
}

func TestAPIBadInputNamesTheField(t *testing.T) {
	s := testkit.NewServer(t)
	tok := newToken(t, s, "write", "read")
	for body, field := range map[string]string{
		`{"qualification": "SalesQualified", "customerProfile": {"name": "X"}}`:                                       "sender.email",
		`{"qualification": "Bogus", "customerProfile": {"name": "X"}}`:                                                "qualification",
		`{"callToAction": "call_me", "customerProfile": {"name": "X"}}`:                                               "callToAction",
		`{"callToAction": "contact_me", "customerProfile": {"name": "X", "address": {"country": "Narnia"}}}`:          "customerProfile.address.country",
		`{"callToAction": "contact_me", "customerProfile": {"name": 42}}`:                                             "customerProfile.name",
		`{"callToAction": "contact_me", "customerProfile": {"name": "X"}, "createdDateTime": "yesterday"}`:            "createdDateTime",
		`{"callToAction": "contact_me", "customerProfile": {"name": "X"}, "details": {"dealValue": "lots"}}`:          "details.dealValue",
		`{"callToAction": "contact_me", "customerProfile": {"name": "X"}, "createdDateTime": "2030-01-01T00:00:00Z"}`: "createdDateTime",
		`not json`: "body",
	} {
		a := post(t, s.URL+"/api/v1/leads", body, "Authorization", "Bearer "+tok)
		if a.Status != http.StatusBadRequest || !strings.Contains(a.Raw, `"field":"`+field+`"`) {
			t.Errorf("%s: %d %s, want 400 naming %s", body, a.Status, a.Raw, field)
		}
	}
	for q, field := range map[string]string{"tab=favorites": "tab", "cta=call_me": "cta", "limit=0": "limit", "cursor=bm90LWEtY3Vyc29y": "cursor", "country=Narnia": "country"} {
		if a := get(t, s.URL+"/api/v1/leads?"+q, tok); a.Status != http.StatusBadRequest || !strings.Contains(a.Raw, `"field":"`+field+`"`) {
			t.Errorf("?%s: %d %s", q, a.Status, a.Raw)
		}
	}
	var n int
	s.DB.QueryRow(`SELECT COUNT(*) FROM leads`).Scan(&n)
	if n != 0 {
		t.Errorf("%d leads stored from bad input", n)
	}
}

func TestAPIListFiltersAndPages(t *testing.T) {
	s := testkit.NewServer(t)
	tok := newToken(t, s, "write", "read")
	for i := range 7 {
		cta, country := "contact_me", "JP"
		if i%2 == 1 {
			cta, country = "get_it_now", "US"
		}
		body := fmt.Sprintf(`{"callToAction": %q, "offerTitle": "Offer %d", "customerProfile": {"name": "Company %d", "address": {"country": %q},
		  "team": [{"firstName": "P", "lastName": "%d", "email": "p%d@example.com"}]}}`, cta, i, i, country, i, i)
		if a := post(t, s.URL+"/api/v1/leads", body, "Authorization", "Bearer "+tok); a.Status != http.StatusCreated {
			t.Fatalf("%d %s", a.Status, a.Raw)
		}
		s.Clock.Advance(time.Minute)
	}
	type page struct {
		Value []struct {
			ID              int64 `json:"id"`
			CustomerProfile struct {
				Name string `json:"name"`
			} `json:"customerProfile"`
			CallToAction string `json:"callToAction"`
		} `json:"value"`
		NextCursor string `json:"nextCursor"`
	}
	var seen []string
	url := s.URL + "/api/v1/leads?cta=contact_me&country=JP&limit=3"
	for range 5 {
		a := get(t, url, tok)
		var p page
		if err := jsonUnmarshal(a.Raw, &p); err != nil || a.Status != 200 {
			t.Fatalf("%d %s", a.Status, a.Raw)
		}
		for _, v := range p.Value {
			if v.CallToAction != "contact_me" {
				t.Errorf("filter let through %+v", v)
			}
			seen = append(seen, v.CustomerProfile.Name)
		}
		if p.NextCursor == "" {
			break
		}
		url = s.URL + "/api/v1/leads?cta=contact_me&country=JP&limit=3&cursor=" + p.NextCursor
	}
	if strings.Join(seen, ",") != "Company 6,Company 4,Company 2,Company 0" {
		t.Errorf("pages gave %v, want the four contact-me leads newest first, each once", seen)
	}
	if a := get(t, s.URL+"/api/v1/leads?q=company+5", tok); !strings.Contains(a.Raw, `"name":"Company 5"`) || strings.Contains(a.Raw, "Company 3") {
		t.Errorf("q=company 5: %s", a.Raw)
	}
}

// TestAPIListAgreesWithTheList: the JSON API and the Leads list answer a filter with the same leads in
// the same order (one filter, leadfilter): a status filter leaves out informational leads, a
// validity filter profile leads, and test leads come only with test=1.
func TestAPIListAgreesWithTheList(t *testing.T) {
	s := testkit.NewServer(t)
	fixture(t, s)
	c, _ := leadsSignedIn(t, s, "aiko@example.com", db.RoleReferrals)
	tok := newToken(t, s, "read")
	for _, q := range []string{"tab=marketplace", "tab=marketplace&test=1", "tab=qualified", "status=received", "status=received&test=1",
		"email_validity=spam", "email_validity=valid", "phone_validity=unknown", "outcome=won&outcome=expired", "status=archived&cta=contact_me",
		"type=profile&quality=high", "country=JP&country=DE", "source=azure_portal,azure_marketplace"} {
		if !strings.Contains(q, "tab=") {
			q += "&tab=marketplace"
		}
		list := companies(c.Get("/leads?" + q).Body)
		a := get(t, s.URL+"/api/v1/leads?"+q, tok)
		var p struct {
			Value []struct {
				CustomerProfile struct {
					Name string `json:"name"`
				} `json:"customerProfile"`
			} `json:"value"`
		}
		if err := jsonUnmarshal(a.Raw, &p); err != nil || a.Status != http.StatusOK {
			t.Fatalf("?%s: %d %s", q, a.Status, a.Raw)
		}
		var api []string
		for _, v := range p.Value {
			api = append(api, v.CustomerProfile.Name)
		}
		if strings.Join(api, ",") != strings.Join(list, ",") {
			t.Errorf("?%s\n API  %v\n list %v", q, api, list)
		}
	}
}
