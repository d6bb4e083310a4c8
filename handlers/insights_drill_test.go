package handlers_test

import (
	"html"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"leaddesk/internal/testkit"
	"leaddesk/lead"
)

// TestInsightsDrillDownsOpenTheCountedLeads: every drill-down of the figures and charts opens a Leads
// list of exactly as many leads as the figure or bar says, for its period (a week's bar, that week's
// leads); the list's export and the API honour the same arrival range. Without the period, the
// expired figure's list would also hold P2 (expired in the previous period) and a week's AppSource
// segment every AppSource lead.
func TestInsightsDrillDownsOpenTheCountedLeads(t *testing.T) {
	s := testkit.NewServer(t)
	insightsFixture(t, s)
	c, _ := leadsSignedIn(t, s, "ref@example.com", "referrals-admin")
	body := c.Get(novPeriod).Body
	list := func(link string) []string {
		t.Helper()
		res := c.Get(html.UnescapeString(link))
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", link, res.StatusCode)
		}
		return companies(res.Body)
	}

	// Headline figures: received 8 (A–H), expired 1 of 7 (E), won 1 of 2 (B).
	for id, want := range map[string]string{"received": "A B C D E F G H", "expired": "E", "win": "B"} {
		m := regexp.MustCompile(`id="fig-` + id + `"[\s\S]*?<a href="([^"]+)"`).FindStringSubmatch(body)
		if m == nil {
			t.Errorf("figure %s has no drill-down", id)
			continue
		}
		if !strings.Contains(m[1], "created_from=2026-11-02&amp;created_to=2026-11-15") {
			t.Errorf("figure %s links to %s, without the period", id, m[1])
		}
		if got := sorted(list(m[1])); got != want {
			t.Errorf("figure %s opens %q, want %q", id, got, want)
		}
	}

	// Every bar of leads per week by source and of expiry per week: the list holds the bar's number.
	bars := regexp.MustCompile(`<a href="([^"]+)" aria-label="Week of ([^":]+): (?:(\d+) leads|[^"(]*\((\d+) of \d+\))">`).FindAllStringSubmatch(body, -1)
	if len(bars) != 5 {
		t.Fatalf("%d linked week bars, want four source segments and one week with leads expired", len(bars))
	}
	for _, m := range bars {
		want, _ := strconv.Atoi(m[3] + m[4])
		if got := list(m[1]); len(got) != want {
			t.Errorf("bar %q (%s) opens %d leads %v, want %d", m[0], m[1], len(got), got, want)
		}
	}
	// Top countries: the country's leads of the period (US: A, B, F, G; not P1, P2 or O).
	chart := body[strings.Index(body, `chart-countries`):]
	chart = chart[:strings.Index(chart, "</section>")]
	countries := regexp.MustCompile(`<a class="hbar" href="([^"]+)"><span class="hbar-label">([^<]+)</span><span class="hbar-value">(\d+) `).FindAllStringSubmatch(chart, -1)
	if len(countries) != 3 {
		t.Fatalf("%d linked countries, want Japan, United States and Germany", len(countries))
	}
	for _, m := range countries {
		want, _ := strconv.Atoi(m[3])
		if got := list(m[1]); len(got) != want {
			t.Errorf("country %s opens %v, want %d leads", m[2], got, want)
		}
	}

	// The list names the range in a chip, and the export and the API honour it (days in Tokyo).
	week := "/leads?tab=marketplace&source=appsource&created_from=2026-11-09&created_to=2026-11-15"
	res := c.Get(week)
	if got := sorted(companies(res.Body)); got != "D F G H" || !strings.Contains(res.Body, "Received: Nov 9, 2026 – Nov 15, 2026") {
		t.Errorf("week of Nov 9, AppSource: %q, chip shown %v", got, strings.Contains(res.Body, "Received: Nov 9"))
	}
	csv := c.Get(strings.Replace(week, "/leads?", "/leads/export.csv?", 1)).Body
	if n := strings.Count(strings.TrimSpace(csv), "\n"); n != 4 {
		t.Errorf("export of the week has %d leads, want 4:\n%s", n, csv)
	}
	reader := newToken(t, s, "read")
	a := get(t, s.URL+"/api/v1/leads?source=appsource&created_from=2026-11-09&created_to=2026-11-15", reader)
	if v, _ := a.Body["value"].([]any); a.Status != http.StatusOK || len(v) != 4 {
		t.Errorf("API of the week: %d, %d leads, want 4: %s", a.Status, len(v), a.Raw)
	}
	if a := get(t, s.URL+"/api/v1/leads?created_from=9+Nov", reader); a.Status != http.StatusBadRequest || !strings.Contains(a.Raw, "created_from") {
		t.Errorf("bad created_from: %d %s", a.Status, a.Raw)
	}
}

