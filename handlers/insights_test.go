package handlers_test

import (
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"leaddesk/internal/testkit"
	"leaddesk/lead"
)

// insightsFixture is a small fixed data set whose figures are worked out by hand in the tests below.
// Times are Tokyo (the test server's time zone). The period is Mon 2 – Sun 15 November 2026 (two
// weeks); the previous period is 19 October – 1 November.
//
//	lead  created      source             country  answer        outcome / status      deal
//	A     Nov 2 09:00  appsource          US       accepted +1h  accepted (open)       USD 1,000.00
//	B     Nov 3 10:00  appsource          US       accepted +3h  won                   USD 2,500.00
//	C     Nov 4 11:00  azure_marketplace  JP       accepted +5h  lost (budget)
//	D     Nov 9 08:00  appsource          JP       declined +2h  declined (spam)
//	E     Nov 10 12:00 azure_portal       DE       none          expired
//	F     Nov 11 13:00 appsource          US       none          received
//	G     Nov 12 09:00 appsource          US       (free trial: informational, not actionable)
//	H     Nov 12 10:00 appsource          JP       accepted +10h accepted (open)       JPY 5,000,000
//	T     Nov 5        test lead, accepted and won for USD 9,999.99: never counted
//	P1    Oct 20 10:00 previous period, accepted +4h
//	P2    Oct 21 10:00 previous period, expired
//	O     Oct 1        outside both periods
//
// Answer times of the period, sorted: 1, 2, 3, 5, 10 hours → median 3 h; 90th percentile by linear
// interpolation: rank 0.9×4 = 3.6 → 5 h + 0.6×(10 h − 5 h) = 8 h.
func insightsFixture(t *testing.T, s *testkit.Server) {
	t.Helper()
	tokyo := s.Cfg.Location
	at := func(month time.Month, day, hour int) time.Time {
		return time.Date(2026, month, day, hour, 0, 0, 0, tokyo)
	}
	ptr := func(t time.Time) *time.Time { return &t }
	type spec struct {
		company         string
		created         time.Time
		source, country string
		cta             string
		accepted        time.Duration // 0: not accepted
		archived        time.Duration // 0: not archived
		status, outcome string
		reason          string
		value           int64
		currency        string
		test            bool
	}
	specs := []spec{
		{company: "A", created: at(11, 2, 9), source: "appsource", country: "US", accepted: time.Hour, status: "accepted", value: 100000, currency: "USD"},
		{company: "B", created: at(11, 3, 10), source: "appsource", country: "US", accepted: 3 * time.Hour, archived: 48 * time.Hour, status: "archived", outcome: "won", value: 250000, currency: "USD"},
		{company: "C", created: at(11, 4, 11), source: "azure_marketplace", country: "JP", accepted: 5 * time.Hour, archived: 72 * time.Hour, status: "archived", outcome: "lost", reason: "budget"},
		{company: "D", created: at(11, 9, 8), source: "appsource", country: "JP", archived: 2 * time.Hour, status: "archived", outcome: "declined", reason: "spam"},
		{company: "E", created: at(11, 10, 12), source: "azure_portal", country: "DE", archived: lead.ExpiryWindow, status: "archived", outcome: "expired"},
		{company: "F", created: at(11, 11, 13), source: "appsource", country: "US"},
		{company: "G", created: at(11, 12, 9), source: "appsource", country: "US", cta: "free_trial"},
		{company: "H", created: at(11, 12, 10), source: "appsource", country: "JP", accepted: 10 * time.Hour, status: "accepted", value: 5000000, currency: "JPY"},
		{company: "T", created: at(11, 5, 10), source: "appsource", country: "US", accepted: time.Hour, archived: 2 * time.Hour, status: "archived", outcome: "won", value: 999999, currency: "USD", test: true},
		{company: "P1", created: at(10, 20, 10), source: "appsource", country: "US", accepted: 4 * time.Hour, status: "accepted"},
		{company: "P2", created: at(10, 21, 10), source: "appsource", country: "US", archived: lead.ExpiryWindow, status: "archived", outcome: "expired"},
		{company: "O", created: at(10, 1, 10), source: "appsource", country: "FR", accepted: time.Hour, status: "accepted"},
	}
	for _, sp := range specs {
		l := lead.Lead{CustomerCompany: sp.company, CreatedAt: sp.created, Source: sp.source, Country: sp.country, CTA: sp.cta,
			Status: sp.status, Outcome: sp.outcome, Reason: sp.reason, DealValue: sp.value, Currency: sp.currency, IsTest: sp.test,
			OfferTitle: "Contoso CRM"}
		if sp.accepted != 0 {
			l.AcceptedAt = ptr(sp.created.Add(sp.accepted))
		}
		if sp.archived != 0 {
			l.ArchivedAt = ptr(sp.created.Add(sp.archived))
		}
		addLead(t, s, l)
	}
}

