package handlers

import (
	"bytes"
	"io"
	"log/slog"
	"testing"
	"time"

	"leaddesk/lead"
	"leaddesk/static"
	"leaddesk/views"
)

// TestKeptCellsMatchThePartialsForWholeLeads: a kept cell is rendered from its key alone, so it is right
// only while its partial reads nothing but the key's values. For every value of the key's enumerations
// and leads whose other fields are all set (or all empty), the kept cell must equal the partial rendered
// with the whole lead, in both languages; a partial that starts reading another field fails here.
func TestKeptCellsMatchThePartialsForWholeLeads(t *testing.T) {
	cat, err := views.LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	assets, err := static.New()
	if err != nil {
		t.Fatal(err)
	}
	r, err := views.NewRenderer(cat, assets, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	h := &Handler{Views: r, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		rows: newKeptHTML[rowKey](maxKeptRowBytes), fragments: newKeptHTML[string](maxKeptFragmentBytes)}
	at := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	full := lead.Lead{ID: 7, Tab: "marketplace", Classification: "sales_qualified", LeadType: "offer", Source: "appsource", CTA: "contact_me",
		Actionable: true, CustomerCompany: "Contoso", ContactFirstName: "Ann", ContactLastName: "Lee", ContactEmail: "ann@example.com",
		Country: "JP", Quality: "low", EmailValidity: "spam", PhoneValidity: "invalid", CustomerRequestedContact: true, CustomerConsent: true,
		Status: "archived", Outcome: "won", DealValue: 100, Currency: "USD", IsTest: true, CreatedAt: at, ExpiresAt: &at, AcceptedAt: &at, ArchivedAt: &at}
	withEmpty := func(vs []string) []string { return append([]string{""}, vs...) }

	for _, lang := range views.Languages {
		for _, base := range []lead.Lead{full, {}} {
			check := func(k cell, name string, l lead.Lead) {
				t.Helper()
				var b bytes.Buffer
				if err := r.RenderPartial(&b, lang, "leads/index", name, &l); err != nil {
					t.Fatal(err)
				}
				if got := string(h.cell(k)); got != b.String() {
					t.Errorf("%s %s for %+v:\nkept  %s\nwhole %s", lang, name, k, got, b.String())
				}
			}
			for _, s := range lead.Statuses {
				for _, o := range withEmpty(lead.Outcomes) {
					l := base
					l.Status, l.Outcome = s, o
					check(statusCell{lang, s, o}, "status-label", l)
				}
			}
			for _, src := range withEmpty(lead.Sources) {
				for _, test := range []bool{false, true} {
					l := base
					l.Source, l.IsTest = src, test
					check(sourceCell{lang, src, test}, "source-badge", l)
				}
			}
			for _, cta := range withEmpty(lead.CTAs) {
				for _, cl := range withEmpty(lead.Classifications) {
					l := base
					l.CTA, l.Classification = cta, cl
					check(ctaCell{lang, cta, cl}, "cta", l)
				}
			}
			for _, cl := range withEmpty(lead.Classifications) {
				l := base
				l.Classification = cl
				check(classificationCell{lang, cl}, "ws-classification", l)
			}
			for _, lt := range withEmpty(lead.LeadTypes) {
				l := base
				l.LeadType = lt
				check(leadTypeCell{lang, lt}, "lead-type", l)
			}
			for _, ev := range withEmpty(lead.EmailValidities) {
				for _, q := range withEmpty(lead.Qualities) {
					l := base
					l.EmailValidity, l.Quality = ev, q
					check(spamCell{lang, ev, q}, "spam-icon", l)
				}
			}
		}
	}
}
