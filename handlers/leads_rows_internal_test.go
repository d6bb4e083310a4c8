package handlers

import (
	"bytes"
	"reflect"
	"testing"
	"time"

	"leaddesk/lead"
	"leaddesk/lifecycle"
	"leaddesk/views"
)

// TestKeptCellsReadOnlyTheirKeys: a kept cell is rendered from its key alone, so it is right only
// while its partial reads nothing but the key's values. For every value of the key's enumerations,
// and rows whose other values are all set (realistically, or every field filled), or all empty, the
// kept cell must equal the partial rendered with the whole row, in both languages; a partial that
// starts reading another value fails here.
func TestKeptCellsReadOnlyTheirKeys(t *testing.T) {
	h := rowTestHandler(t)
	at := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	realistic := leadRow{Lead: &lead.Lead{ID: 7, Tab: "marketplace", Classification: "sales_qualified", LeadType: "offer", Source: "appsource",
		CTA: "contact_me", Actionable: true, CustomerCompany: "Contoso", ContactFirstName: "Ann", ContactLastName: "Lee", ContactEmail: "ann@example.com",
		Country: "JP", Quality: "low", EmailValidity: "spam", PhoneValidity: "invalid", CustomerRequestedContact: true, CustomerConsent: true,
		Status: "archived", Outcome: "won", DealValue: 100, Currency: "USD", IsTest: true, CreatedAt: at, ExpiresAt: &at, AcceptedAt: &at, ArchivedAt: &at},
		Flame: "hot", Due: "3 days left", Urgency: lifecycle.UrgencyDanger, Link: "/leads/7", ClassColumn: true, Overdue: true, CanWork: true}
	var filled leadRow
	fillAll(reflect.ValueOf(&filled).Elem())
	bases := map[string]leadRow{"realistic": realistic, "filled": filled, "empty": {Lead: &lead.Lead{}}}
	withEmpty := func(vs []string) []string { return append([]string{""}, vs...) }
	bools := []bool{false, true}

	for _, lang := range views.Languages {
		for name, base := range bases {
			// check: the kept cell k equals its partial given base with set applied.
			check := func(k cell, set func(r *leadRow, l *lead.Lead)) {
				t.Helper()
				r, l := base, *base.Lead
				r.Lead = &l
				set(&r, &l)
				_, partial, _ := k.partial()
				var b bytes.Buffer
				if err := h.Views.RenderPartial(&b, lang, "leads/index", partial, r); err != nil {
					t.Fatal(err)
				}
				if got := string(h.cell(k)); got != b.String() {
					t.Errorf("%s %s on a %s row, %+v:\nkept  %s\nwhole %s", lang, partial, name, k, got, b.String())
				}
			}
			for _, fl := range []string{"", "hot", "calm"} {
				for _, ev := range withEmpty(lead.EmailValidities) {
					for _, q := range withEmpty(lead.Qualities) {
						for _, od := range bools {
							check(marksCell{lang, fl, ev, q, od}, func(r *leadRow, l *lead.Lead) { r.Flame, l.EmailValidity, l.Quality, r.Overdue = fl, ev, q, od })
						}
					}
				}
			}
			for _, lt := range withEmpty(lead.LeadTypes) {
				for _, ev := range withEmpty(lead.EmailValidities) {
					for _, pv := range withEmpty(lead.PhoneValidities) {
						check(validityCell{lang, lt, ev, pv}, func(_ *leadRow, l *lead.Lead) { l.LeadType, l.EmailValidity, l.PhoneValidity = lt, ev, pv })
					}
				}
			}
			for _, co := range []string{"", "JP", "US", "XK"} {
				for _, src := range withEmpty(lead.Sources) {
					for _, test := range bools {
						check(placeCell{lang, co, src, test}, func(_ *leadRow, l *lead.Lead) { l.Country, l.Source, l.IsTest = co, src, test })
					}
				}
			}
			for _, cc := range bools {
				for _, cta := range withEmpty(lead.CTAs) {
					for _, cl := range withEmpty(lead.Classifications) {
						for _, lt := range withEmpty(lead.LeadTypes) {
							check(kindCell{lang, cc, cta, cl, lt}, func(r *leadRow, l *lead.Lead) { r.ClassColumn, l.CTA, l.Classification, l.LeadType = cc, cta, cl, lt })
						}
					}
				}
			}
			for _, s := range lead.Statuses {
				for _, o := range withEmpty(lead.Outcomes) {
					for _, due := range []string{"", "3 days left"} {
						for _, u := range []string{"", lifecycle.UrgencyWarning, lifecycle.UrgencyDanger} {
							check(statusDueCell{lang, s, o, due, u}, func(r *leadRow, l *lead.Lead) { l.Status, l.Outcome, r.Due, r.Urgency = s, o, due, u })
						}
					}
				}
			}
		}
	}
}
