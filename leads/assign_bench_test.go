package leads_test

import (
	"context"
	"fmt"
	"os"
	"testing"

	"leaddesk/db"
	"leaddesk/internal/clock"
	"leaddesk/internal/testkit"
	"leaddesk/lead"
	"leaddesk/leads"
)

// BenchmarkReceiveAssignment is the cost of the assignment rules per incoming lead: Receive without
// rules, then with three rules (the last a round-robin of three with one member away) that the lead
// falls through to. Against LEADDESK_BENCH_DB (a copy of a seeded database: it gains leads) when set,
// else a fresh test database.
func BenchmarkReceiveAssignment(b *testing.B) {
	ctx := context.Background()
	var d *db.DB
	if path := os.Getenv("LEADDESK_BENCH_DB"); path != "" {
		var err error
		if d, err = db.Open(ctx, path); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { d.Close() })
	} else {
		d = testkit.NewDB(b)
	}
	clk := clock.System{}
	svc := leads.New(d, clk)
	var members []int64
	for i := range 3 {
		u := testkit.CreateUser(b, d, fmt.Sprintf("rr%d-%d@bench.example", i, os.Getpid()), "RR", db.RoleReferrals)
		members = append(members, u.ID)
	}
	n := 0
	receive := func(b *testing.B) {
		for b.Loop() {
			n++
			l := &lead.Lead{Tab: "marketplace", LeadType: "offer", CTA: "contact_me", Source: "appsource", CustomerCompany: "Bench",
				ContactEmail: fmt.Sprintf("bench%d-%d@customer.example", os.Getpid(), n), Country: "JP", EmailValidity: "valid"}
			if _, _, err := svc.Receive(ctx, lead.Actor{Label: "bench"}, l); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("no-rules", receive)
	for _, r := range []db.AssignmentRule{
		{Countries: []string{"DE"}, Members: members[:1]},
		{Sources: []string{"azure_portal"}, Members: members[1:2]},
		{CTAs: []string{"contact_me"}, Members: members},
	} {
		if err := d.AddAssignmentRule(ctx, &r, clk.Now()); err != nil {
			b.Fatal(err)
		}
	}
	if err := d.SetAway(ctx, members[2], &db.Away{UserID: members[2], From: clk.Now().AddDate(0, 0, -1), Until: clk.Now().AddDate(0, 0, 1)}); err != nil {
		b.Fatal(err)
	}
	b.Run("three-rules", receive)
	if _, err := d.Exec(`DELETE FROM assignment_rules`); err != nil {
		b.Fatal(err)
	}
}
