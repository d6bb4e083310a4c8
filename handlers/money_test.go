package handlers_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"leaddesk/db"
	"leaddesk/internal/testkit"
)

// A deal value keeps its exact amount on every way through: posted to the API, served by the API,
// shown on the lead's page and exported to CSV — and the export imports back to the same amount.
func TestDealValuesKeepTheirExactAmount(t *testing.T) {
	s := testkit.NewServer(t)
	tok := newToken(t, s, "write", "read")
	c, _ := leadsSignedIn(t, s, "ref@example.com", db.RoleReferrals)
	ids := map[string]int64{}
	for _, v := range []struct{ company, value, currency string }{{"Exact USD", "12500.5", "USD"}, {"Exact JPY", "1250000", "JPY"}, {"Exact cents", "0.07", "EUR"}, {"No currency", "12500.5", ""}} {
		a := post(t, s.URL+"/api/v1/leads", fmt.Sprintf(`{"callToAction": "contact_me", "status": "Active", "name": "Deal %s",
			"customerProfile": {"name": %q, "address": {"country": "US"}}, "details": {"dealValue": %s, "currency": %q}}`, v.company, v.company, v.value, v.currency),
			"Authorization", "Bearer "+tok)
		if a.Status != http.StatusCreated {
			t.Fatalf("%s: %d %s", v.company, a.Status, a.Raw)
		}
		ids[v.company] = leadID(t, a)
	}
	for company, want := range map[string]string{"Exact USD": `"dealValue":12500.5,"currency":"USD"`, "Exact JPY": `"dealValue":1250000,"currency":"JPY"`,
		"Exact cents": `"dealValue":0.07,"currency":"EUR"`, "No currency": `"dealValue":12500.5,`} {
		if a := get(t, fmt.Sprintf("%s/api/v1/leads/%d", s.URL, ids[company]), tok); !strings.Contains(a.Raw, want) {
			t.Errorf("API serves %s without %s:\n%s", company, want, a.Raw)
		}
	}
	for company, want := range map[string]string{"Exact USD": "USD 12,500.50", "Exact JPY": "JPY 1,250,000", "Exact cents": "EUR 0.07",
		"No currency": ">12,500.50<"} { // once shown as its minor units, 1,250,050
		if page := c.Get(fmt.Sprintf("/leads/%d", ids[company])); !strings.Contains(page.Body, want) {
			t.Errorf("the page of %s does not show %s", company, want)
		}
	}
	exp := c.Get("/leads/export.csv?status=accepted")
	for _, want := range []string{",12500.50,USD,", ",1250000,JPY,", ",0.07,EUR,", ",12500.50,,"} {
		if !strings.Contains(exp.Body, want) {
			t.Errorf("export lacks %s:\n%s", want, exp.Body)
		}
	}
	// The export imports into a fresh instance with the same amounts.
	s2 := testkit.NewServer(t)
	c2, _ := leadsSignedIn(t, s2, "ref@example.com", db.RoleReferrals)
	c2.Get("/leads/import")
	res := uploadCSV(t, c2, "export.csv", exp.Body)
	if done := c2.PostForm(res.Header.Get("Location"), nil); !strings.Contains(done.Body, "4 leads imported") {
		t.Fatalf("re-import: %d\n%s", done.StatusCode, done.Body)
	}
	for company, want := range map[string]int64{"Exact USD": 1250050, "Exact JPY": 1250000, "Exact cents": 7, "No currency": 1250050} {
		var got int64
		s2.DB.QueryRow(`SELECT deal_value FROM leads WHERE customer_company = ?`, company).Scan(&got)
		if got != want {
			t.Errorf("%s re-imported as %d minor units, want %d", company, got, want)
		}
	}
}
