package db

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"slices"
	"testing"
	"time"

	"leaddesk/leadfilter"
)

// TestLeadIndexAppliesDeletesInPlace: leads deleted behind the index's back (erasure, retention, another
// process) leave every sort of the list exactly as SQL has it, without the index reading every lead
// again (at a million leads that is seconds of a stalled list, and its memory twice over meanwhile).
func TestLeadIndexAppliesDeletesInPlace(t *testing.T) {
	d := openIndexTestDB(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	err := d.InTx(ctx, func(tx *sql.Tx) error {
		for i := range 60 {
			l := &Lead{Tab: "marketplace", LeadType: "offer", CTA: "contact_me", Source: "appsource", Country: []string{"JP", "US"}[i%2],
				CustomerCompany: fmt.Sprint("Company ", i%7), DealValue: int64(i%5) * 100, CreatedAt: now.Add(-time.Duration(i%9) * time.Hour)}
			if err := InsertLeadTx(ctx, tx, l); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	check := func(when string) {
		t.Helper()
		for _, s := range leadfilter.Sorts {
			for _, dir := range []string{"asc", "desc"} {
				f := leadfilter.ParseView(url.Values{"tab": {"marketplace"}, "country": {"JP"}, "sort": {s}, "dir": {dir}})
				got, err := d.viewOrder(ctx, f, 1)
				if err != nil {
					t.Fatal(err)
				}
				if want := referenceOrder(t, d, f); !slices.Equal(got, want) {
					t.Fatalf("%s, sort %s %s: index order differs from SQL\n got %v\nwant %v", when, s, dir, got, want)
				}
			}
		}
		p, err := d.ListLeads(ctx, leadfilter.ParseView(url.Values{"tab": {"marketplace"}}), 1)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := d.QueryRow(`SELECT COUNT(*) FROM leads WHERE tab = 'marketplace'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if p.Total != n || p.Counts["marketplace"] != n {
			t.Fatalf("%s: total %d, tab count %d, want %d", when, p.Total, p.Counts["marketplace"], n)
		}
	}
	check("before")
	// The first, the last, and some between; then one more alone, and a new lead in a deleted one's place.
	if _, err := d.Exec(`DELETE FROM leads WHERE id IN (1, 2, 17, 30, 31, 45, 60)`); err != nil {
		t.Fatal(err)
	}
	check("after seven deletions")
	if _, err := d.Exec(`DELETE FROM leads WHERE id = 44`); err != nil {
		t.Fatal(err)
	}
	err = d.InTx(ctx, func(tx *sql.Tx) error {
		return InsertLeadTx(ctx, tx, &Lead{Tab: "marketplace", LeadType: "offer", CTA: "contact_me", Country: "JP", CustomerCompany: "Company 3",
			CreatedAt: now.Add(-4 * time.Hour)})
	})
	if err != nil {
		t.Fatal(err)
	}
	check("after another deletion and an insert")
	if n := d.index.Loads(); n != 1 {
		t.Errorf("the index read every lead %d times; deletions should be applied in place", n)
	}
}