// sorted is names sorted and joined by spaces.
func sorted(names []string) string {
	slices.Sort(names)
	return strings.Join(names, " ")
}

// TestInsightsClassificationAndLocationFilters: the Insights filter panel has the list's
// classification and location filters; they narrow the figures, stay in the URL, and the drill-down
// opens the same leads on the Leads list.
func TestInsightsClassificationAndLocationFilters(t *testing.T) {
	s := testkit.NewServer(t)
	insightsFixture(t, s)
	c, _ := leadsSignedIn(t, s, "ref@example.com", "referrals-admin")
	res, err := s.DB.Exec(`INSERT INTO locations (name, created_at, updated_at) VALUES ('Osaka office', 0, 0)`)
	if err != nil {
		t.Fatal(err)
	}
	osaka, _ := res.LastInsertId()
	id := strconv.FormatInt(osaka, 10)
	at := time.Date(2026, 11, 5, 10, 0, 0, 0, s.Cfg.Location)
	addLead(t, s, lead.Lead{CustomerCompany: "Q1", Tab: "qualified", Classification: "sales_qualified", CreatedAt: at, LocationID: osaka})
	addLead(t, s, lead.Lead{CustomerCompany: "Q2", Tab: "qualified", Classification: "sales_qualified", CreatedAt: at.Add(time.Hour)})
	addLead(t, s, lead.Lead{CustomerCompany: "Q3", Tab: "qualified", Classification: "marketing_qualified", CreatedAt: at, LocationID: osaka})
	addLead(t, s, lead.Lead{CustomerCompany: "M1", CreatedAt: at, LocationID: osaka})

	page := c.Get(novPeriod).Body
	for _, want := range []string{`name="classification" value="sales_qualified"`, `name="location" value="` + id + `" > Osaka office`} {
		if !strings.Contains(page, want) {
			t.Errorf("the Insights filters lack %s", want)
		}
	}
	for q, want := range map[string]string{
		"&classification=sales_qualified":                   "Leads received 2",
		"&location=" + id:                                   "Leads received 3",
		"&classification=sales_qualified&location=" + id:    "Leads received 1",
		"&tab=qualified&classification=marketing_qualified": "Leads received 1",
	} {
		body := c.Get(novPeriod + q).Body
		if got := figures(t, body)["received"]; !strings.Contains(got, want) {
			t.Errorf("%s: %q, want %q", q, got, want)
		}
		if !strings.Contains(body, `name="location" value="`+id+`" `+map[bool]string{true: "checked", false: ">"}[strings.Contains(q, "location")]) {
			t.Errorf("%s: the location checkbox does not show the URL's choice", q)
		}
	}
	// The drill-down of the location's leads: M1 on the Marketplace tab (the list shows one tab).
	m := regexp.MustCompile(`id="fig-received"[\s\S]*?<a href="([^"]+)"`).FindStringSubmatch(c.Get(novPeriod + "&location=" + id).Body)
	if m == nil || !strings.Contains(m[1], "location="+id) {
		t.Fatalf("received figure's drill-down lacks the location: %v", m)
	}
	if got := sorted(companies(c.Get(html.UnescapeString(m[1])).Body)); got != "M1" {
		t.Errorf("drill-down of the location opens %q, want M1", got)
	}
}
