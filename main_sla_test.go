package main

import (
	"bytes"
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"leaddesk/db"
	"leaddesk/internal/testkit"
	"leaddesk/lead"
)

// TestJobsCommandRunsTheResponseTargets: `leaddesk jobs --now T` warns at 75 % of a lead's response
// target and escalates it once missed, queuing each mail once however often it runs.
func TestJobsCommandRunsTheResponseTargets(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	created := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	d, err := db.Open(ctx, filepath.Join(dir, db.FileName))
	if err != nil {
		t.Fatal(err)
	}
	testkit.CreateUser(t, d, "aiko@example.com", "Aiko Tanaka", db.RoleReferrals)
	testkit.CreateUser(t, d, "ben@example.com", "Ben Ito", db.RoleReferrals)
	l := &lead.Lead{Tab: "marketplace", LeadType: "offer", CTA: "contact_me", CustomerCompany: "Waiting KK", CreatedAt: created}
	if err := d.InTx(ctx, func(tx *sql.Tx) error { return db.InsertLeadTx(ctx, tx, l) }); err != nil {
		t.Fatal(err)
	}
	d.Close()

	env := map[string]string{"LEADDESK_DATA_DIR": dir, "LEADDESK_TIMEZONE": "Asia/Tokyo"}
	queued := func(at time.Duration) map[string]int {
		t.Helper()
		for i := 0; i < 2; i++ { // twice: the second run finds nothing more to do
			var out, errOut bytes.Buffer
			if code := run(ctx, []string{"jobs", "--now", created.Add(at).Format(time.RFC3339)}, &out, &errOut, offlineEnv(env)); code != 0 {
				t.Fatalf("jobs exit %d: %s", code, errOut.String())
			}
		}
		d, err := db.Open(ctx, filepath.Join(dir, db.FileName))
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		rows, err := d.Query(`SELECT kind, COUNT(*) FROM outbox WHERE lead_id = ? GROUP BY kind`, l.ID)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		got := map[string]int{}
		for rows.Next() {
			var kind string
			var n int
			if err := rows.Scan(&kind, &n); err != nil {
				t.Fatal(err)
			}
			got[kind] = n
		}
		return got
	}
	if got := queued(17 * time.Hour); got["response_due_soon"] != 0 || got["response_missed"] != 0 {
		t.Errorf("at 17 h: %v", got)
	}
	// Unassigned: every Referrals admin is warned, and hears of the miss.
	if got := queued(18 * time.Hour); got["response_due_soon"] != 2 || got["response_missed"] != 0 {
		t.Errorf("at 18 h: %v", got)
	}
	if got := queued(24 * time.Hour); got["response_due_soon"] != 2 || got["response_missed"] != 2 {
		t.Errorf("at 24 h: %v", got)
	}
}
