package handlers_test

import (
	"net/http"
	"strings"
	"testing"

	"leaddesk/internal/testkit"
)

// TestInsightsKeptBodiesStayRight: the figures and charts are kept rendered per lead generation, so a
// page asked again must still be in the asker's language, as a page or as an htmx fragment, and a
// location renamed (no lead changes) shows its new name.
func TestInsightsKeptBodiesStayRight(t *testing.T) {
	s := testkit.NewServer(t)
	insightsFixture(t, s)
	c, _ := leadsSignedIn(t, s, "ref@example.com", "referrals-admin")
	if _, err := s.DB.Exec(`INSERT INTO locations (name, created_at, updated_at) VALUES ('Osaka office', 0, 0)`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB.Exec(`UPDATE leads SET location_id = (SELECT id FROM locations) WHERE customer_company = 'A'`); err != nil {
		t.Fatal(err)
	}
	for i, step := range []struct {
		lang, hx, want, not string
	}{
		{"en", "", `<div class="kpi-label">Leads received</div>`, "受信したリード"},
		{"ja", "", "受信したリード", "Leads received"},
		{"en", "true", `id="insights-range" hx-swap-oob="true"`, "<html"},
		{"en", "", `<div class="kpi-label">Leads received</div>`, `id="insights-range" hx-swap-oob="true"`},
		{"en", "", "Osaka office", ""},
	} {
		res := c.Get(novPeriod, "Accept-Language", step.lang, "HX-Request", step.hx, "HX-Target", "insights-body")
		if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, step.want) || step.not != "" && strings.Contains(strings.ReplaceAll(res.Body, "\n", " "), step.not) {
			t.Errorf("request %d (%s, htmx %q): %d, want %q and not %q", i, step.lang, step.hx, res.StatusCode, step.want, step.not)
		}
	}
	if _, err := s.DB.Exec(`UPDATE locations SET name = 'Umeda office'`); err != nil {
		t.Fatal(err)
	}
	if body := c.Get(novPeriod).Body; !strings.Contains(body, "Umeda office") || strings.Contains(body, "Osaka office") {
		t.Error("a renamed location shows its old name in the kept charts")
	}
}
