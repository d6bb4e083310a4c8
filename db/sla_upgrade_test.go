package db

import (
	"context"
	"database/sql"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"leaddesk/db/leadindex"
	"leaddesk/lead"
)

// TestUpgradeLeavesWaitingLeadsUnmailed: a database with leads already waiting when migration 0095
// adds response targets gets no warning or escalation for them (their notices are recorded as not
// sent) and no Action Center item, while a call logged before the upgrade counts as their first
// contact. Leads arriving afterwards are the job's candidates as usual.
func TestUpgradeLeavesWaitingLeadsUnmailed(t *testing.T) {
	ctx := context.Background()
	sqldb, err := sql.Open("sqlite3", "file:"+filepath.Join(t.TempDir(), FileName)+"?_foreign_keys=on&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	d := &DB{DB: sqldb, index: leadindex.New(sqldb, leadindex.Options{})}
	t.Cleanup(func() { d.Close() })

	// The schema as it was before response targets.
	before := fstest.MapFS{}
	names, _ := fs.Glob(migrationFS, "migrations/*.sql")
	for _, n := range names {
		v, _ := strconv.Atoi(strings.SplitN(filepath.Base(n), "_", 2)[0])
		if v < 95 {
			b, _ := fs.ReadFile(migrationFS, n)
			before[n] = &fstest.MapFile{Data: b}
		}
	}
	if err := d.migrateFS(ctx, before); err != nil {
		t.Fatal(err)
	}
	created := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	waiting := &lead.Lead{Tab: "marketplace", LeadType: "offer", CTA: "contact_me", CustomerCompany: "Waiting KK", CreatedAt: created}
	called := &lead.Lead{Tab: "marketplace", LeadType: "offer", CTA: "contact_me", CustomerCompany: "Called KK", CreatedAt: created}
	err = d.InTx(ctx, func(tx *sql.Tx) error {
		for _, l := range []*lead.Lead{waiting, called} {
			if _, err := tx.ExecContext(ctx, `INSERT INTO leads (tab, lead_type, cta, actionable, customer_company, status, created_at, updated_at)
				VALUES ('marketplace', 'offer', 'contact_me', 1, ?, 'received', ?, ?)`, l.CustomerCompany, created.Unix(), created.Unix()); err != nil {
				return err
			}
			if err := tx.QueryRowContext(ctx, `SELECT last_insert_rowid()`).Scan(&l.ID); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO lead_activities (lead_id, kind, at, created_at) VALUES (?, 'note', ?, ?), (?, 'call', ?, ?)`,
			called.ID, created.Add(time.Hour).Unix(), created.Unix(), called.ID, created.Add(2*time.Hour).Unix(), created.Unix())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	if err := d.migrateFS(ctx, migrationFS); err != nil {
		t.Fatal(err)
	}
	var unsent, sent int
	d.QueryRow(`SELECT COUNT(*) FROM lead_sla_notices WHERE lead_id = ? AND sent = 0`, waiting.ID).Scan(&unsent)
	d.QueryRow(`SELECT COUNT(*) FROM lead_sla_notices WHERE sent = 1`).Scan(&sent)
	if unsent != 2 || sent != 0 {
		t.Errorf("notices of the waiting lead: %d not sent (want warned and escalated), %d sent", unsent, sent)
	}
	got, err := d.LeadByID(ctx, called.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.FirstContactAt == nil || !got.FirstContactAt.Equal(created.Add(2*time.Hour)) {
		t.Errorf("first contact of the called lead = %v, want the call (the note does not count)", got.FirstContactAt)
	}
	var candidates []*Lead
	err = d.InTx(ctx, func(tx *sql.Tx) error {
		candidates, err = LeadsAwaitingAnswerTx(ctx, tx, created.Add(30*24*time.Hour), 0, 10)
		return err
	})
	if err != nil || len(candidates) != 0 {
		t.Errorf("job candidates after the upgrade = %d (%v), want none", len(candidates), err)
	}
	items, err := d.SLAActionLeads(ctx, 1)
	if err != nil || len(items) != 0 {
		t.Errorf("Action Center items after the upgrade = %d (%v), want none", len(items), err)
	}
}
