package handlers

import (
	"fmt"
	"html/template"
	"testing"
	"time"

	"leaddesk/lead"
)

// BenchmarkLeadsFreshRows is the cost of a page of 50 rows none of which is kept yet (a search never
// made before): "ws-row" executed for each, in Japanese, on one core. ns/op / 50 is a row's cost.
func BenchmarkLeadsFreshRows(b *testing.B) {
	h := rowTestHandler(b)
	at := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	page := &rowsOf{lang: "ja", now: at, query: "q=%E7%94%B0%E4%B8%AD&tab=marketplace", canWork: true, csrf: "0123456789abcdef0123456789abcdef"}
	rows := make([]leadRow, 50)
	which := make([]int, len(rows))
	for i := range rows {
		exp := at.Add(lead.ExpiryWindow)
		l := &lead.Lead{ID: int64(i + 1), Tab: "marketplace", LeadType: "offer", CTA: "contact_me", Source: "appsource",
			CustomerCompany: fmt.Sprintf("株式会社田中建設 %02d", i), ContactFirstName: "太郎", ContactLastName: "田中", Country: "JP",
			EmailValidity: "valid", PhoneValidity: "unknown", Status: "received", CreatedAt: at.Add(-time.Duration(i) * time.Hour), ExpiresAt: &exp,
			DealValue: int64(i) * 123456, Currency: "JPY"}
		rows[i] = h.leadRow(page, l, false, i%7 == 0, nil)
		which[i] = i
	}
	out := make([]template.HTML, len(rows))
	b.ReportAllocs()
	for b.Loop() {
		if err := h.renderRowsOf("ja", rows, which, out); err != nil {
			b.Fatal(err)
		}
	}
}