// figures reads the headline cards: id → the card's text, tags removed, spaces collapsed.
func figures(t *testing.T, body string) map[string]string {
	t.Helper()
	start, end := strings.Index(body, `<section class="kpis"`), strings.Index(body, "</section>")
	if start < 0 || end < start {
		t.Fatalf("no headline figures in:\n%s", body)
	}
	tags := regexp.MustCompile(`<[^>]+>`)
	id := regexp.MustCompile(`^[^>]*id="fig-([a-z_0-9]+)"`)
	out := map[string]string{}
	for _, card := range strings.Split(body[start:end], `<div class="card kpi`)[1:] {
		if m := id.FindStringSubmatch(card); m != nil {
			out[m[1]] = strings.Join(strings.Fields(html.UnescapeString(tags.ReplaceAllString("<"+card, " "))), " ")
		}
	}
	return out
}

const novPeriod = "/insights?range=custom&from=2026-11-02&to=2026-11-15"

func TestInsightsHeadlineFiguresMatchHandComputedValues(t *testing.T) {
	s := testkit.NewServer(t)
	insightsFixture(t, s)
	c, _ := leadsSignedIn(t, s, "reader@example.com", "business-profile-admin") // read-only role may read insights
	res := c.Get(novPeriod)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", res.StatusCode, res.Body)
	}
	figs := figures(t, res.Body)
	want := map[string][]string{
		"received":  {"Leads received 8", "+6 (+300%)"},
		"answered":  {"Actionable leads answered 5", "of 7 actionable (71.4%)"},
		"median":    {"Median time to first answer 3.0 hours", "−1.0 hours"},
		"p90":       {"90th percentile time to first answer 8.0 hours", "+4.0 hours"},
		"expired":   {"Expired unanswered 14.3%", "1 of 7", "-35.7 pts"},
		"accept":    {"Accept rate 80.0%", "4 of 5", "-20.0 pts"},
		"win":       {"Win rate 50.0%", "1 of 2", "Nothing to compare"},
		"pipeline":  {"Pipeline value JPY 5,000,000 USD 1,000.00"},
		"won_value": {"Won value USD 2,500.00"},
	}
	for id, parts := range want {
		for _, p := range parts {
			if !strings.Contains(figs[id], p) {
				t.Errorf("figure %s = %q, want it to contain %q", id, figs[id], p)
			}
		}
	}
	if strings.Contains(res.Body, "9,999.99") || strings.Contains(figs["won_value"], "+") {
		t.Errorf("the test lead's deal was counted: %q", figs["won_value"])
	}
	// Drill-down: the expired figure opens the expired leads; a source segment opens that source's leads.
	if !strings.Contains(res.Body, `href="/leads?created_from=2026-11-02&amp;created_to=2026-11-15&amp;outcome=expired&amp;tab=marketplace"`) {
		t.Errorf("expired figure does not link to the expired leads")
	}
	if !strings.Contains(res.Body, `<a href="/leads?created_from=2026-11-02&amp;created_to=2026-11-08&amp;source=azure_marketplace&amp;tab=marketplace" aria-label="Week of Nov 2, 2026, Azure Marketplace: 1 leads">`) {
		t.Errorf("the week-by-source chart has no drill-down bar for Azure Marketplace in the week of Nov 2")
	}
	// Every chart has a title, a description, an accessible SVG and its table.
	for _, id := range []string{"weeks", "funnel", "answers", "expiry", "decline_reasons", "lost_reasons", "countries", "offers", "heat"} {
		if !strings.Contains(res.Body, `aria-labelledby="`+id+`-title" aria-describedby="`+id+`-desc"`) {
			t.Errorf("chart %s has no labelled, described SVG", id)
		}
	}
}

