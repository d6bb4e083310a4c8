package leadindex_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"leaddesk/db"
	"leaddesk/db/leadindex"
	"leaddesk/leadfilter"
)

// TestIndexLifecycle: a database whose lead index was loaded, refreshed, searched and walked leaves
// no connection and no goroutine behind once closed, and the closed index refuses to be used.
func TestIndexLifecycle(t *testing.T) {
	ctx := context.Background()
	goroutines := runtime.NumGoroutine()
	d, err := db.Open(ctx, filepath.Join(t.TempDir(), db.FileName))
	if err != nil {
		t.Fatal(err)
	}
	add := func(i int) {
		err := d.InTx(ctx, func(tx *sql.Tx) error {
			return db.InsertLeadTx(ctx, tx, &db.Lead{Tab: "marketplace", LeadType: "offer", CTA: "contact_me", Country: "JP",
				CustomerCompany: fmt.Sprint("Contoso ", i), CreatedAt: time.Unix(1_800_000_000+int64(i), 0)})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := range 30 {
		add(i)
	}
	v := leadfilter.ParseView(url.Values{"q": {"contoso"}})
	if p, err := d.ListLeads(ctx, v, 1); err != nil || p.Total != 30 {
		t.Fatalf("list: %v, %v", p, err)
	}
	add(30) // a refresh
	n := 0
	if err := d.ExportLeads(ctx, leadfilter.ParseView(url.Values{}), 1, func(*db.Lead) error { n++; return nil }); err != nil || n != 31 {
		t.Fatalf("export: %d rows, %v", n, err)
	}
	if d.Stats().OpenConnections == 0 {
		t.Fatal("no connection open while in use: the test proves nothing")
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if open := d.Stats().OpenConnections; open != 0 {
		t.Errorf("%d connections open after Close", open)
	}
	if _, err := d.LeadCountries(ctx); !errors.Is(err, leadindex.ErrClosed) {
		t.Errorf("the closed index answered: %v", err)
	}
	// database/sql's connection opener ends when Close cancels it, a moment after Close returns.
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > goroutines && time.Now().Before(deadline) {
		runtime.Gosched()
	}
	if now := runtime.NumGoroutine(); now > goroutines {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines before Open, %d after Close:\n%s", goroutines, now, buf[:runtime.Stack(buf, true)])
	}
}
