package db

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"
)

// TestSaveLeadIsGuardedByVersion: a save based on an old read never overwrites a newer version, and
// leaves neither a change nor a timeline entry behind.
func TestSaveLeadIsGuardedByVersion(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	l := &Lead{Tab: "qualified", Classification: "sales_qualified", CustomerCompany: "Contoso", CreatedAt: now}
	if err := d.InTx(ctx, func(tx *sql.Tx) error { return InsertLeadTx(ctx, tx, l) }); err != nil {
		t.Fatal(err)
	}
	first, second := *l, *l // two people read version 1
	a, b := first, second
	a.Status, a.DealName, a.UpdatedAt = "accepted", "Deal A", now.Add(time.Minute)
	b.Status, b.DealName, b.UpdatedAt = "accepted", "Deal B", now.Add(2*time.Minute)
	if err := d.InTx(ctx, func(tx *sql.Tx) error {
		_, err := SaveLeadTx(ctx, tx, &first, &a, Actor{Label: "test"}, "accepted", nil)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	err := d.InTx(ctx, func(tx *sql.Tx) error {
		_, err := SaveLeadTx(ctx, tx, &second, &b, Actor{Label: "test"}, "accepted", nil)
		return err
	})
	if !errors.Is(err, ErrStale) || !errors.Is(err, ErrConflict) {
		t.Fatalf("second save: %v, want ErrStale", err)
	}
	got, _ := d.LeadByID(ctx, l.ID)
	if got.DealName != "Deal A" || got.Version != 2 {
		t.Errorf("lead = %q v%d, want the first save kept", got.DealName, got.Version)
	}
	var events int
	d.QueryRow(`SELECT COUNT(*) FROM lead_events WHERE lead_id = ?`, l.ID).Scan(&events)
	if events != 1 {
		t.Errorf("events = %d, want 1", events)
	}
	evs, err := d.LeadEvents(ctx, l.ID)
	if err != nil || len(evs) != 1 || evs[0].Changes["deal_name"] != [2]string{"", "Deal A"} || evs[0].Changes["status"] != [2]string{"received", "accepted"} {
		t.Errorf("timeline = %+v, %v", evs, err)
	}
	// The search index follows the deal name.
	var n int
	d.QueryRow(`SELECT COUNT(*) FROM lead_search WHERE lead_search MATCH ?`, SearchQuery("Deal A")).Scan(&n)
	if n != 1 {
		t.Errorf("search for the new deal name finds %d", n)
	}
}