func TestInsightsEmptyPeriodAndPeriodWithoutAnswers(t *testing.T) {
	s := testkit.NewServer(t)
	insightsFixture(t, s)
	c, _ := leadsSignedIn(t, s, "ref@example.com", "referrals-admin")

	res := c.Get("/insights?range=custom&from=2025-01-01&to=2025-01-31")
	figs := figures(t, res.Body)
	for id, w := range map[string]string{"received": "Leads received 0", "median": "No answers yet", "expired": "Expired unanswered –", "win": "Win rate –", "pipeline": "Pipeline value –"} {
		if !strings.Contains(figs[id], w) {
			t.Errorf("empty period: %s = %q, want %q", id, figs[id], w)
		}
	}
	if !strings.Contains(res.Body, "No leads were received in this period") {
		t.Errorf("empty period shows no empty state")
	}

	// 10–11 November: lead E (expired) and F (still waiting): two actionable, none answered.
	res = c.Get("/insights?range=custom&from=2026-11-10&to=2026-11-11")
	figs = figures(t, res.Body)
	for id, w := range map[string]string{"received": "Leads received 2", "answered": "Actionable leads answered 0", "median": "No answers yet",
		"p90": "No answers yet", "expired": "Expired unanswered 50.0%", "accept": "Accept rate –"} {
		if !strings.Contains(figs[id], w) {
			t.Errorf("no answers: %s = %q, want %q", id, figs[id], w)
		}
	}
}

func TestInsightsFiltersRangesAndErrors(t *testing.T) {
	s := testkit.NewServer(t)
	insightsFixture(t, s)
	c, _ := leadsSignedIn(t, s, "ref@example.com", "referrals-admin")

	// The list's filters apply: Japan only is C, D and H.
	figs := figures(t, c.Get(novPeriod+"&country=JP").Body)
	if !strings.Contains(figs["received"], "Leads received 3") || !strings.Contains(figs["median"], "5.0 hours") {
		t.Errorf("country=JP: received %q, median %q; want 3 and 5.0 hours (2, 5, 10 h)", figs["received"], figs["median"])
	}
	// Presets are days in the configured time zone ending today (30 November, Tokyo): the last 30 days
	// hold A–H and not P1, P2 or O.
	figs = figures(t, c.Get("/insights?range=30d").Body)
	if !strings.Contains(figs["received"], "Leads received 8") {
		t.Errorf("last 30 days: %q, want 8", figs["received"])
	}
	// htmx swaps the body in place, with the range picker out of band.
	res := c.Get(novPeriod, "HX-Request", "true", "HX-Target", "insights-body")
	if strings.Contains(res.Body, "<html") || !strings.Contains(res.Body, `id="insights-body"`) || !strings.Contains(res.Body, `hx-swap-oob="true"`) {
		t.Errorf("htmx request did not get the fragment:\n%.300s", res.Body)
	}
	// A bad custom date is a 422 naming the field.
	for _, q := range []string{"from=2026-13-01&to=2026-11-15", "from=2026-11-15&to=2026-11-01", "from=2020-01-01&to=2026-01-01"} {
		res := c.Get("/insights?range=custom&" + q)
		field := "To:"
		if strings.HasPrefix(q, "from=2026-13") {
			field = "From:"
		}
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, field) {
			t.Errorf("%s: status %d, want 422 naming %q", q, res.StatusCode, field)
		}
	}
	// Signed-out visitors are sent to sign in; the nav offers Insights beside Leads.
	if res := s.Client().Get("/insights"); !strings.HasPrefix(res.Header.Get("Location"), "/login?next=") {
		t.Errorf("signed out: %d, Location %q", res.StatusCode, res.Header.Get("Location"))
	}
	if !strings.Contains(c.Get("/leads").Body, `<a href="/insights"`) {
		t.Errorf("no nav entry for Insights")
	}
}

