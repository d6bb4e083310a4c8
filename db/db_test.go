package db

import (
	"context"
	"database/sql"
	"fmt"
	"leaddesk/lead"
	"leaddesk/leadfilter"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"
)

func openTest(t *testing.T) *DB {
	t.Helper()
	d, err := Open(context.Background(), filepath.Join(t.TempDir(), FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func TestOpenAppliesEveryMigrationWithWALAndForeignKeys(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	v, err := d.SchemaVersion(ctx)
	if err != nil || v != LatestVersion() || v < 1 {
		t.Fatalf("schema version = %d, %v; want %d", v, err, LatestVersion())
	}
	var mode string
	d.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode)
	if mode != "wal" {
		t.Errorf("journal_mode = %q, want wal", mode)
	}
	var fk int
	d.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk)
	if fk != 1 {
		t.Errorf("foreign_keys = %d, want 1", fk)
	}
	// A lead pointing at a location that does not exist is refused.
	_, err = d.ExecContext(ctx, `INSERT INTO leads (tab, actionable, location_id, created_at, updated_at) VALUES ('marketplace', 1, 999, 0, 0)`)
	if err == nil {
		t.Fatal("foreign key to a missing location was accepted")
	}
	// Opening again applies nothing twice.
	d.Close()
	d2, err := Open(ctx, d.Path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer d2.Close()
	var n int
	d2.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&n)
	// Count the files, not the highest number: branches add their own numbers in parallel (issue 7
	// adds 0006 while 0002–0005 live on other branches).
	ms, _ := loadMigrations(migrationFS)
	if n != len(ms) {
		t.Errorf("%d migrations recorded after reopening, want %d", n, len(ms))
	}
}

func TestFailedMigrationRollsBackWholly(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	next := LatestVersion() + 1
	bad := fstest.MapFS{
		"migrations/0001_init.sql": {Data: []byte("SELECT 1;")},
		"migrations/" + itoa(next) + "_broken.sql": {Data: []byte(
			"CREATE TABLE half_done (id INTEGER);\nINSERT INTO no_such_table VALUES (1);")},
	}
	err := d.migrateFS(ctx, bad)
	if err == nil || !strings.Contains(err.Error(), "rolled back") || !strings.Contains(err.Error(), "_broken.sql") {
		t.Fatalf("err = %v, want a rolled-back error naming the migration", err)
	}
	var n int
	d.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE name = 'half_done'`).Scan(&n)
	if n != 0 {
		t.Error("the failed migration left its table behind")
	}
	if v, _ := d.SchemaVersion(ctx); v != LatestVersion() {
		t.Errorf("schema version moved to %d", v)
	}
}

func itoa(n int) string { return fmt.Sprintf("%04d", n) }

func TestNewerDatabaseIsRefused(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	if _, err := d.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	d.Close()
	_, err := Open(ctx, d.Path)
	if err == nil || !strings.Contains(err.Error(), "newer Leaddesk") {
		t.Fatalf("err = %v, want a newer-database error", err)
	}
}

func TestUnreadableFileIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "junk.db")
	if err := writeFile(path, strings.Repeat("this is not sqlite ", 400)); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), path)
	if err == nil {
		t.Fatal("a junk file opened as a database")
	}
}

func TestBackupIsConsistentWhileWriting(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	insert := func(i int) error {
		return d.InTx(ctx, func(tx *sql.Tx) error {
			l := &Lead{Tab: "marketplace", LeadType: "offer", CTA: "contact_me", CustomerCompany: "Contoso " + itoa(i), CreatedAt: time.Unix(int64(1_700_000_000+i), 0)}
			return InsertLeadTx(ctx, tx, l)
		})
	}
	for i := 0; i < 200; i++ {
		if err := insert(i); err != nil {
			t.Fatal(err)
		}
	}
	// Keep writing while the backup runs.
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 200; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := insert(i); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	dest := filepath.Join(t.TempDir(), "backup.db")
	err := d.Backup(ctx, dest)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("backup: %v", err)
	}
	// Restore: open the copy as a database of its own.
	r, err := Open(ctx, dest)
	if err != nil {
		t.Fatalf("open backup: %v", err)
	}
	defer r.Close()
	var leads, indexed int
	r.QueryRowContext(ctx, `SELECT COUNT(*) FROM leads`).Scan(&leads)
	r.QueryRowContext(ctx, `SELECT COUNT(*) FROM lead_search`).Scan(&indexed)
	if leads < 200 || leads != indexed {
		t.Errorf("backup has %d leads and %d index rows; want ≥200 and equal (a consistent copy)", leads, indexed)
	}
	var ok string
	r.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&ok)
	if ok != "ok" {
		t.Errorf("integrity_check = %q", ok)
	}
	if err := d.Backup(ctx, dest); err == nil {
		t.Error("backup over an existing file was allowed")
	}
}

func TestSearchTermsMatchTwoCharactersAndJapanese(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	names := []string{"株式会社田中製作所", "Contoso Ltd", "Fabrikam GmbH"}
	for _, n := range names {
		if err := d.InTx(ctx, func(tx *sql.Tx) error {
			return InsertLeadTx(ctx, tx, &Lead{Tab: "marketplace", LeadType: "profile", CustomerCompany: n})
		}); err != nil {
			t.Fatal(err)
		}
	}
	for q, want := range map[string]string{"田中": "株式会社田中製作所", "製作所": "株式会社田中製作所", "co": "Contoso Ltd", "fabrikam": "Fabrikam GmbH", "GMBH": "Fabrikam GmbH"} {
		var got string
		err := d.QueryRowContext(ctx, `SELECT l.customer_company FROM lead_search s JOIN leads l ON l.id = s.rowid WHERE lead_search MATCH ?`, SearchQuery(q)).Scan(&got)
		if err != nil || got != want {
			t.Errorf("search %q: got %q, %v; want %q", q, got, err, want)
		}
	}
	if SearchQuery("a") != "" || SearchQuery(" ") != "" {
		t.Error("a one-character query should not search")
	}
}

func writeFile(path, s string) error { return os.WriteFile(path, []byte(s), 0o600) }

func TestContactNamesFollowTheCountrysOrder(t *testing.T) {
	jp := &Lead{Country: "JP", ContactFirstName: "彩", ContactLastName: "鈴木"}
	latin := &Lead{Country: "JP", ContactFirstName: "Aiko", ContactLastName: "Sato"}
	de := &Lead{Country: "DE", ContactFirstName: "Katrin", ContactLastName: "Schmidt"}
	if jp.ContactName() != "鈴木 彩" || latin.ContactName() != "Aiko Sato" || de.ContactName() != "Katrin Schmidt" {
		t.Errorf("names: %q %q %q", jp.ContactName(), latin.ContactName(), de.ContactName())
	}
	for _, l := range []*Lead{jp, latin, de} {
		if f, g := lead.SplitContactName(l.ContactName()); f != l.ContactFirstName || g != l.ContactLastName {
			t.Errorf("split %q back = %q %q", l.ContactName(), f, g)
		}
	}
}

// Whatever a writer does to updated_at — stamps an older time, leaves it alone — and when it deletes
// a lead, the Leads list (its index) shows the change, and updated_at stays what the writer wrote
// (the API serves it as updatedDateTime).
func TestLeadChangesSeenWhateverUpdatedAtSays(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	for i, at := range []int64{1000, 5000, 6000} {
		if err := d.InTx(ctx, func(tx *sql.Tx) error {
			return InsertLeadTx(ctx, tx, &Lead{Tab: "marketplace", LeadType: "profile", CustomerCompany: fmt.Sprint("C", i),
				CreatedAt: time.Unix(at, 0), UpdatedAt: time.Unix(at, 0)})
		}); err != nil {
			t.Fatal(err)
		}
	}
	list := func() (names []string, total, count int) {
		t.Helper()
		p, err := d.ListLeads(ctx, leadfilter.ParseView(url.Values{"sort": {"customer"}, "dir": {"asc"}}), 1)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range p.Leads {
			names = append(names, l.CustomerCompany)
		}
		return names, p.Total, p.Counts["marketplace"]
	}
	if names, _, _ := list(); strings.Join(names, ",") != "C0,C1,C2" {
		t.Fatalf("before: %v", names)
	}
	if _, err := d.ExecContext(ctx, `UPDATE leads SET customer_company = 'Z0', updated_at = 2000 WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	if _, err := d.ExecContext(ctx, `UPDATE leads SET customer_company = 'A1' WHERE id = 2`); err != nil {
		t.Fatal(err)
	}
	if _, err := d.ExecContext(ctx, `DELETE FROM leads WHERE id = 3`); err != nil {
		t.Fatal(err)
	}
	if names, total, count := list(); strings.Join(names, ",") != "A1,Z0" || total != 2 || count != 2 {
		t.Errorf("after an older stamp, no stamp and a delete: %v, total %d, tab count %d; want A1,Z0 and 2", names, total, count)
	}
	var a, b int64
	d.QueryRowContext(ctx, `SELECT (SELECT updated_at FROM leads WHERE id = 1), (SELECT updated_at FROM leads WHERE id = 2)`).Scan(&a, &b)
	if a != 2000 || b != 5000 {
		t.Errorf("updated_at = %d and %d, want 2000 and 5000 as written", a, b)
	}
}

// An index written in an older format is rebuilt at the next start, with the current rules (an
// expired lead's contact is not searchable).
func TestSearchIndexRebuiltWhenItsFormatChanges(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	for _, outcome := range []string{"", "expired"} {
		l := &Lead{Tab: "marketplace", LeadType: "profile", CustomerCompany: "Fabrikam " + outcome, ContactFirstName: "Isla", ContactLastName: "Evans" + outcome}
		if outcome != "" {
			l.Status, l.Outcome = "archived", outcome
		}
		if err := d.InTx(ctx, func(tx *sql.Tx) error { return InsertLeadTx(ctx, tx, l) }); err != nil {
			t.Fatal(err)
		}
	}
	// Pretend an older binary wrote the index: nothing indexed, older format.
	if _, err := d.ExecContext(ctx, `DELETE FROM lead_search; UPDATE search_index_state SET format = 1`); err != nil {
		t.Fatal(err)
	}
	d.Close()
	d2, err := Open(ctx, d.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	hits := func(q string) int {
		var n int
		d2.QueryRowContext(ctx, `SELECT COUNT(*) FROM lead_search WHERE lead_search MATCH ?`, SearchQuery(q)).Scan(&n)
		return n
	}
	if hits("fabrikam") != 2 || hits("evans") != 1 || hits("evansexpired") != 0 {
		t.Errorf("after the rebuild: fabrikam %d (want 2), evans %d (want 1), the expired lead's contact %d (want 0)",
			hits("fabrikam"), hits("evans"), hits("evansexpired"))
	}
}
