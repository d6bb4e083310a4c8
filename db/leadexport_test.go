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

// The export reads each chunk of a thousand leads while the previous one is written: across several
// chunks every lead comes once, in the view's order, with its own fields — never another chunk's.
func TestExportReadsAheadInOrder(t *testing.T) {
	d := openIndexTestDB(t)
	ctx := context.Background()
	const n = 3*exportChunk + 600
	err := d.InTx(ctx, func(tx *sql.Tx) error {
		for i := range n {
			l := &Lead{Tab: "marketplace", LeadType: "offer", CTA: "contact_me", Country: []string{"JP", "US", "DE"}[i%3],
				CustomerCompany: fmt.Sprintf("Company %d", i%97), DealValue: int64(i % 13), CreatedAt: time.Unix(1_800_000_000+int64(i*7%n), 0)}
			if err := InsertLeadTx(ctx, tx, l); err != nil {
				return err
			}
			l.Notes = fmt.Sprint("note of ", l.ID)
			if _, err := tx.ExecContext(ctx, `UPDATE leads SET notes = ? WHERE id = ?`, l.Notes, l.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"tab=marketplace", "tab=marketplace&sort=customer&dir=asc", "tab=marketplace&country=JP&sort=value", "tab=marketplace&q=company"} {
		v := leadfilter.ParseView(mustQuery(t, q))
		var got []int64
		err := d.ExportLeads(ctx, v, 1, func(l *Lead) error {
			if l.Notes != fmt.Sprint("note of ", l.ID) {
				return fmt.Errorf("lead %d came with the notes %q", l.ID, l.Notes)
			}
			got = append(got, l.ID)
			return nil
		})
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		want := referenceOrder(t, d, v)
		if len(want) <= exportChunk {
			t.Fatalf("%s: %d leads, fewer than two chunks", q, len(want))
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: exported %d leads, want %d in the view's order", q, len(got), len(want))
		}
	}
}

func mustQuery(t *testing.T, q string) url.Values {
	t.Helper()
	v, err := url.ParseQuery(q)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
