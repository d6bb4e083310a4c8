package main

import (
	"bytes"
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"leaddesk/db"
	"leaddesk/lead"
)

// TestJobsCommandRunsTheLifecycleJobs: `leaddesk jobs --now T` expires, reminds and archives once.
func TestJobsCommandRunsTheLifecycleJobs(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	created := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	d, err := db.Open(ctx, filepath.Join(dir, db.FileName))
	if err != nil {
		t.Fatal(err)
	}
	leads := []*lead.Lead{
		{Tab: "marketplace", LeadType: "offer", CTA: "contact_me", CustomerCompany: "Due", SenderEmail: "s@example.com", CreatedAt: created},
		{Tab: "marketplace", LeadType: "offer", CTA: "contact_me", CustomerCompany: "Later", CreatedAt: created.Add(24 * time.Hour)},
		{Tab: "marketplace", LeadType: "offer", CTA: "free_trial", CustomerCompany: "Info", CreatedAt: created.Add(-lead.InformationalArchiveAfter)},
	}
	err = d.InTx(ctx, func(tx *sql.Tx) error {
		for _, l := range leads {
			if err := db.InsertLeadTx(ctx, tx, l); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	d.Close()

	env := map[string]string{"LEADDESK_DATA_DIR": dir, "LEADDESK_TIMEZONE": "Asia/Tokyo"}
	var out, errOut bytes.Buffer
	now := created.Add(14 * 24 * time.Hour).Format(time.RFC3339)
	for i := 0; i < 2; i++ { // twice: the second run finds nothing more to do
		if code := run(ctx, []string{"jobs", "--now", now}, &out, &errOut, offlineEnv(env)); code != 0 {
			t.Fatalf("jobs exit %d: %s", code, errOut.String())
		}
	}
	if !strings.Contains(out.String(), "ran ") {
		t.Errorf("output: %s", out.String())
	}
	d, err = db.Open(ctx, filepath.Join(dir, db.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	want := map[string]string{"Due": "archived/expired", "Later": "received/", "Info": "archived/"}
	for _, l := range leads {
		got, err := d.LeadByID(ctx, l.ID)
		if err != nil {
			t.Fatal(err)
		}
		if s := got.Status + "/" + got.Outcome; s != want[got.CustomerCompany] {
			t.Errorf("%s: %s, want %s", got.CustomerCompany, s, want[got.CustomerCompany])
		}
	}
	var events, reminders int
	d.QueryRow(`SELECT COUNT(*) FROM lead_events WHERE kind IN ('expired', 'archived')`).Scan(&events)
	d.QueryRow(`SELECT COUNT(*) FROM action_items WHERE kind = 'expiring'`).Scan(&reminders)
	if events != 2 || reminders != 1 {
		t.Errorf("events %d (want 2), reminders %d (want 1: the lead due in 24 hours)", events, reminders)
	}
}
