package intake_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"leaddesk/db"
	"leaddesk/intake"
	"leaddesk/internal/clock"
	"leaddesk/lead"
	"leaddesk/leads"
)

// TestImportBatchWithRepeatsInTheFileAndInTheDatabase imports one batch holding a lead already
// stored, a LeadId twice, and the same address + offer + call to action within a day (a repeat) and
// two days later (a new lead), and checks the report, the timeline, the search index and the Action
// Center.
func TestImportBatchWithRepeatsInTheFileAndInTheDatabase(t *testing.T) {
	d, err := db.Open(t.Context(), filepath.Join(t.TempDir(), db.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	stored := &lead.Lead{ExternalID: "OLD-1", Tab: "marketplace", LeadType: "offer", CTA: "free_trial", OfferID: "Offer", OfferTitle: "Offer",
		CustomerCompany: "Stored KK", ContactEmail: "s@stored.jp", Country: "JP", CreatedAt: now.Add(-time.Hour)}
	storedID, _, err := leads.New(d, clock.NewFake(now)).Receive(t.Context(), lead.Actor{Label: "api"}, stored)
	if err != nil {
		t.Fatal(err)
	}
	csv := "LeadId,LeadCreationDateTime,CustomerCompany,Email,Country,CallToAction,Offer\r\n" +
		"OLD-1,2026-11-30T08:00:00Z,Stored KK,s@stored.jp,JP,free_trial,Offer\r\n" + // line 2: the stored lead
		"N-1,2026-11-29T10:00:00Z,Northwind Traders,n@northwind.jp,JP,contact_me,Offer\r\n" + // 3: new
		"N-1,2026-11-29T10:00:00Z,Northwind Traders,n@northwind.jp,JP,contact_me,Offer\r\n" + // 4: repeats line 3 (LeadId)
		",2026-11-29T20:00:00Z,Northwind,N@Northwind.jp,JP,contact_me,Offer\r\n" + // 5: repeats line 3 (address within a day)
		",2026-11-27T10:00:00Z,Northwind,n@northwind.jp,JP,contact_me,Offer\r\n" + // 6: two days earlier: new
		",2026-11-30T07:00:00Z,Stored again,S@STORED.JP,JP,free_trial,Offer\r\n" + // 7: repeats the stored lead by address
		"N-2,2026-11-30T07:00:00Z,Tailspin,t@tailspin.jp,Atlantis,contact_me,Offer\r\n" // 8: skipped
	var rows []intake.RowResult
	im := startImport(t, d, now)
	defer im.Close()
	rep, err := intake.Import(t.Context(), d, strings.NewReader(csv), intake.ImportOptions{Now: now, Store: im.Save,
		OnRow: func(r intake.RowResult) { rows = append(rows, r) }})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rows != 7 || rep.Imported != 2 || rep.Duplicates != 4 || rep.Skipped != 1 {
		t.Errorf("report %+v", rep)
	}
	if len(rows) != 7 {
		t.Fatalf("%d row results", len(rows))
	}
	first := rows[1].ID
	want := []struct {
		status string
		id     int64
	}{{"duplicate", storedID}, {"imported", first}, {"duplicate", first}, {"duplicate", first}, {"imported", first + 1}, {"duplicate", storedID}, {"skipped", 0}}
	for i, w := range want {
		if r := rows[i]; r.Line != i+2 || r.Status != w.status || r.ID != w.id {
			t.Errorf("line %d: %s %d, want line %d: %s %d", r.Line, r.Status, r.ID, i+2, w.status, w.id)
		}
	}
	var leads, events, items int
	d.QueryRow(`SELECT COUNT(*) FROM leads`).Scan(&leads)
	d.QueryRow(`SELECT COUNT(*) FROM lead_events WHERE kind = 'created' AND actor_label = 'import'`).Scan(&events)
	// Line 3 is a received contact-me lead: a new-lead and a requested-contact item.
	d.QueryRow(`SELECT COUNT(*) FROM action_items WHERE lead_id = ?`, first).Scan(&items)
	if leads != 3 || events != 2 || items != 2 {
		t.Errorf("%d leads, %d import events, %d action items for the new received lead", leads, events, items)
	}
	for _, q := range []struct {
		match string
		id    int64
	}{{`"no" AND "or" AND "rt" AND "th" AND "hw" AND "wi" AND "in" AND "nd"`, first}, {fmt.Sprintf(`"%d"`, first+1), first + 1}} {
		var ids []int64
		r, err := d.Query(`SELECT rowid FROM lead_search WHERE lead_search MATCH ? ORDER BY rowid`, "terms: ("+q.match+")")
		if err != nil {
			t.Fatal(err)
		}
		for r.Next() {
			var id int64
			r.Scan(&id)
			ids = append(ids, id)
		}
		r.Close()
		if len(ids) == 0 || ids[0] != q.id {
			t.Errorf("search %s finds %v, want lead %d first", q.match, ids, q.id)
		}
	}
}

// TestImportFailingBatchLeavesNothingOfIt makes the new-lead hook fail in the second batch: the first
// batch stays imported, nothing of the second is kept (no lead, timeline entry or search row), and the
// import reports the error.
func TestImportFailingBatchLeavesNothingOfIt(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	path := filepath.Join(dir, "leads.csv")
	n := intake.ImportBatch + 100
	writeExportCSV(t, path, n, now)
	d, err := db.Open(t.Context(), filepath.Join(dir, db.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	boom := errors.New("boom")
	failing := subscriberFunc(func(ctx context.Context, tx *sql.Tx, e lead.Event) error {
		if e.Subject().ExternalID == fmt.Sprintf("BENCH-%d", intake.ImportBatch+50) {
			return boom
		}
		return nil
	})
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var reported int
	im := startImport(t, d, now, failing)
	defer im.Close()
	rep, err := intake.Import(t.Context(), d, f, intake.ImportOptions{Now: now, Store: im.Save,
		OnRow: func(intake.RowResult) { reported++ }})
	if !errors.Is(err, boom) {
		t.Fatalf("import error %v", err)
	}
	firstBatch := intake.ImportBatch - intake.ImportBatch/50 // its Atlantis rows are skipped
	if rep.Imported != firstBatch || reported != intake.ImportBatch {
		t.Errorf("report %+v, %d rows reported", rep, reported)
	}
	var leads, events, search, maxID int
	d.QueryRow(`SELECT COUNT(*), MAX(id) FROM leads`).Scan(&leads, &maxID)
	d.QueryRow(`SELECT COUNT(*) FROM lead_events`).Scan(&events)
	d.QueryRow(`SELECT COUNT(*) FROM lead_search WHERE lead_search MATCH 'terms: "co"'`).Scan(&search)
	if leads != firstBatch || maxID != firstBatch || events != firstBatch || search != firstBatch {
		t.Errorf("%d leads (max id %d), %d events, %d search rows; want %d each", leads, maxID, events, search, firstBatch)
	}
}