func TestInsightsCSVDownloads(t *testing.T) {
	s := testkit.NewServer(t)
	insightsFixture(t, s)
	c, _ := leadsSignedIn(t, s, "ref@example.com", "referrals-admin")
	res := c.Get(strings.Replace(novPeriod, "/insights?", "/insights/weeks.csv?", 1))
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("weeks.csv: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	want := "\ufeffWeek of,AppSource,Azure Marketplace,Azure portal,No source,Total\n" +
		"\"Nov 2, 2026\",2,1,0,0,3\n" +
		"\"Nov 9, 2026\",4,0,1,0,5\n"
	if res.Body != want {
		t.Errorf("weeks.csv =\n%q\nwant\n%q", res.Body, want)
	}
	res = c.Get(strings.Replace(novPeriod, "/insights?", "/insights/figures.csv?", 1))
	for _, line := range []string{"Leads received,8,2", "Median time to first answer,3.0 hours,4.0 hours", "Pipeline value JPY,5000000,0",
		"Pipeline value USD,1000.00,0.00", "Won value USD,2500.00,0.00"} {
		if !strings.Contains(res.Body, line+"\n") {
			t.Errorf("figures.csv lacks %q:\n%s", line, res.Body)
		}
	}
	// Formula-like cells are neutralized as the export does (an offer title starting with "=").
	addLead(t, s, lead.Lead{CustomerCompany: "X", CreatedAt: time.Date(2026, 11, 6, 10, 0, 0, 0, s.Cfg.Location), OfferTitle: "=HYPERLINK(1)"})
	res = c.Get(strings.Replace(novPeriod, "/insights?", "/insights/offers.csv?", 1))
	if !strings.Contains(res.Body, "'=HYPERLINK(1)") {
		t.Errorf("offers.csv does not guard a formula:\n%s", res.Body)
	}
	if res := c.Get("/insights/nope.csv"); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown chart: %d, want 404", res.StatusCode)
	}
}

// TestInsightsFollowLeadChanges: the figures come from the lead index, which must see a lead answered
// after it was loaded (here by a write from outside the app, as `leaddesk jobs` or the CLI would).
func TestInsightsFollowLeadChanges(t *testing.T) {
	s := testkit.NewServer(t)
	insightsFixture(t, s)
	c, _ := leadsSignedIn(t, s, "ref@example.com", "referrals-admin")
	if figs := figures(t, c.Get(novPeriod).Body); !strings.Contains(figs["median"], "3.0 hours") {
		t.Fatalf("before: median %q", figs["median"])
	}
	// F (created Nov 11 13:00) accepted 6 hours later: answers 1, 2, 3, 5, 6, 10 h → median (3+5)/2 = 4 h.
	created := time.Date(2026, 11, 11, 13, 0, 0, 0, s.Cfg.Location)
	if _, err := s.DB.Exec(`UPDATE leads SET status = 'accepted', accepted_at = ?, expires_at = NULL WHERE customer_company = 'F'`,
		created.Add(6*time.Hour).Unix()); err != nil {
		t.Fatal(err)
	}
	figs := figures(t, c.Get(novPeriod).Body)
	if !strings.Contains(figs["median"], "4.0 hours") || !strings.Contains(figs["answered"], "answered 6") {
		t.Errorf("after F was accepted: median %q, answered %q; want 4.0 hours and 6", figs["median"], figs["answered"])
	}
	// Only A's acceptance time corrected (1 h → 7 h; nothing the list filters or sorts by changes):
	// answers 2, 3, 5, 6, 7, 10 h → median (5+6)/2 = 5.5 h.
	if _, err := s.DB.Exec(`UPDATE leads SET accepted_at = accepted_at + 6*3600 WHERE customer_company = 'A'`); err != nil {
		t.Fatal(err)
	}
	if figs := figures(t, c.Get(novPeriod).Body); !strings.Contains(figs["median"], "5.5 hours") {
		t.Errorf("after A's answer time changed: median %q, want 5.5 hours", figs["median"])
	}
}
