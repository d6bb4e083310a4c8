package handlers_test

import (
	"net/http"
	"strings"
	"testing"

	"leaddesk/internal/testkit"
)

// TestInsightsBadRangeShowsTheFormAgain: a bad custom range is a 422 that shows the page again — the
// form with what was typed, the wrong field marked and described by the message naming it — and an
// htmx request gets the same in place (the body with the message, the range picker out of band), so
// the error shows where the figures were instead of the page losing its target.
func TestInsightsBadRangeShowsTheFormAgain(t *testing.T) {
	s := testkit.NewServer(t)
	insightsFixture(t, s)
	c, _ := leadsSignedIn(t, s, "ref@example.com", "referrals-admin")
	for _, lang := range []string{"en", "ja"} {
		res := c.Get("/insights?range=custom&from=2026-11-15&to=2026-11-01&country=JP", "Accept-Language", lang)
		field := map[string]string{"en": "To:", "ja": "終了日:"}[lang]
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, field) {
			t.Errorf("%s: status %d, want 422 naming %q", lang, res.StatusCode, field)
		}
		for _, want := range []string{`id="insights-form"`, `name="to" value="2026-11-01" form="insights-form" aria-invalid="true" aria-describedby="insights-problem"`,
			`id="insights-problem" role="alert"`, `name="country" value="JP" checked`} {
			if !strings.Contains(res.Body, want) {
				t.Errorf("%s: the page shown again lacks %s", lang, want)
			}
		}
		if strings.Contains(res.Body, `class="kpis"`) {
			t.Errorf("%s: figures shown for a bad range", lang)
		}
	}
	res := c.Get("/insights?range=custom&from=2026-13-01&to=2026-11-15", "HX-Request", "true", "HX-Target", "insights-body")
	if res.StatusCode != http.StatusUnprocessableEntity || strings.Contains(res.Body, "<html") {
		t.Fatalf("htmx: status %d, full page %v", res.StatusCode, strings.Contains(res.Body, "<html"))
	}
	for _, want := range []string{`<div id="insights-body"`, `id="insights-problem" role="alert"`, "From: enter a date",
		`id="insights-range" hx-swap-oob="true"`, `name="from" value="2026-13-01" form="insights-form" aria-invalid="true"`} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("htmx 422 lacks %s:\n%.600s", want, res.Body)
		}
	}
	// A good range afterwards shows the figures again, the field no longer marked.
	res = c.Get(novPeriod, "HX-Request", "true", "HX-Target", "insights-body")
	if res.StatusCode != http.StatusOK || strings.Contains(res.Body, "aria-invalid") || !strings.Contains(res.Body, `class="kpis"`) {
		t.Errorf("after a good range: %d, still marked %v", res.StatusCode, strings.Contains(res.Body, "aria-invalid"))
	}
}
