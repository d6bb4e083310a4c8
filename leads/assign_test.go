package leads_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"leaddesk/db"
	"leaddesk/internal/testkit"
	"leaddesk/lead"
)

func (f *fixture) rule(t *testing.T, r db.AssignmentRule) {
	t.Helper()
	if err := f.d.AddAssignmentRule(context.Background(), &r, f.clk.Now()); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) incoming(t *testing.T, company string, mod func(l *lead.Lead)) *lead.Lead {
	t.Helper()
	l := &lead.Lead{Tab: "marketplace", LeadType: "offer", CTA: "contact_me", Source: "appsource", OfferID: "crm", OfferTitle: "Contoso CRM",
		CustomerCompany: company, ContactFirstName: "Mei", ContactLastName: "Sato", ContactEmail: company + "@customer.example",
		Country: "JP", EmailValidity: "valid", CustomerConsent: true}
	if mod != nil {
		mod(l)
	}
	id, created, err := f.svc.Receive(context.Background(), lead.Actor{Label: "marketplace"}, l)
	if err != nil || !created {
		t.Fatalf("receive %s: %v", company, err)
	}
	got, err := f.d.LeadByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// Round-robin over 1,000 incoming leads with one member away: the two others get exactly half each,
// the away member none; a more specific rule above wins; a rule whose only member is away passes the
// lead on; a lead no rule takes stays unassigned until "re-run on unassigned" finds a rule for it.
func TestAssignmentRulesRoundRobinSkipsTheAwayAndFallsThrough(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ann := testkit.CreateUser(t, f.d, "ann@example.com", "Ann", db.RoleReferrals)
	ben := testkit.CreateUser(t, f.d, "ben@example.com", "Ben", db.RoleReferrals)
	cy := testkit.CreateUser(t, f.d, "cy@example.com", "Cy", db.RoleReferrals)
	dan := testkit.CreateUser(t, f.d, "dan@example.com", "Dan", db.RoleReferrals)
	f.rule(t, db.AssignmentRule{Name: "Germany", Countries: []string{"DE"}, Members: []int64{dan.ID}})
	f.rule(t, db.AssignmentRule{Name: "Contact me", CTAs: []string{"contact_me"}, Members: []int64{ann.ID, ben.ID, cy.ID}})
	now := f.clk.Now()
	if err := f.d.SetAway(ctx, cy.ID, &db.Away{UserID: cy.ID, From: now.Add(-time.Hour), Until: now.Add(48 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	got := map[int64]int{}
	for i := 0; i < 1000; i++ {
		got[f.incoming(t, fmt.Sprint("rr", i), nil).OwnerID]++
	}
	if got[ann.ID] != 500 || got[ben.ID] != 500 || got[cy.ID] != 0 || len(got) != 2 {
		t.Errorf("owners of 1,000 leads = %v, want Ann 500, Ben 500, Cy (away) none", got)
	}
	if l := f.incoming(t, "berlin", func(l *lead.Lead) { l.Country = "DE" }); l.OwnerID != dan.ID {
		t.Errorf("a German lead went to %d, want Dan (the first rule)", l.OwnerID)
	}
	if err := f.d.SetAway(ctx, dan.ID, &db.Away{UserID: dan.ID, From: now.Add(-time.Hour), Until: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if l := f.incoming(t, "munich", func(l *lead.Lead) { l.Country = "DE" }); l.OwnerID != ann.ID && l.OwnerID != ben.ID {
		t.Errorf("with Dan away a German contact-me lead went to %d, want the round-robin", l.OwnerID)
	}
	trial := f.incoming(t, "trial", func(l *lead.Lead) { l.CTA = "free_trial" })
	if trial.OwnerID != 0 {
		t.Errorf("a lead no rule takes got owner %d", trial.OwnerID)
	}
	// Back from holiday: Cy is in the rotation again.
	f.clk.Advance(72 * time.Hour)
	seen := map[int64]bool{}
	for i := 0; i < 3; i++ {
		seen[f.incoming(t, fmt.Sprint("back", i), nil).OwnerID] = true
	}
	if !seen[cy.ID] {
		t.Errorf("Cy back from being away got none of the next three leads: %v", seen)
	}
	// The timeline and the events say the rules assigned it.
	if n := f.count(t, `SELECT COUNT(*) FROM lead_events WHERE kind = 'assigned' AND actor_label = 'assignment rules'`); n != 1005 {
		t.Errorf("%d assignments by the rules in the timeline, want 1005", n)
	}
	if n := f.count(t, `SELECT COUNT(*) FROM domain_events WHERE kind = 'lead.assigned'`); n != 1005 {
		t.Errorf("%d lead.assigned events, want 1005", n)
	}
	// Re-run on unassigned: a catch-all rule now takes the trial lead.
	f.rule(t, db.AssignmentRule{Name: "Everything else", Members: []int64{ben.ID}})
	n, left, err := f.svc.AssignUnassigned(ctx, f.admin)
	if err != nil || n != 1 || left != 0 {
		t.Fatalf("re-run: %d assigned, %d left, %v", n, left, err)
	}
	if l, _ := f.d.LeadByID(ctx, trial.ID); l.OwnerID != ben.ID {
		t.Errorf("re-run gave the trial lead to %d, want Ben", l.OwnerID)
	}
}

// Each condition of a rule narrows it to the leads that have one of its values.
func TestAssignmentRuleConditions(t *testing.T) {
	for _, tc := range []struct {
		name   string
		rule   db.AssignmentRule
		match  func(l *lead.Lead)
		differ func(l *lead.Lead)
	}{
		{"country", db.AssignmentRule{Countries: []string{"FR"}}, func(l *lead.Lead) { l.Country = "FR" }, func(l *lead.Lead) { l.Country = "IT" }},
		{"source", db.AssignmentRule{Sources: []string{"azure_portal"}}, func(l *lead.Lead) { l.Source = "azure_portal" }, nil},
		{"call to action", db.AssignmentRule{CTAs: []string{"test_drive"}}, func(l *lead.Lead) { l.CTA = "test_drive" }, nil},
		{"type", db.AssignmentRule{Types: []string{"profile"}}, func(l *lead.Lead) { l.LeadType, l.CTA = "profile", "" }, nil},
		{"classification", db.AssignmentRule{Classifications: []string{"sales_qualified"}},
			func(l *lead.Lead) { l.Tab, l.Classification = "qualified", "sales_qualified" },
			func(l *lead.Lead) { l.Tab, l.Classification = "qualified", "marketing_qualified" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			u := testkit.CreateUser(t, f.d, "owner@example.com", "Owner", db.RoleReferrals)
			tc.rule.Members = []int64{u.ID}
			f.rule(t, tc.rule)
			if l := f.incoming(t, "match", tc.match); l.OwnerID != u.ID {
				t.Errorf("a matching lead got owner %d", l.OwnerID)
			}
			if l := f.incoming(t, "other", tc.differ); l.OwnerID != 0 {
				t.Errorf("a lead outside the rule got owner %d", l.OwnerID)
			}
		})
	}
}

// A location condition takes the leads routed to one of its locations (the rules run after routing).
func TestAssignmentRuleLocation(t *testing.T) {
	f := newFixture(t)
	var ids []int64
	for _, name := range []string{"Osaka", "Tokyo"} {
		res, err := f.d.Exec(`INSERT INTO locations (name, created_at, updated_at) VALUES (?, 0, 0)`, name)
		if err != nil {
			t.Fatal(err)
		}
		id, _ := res.LastInsertId()
		ids = append(ids, id)
	}
	u := testkit.CreateUser(t, f.d, "osaka@example.com", "Osaka desk", db.RoleReferrals)
	f.rule(t, db.AssignmentRule{Locations: []int64{ids[0]}, Members: []int64{u.ID}})
	if l := f.incoming(t, "kansai", func(l *lead.Lead) { l.LocationRef = "Osaka" }); l.LocationID != ids[0] || l.OwnerID != u.ID {
		t.Errorf("a lead routed to Osaka: location %d owner %d", l.LocationID, l.OwnerID)
	}
	if l := f.incoming(t, "kanto", func(l *lead.Lead) { l.LocationRef = "Tokyo" }); l.OwnerID != 0 {
		t.Errorf("a lead routed to Tokyo got owner %d", l.OwnerID)
	}
}

// A CSV import applies the same rules in its batch's transaction: a round-robin of two alternates
// over the new leads, each assignment in the timeline.
func TestImportAppliesTheAssignmentRules(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ann := testkit.CreateUser(t, f.d, "ann@example.com", "Ann", db.RoleReferrals)
	ben := testkit.CreateUser(t, f.d, "ben@example.com", "Ben", db.RoleReferrals)
	f.rule(t, db.AssignmentRule{Members: []int64{ann.ID, ben.ID}})
	im, err := f.svc.StartImport(ctx, lead.Actor{Label: "import"})
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	var batch []*lead.Lead
	for i := range 4 {
		batch = append(batch, &lead.Lead{Tab: "marketplace", LeadType: "offer", CTA: "free_trial", Source: "appsource",
			CustomerCompany: fmt.Sprint("csv", i), ContactEmail: fmt.Sprintf("csv%d@customer.example", i), Country: "JP", EmailValidity: "valid"})
	}
	res, err := im.Save(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]int{}
	for _, r := range res {
		l, err := f.d.LeadByID(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		got[l.OwnerID]++
	}
	if got[ann.ID] != 2 || got[ben.ID] != 2 {
		t.Errorf("owners of four imported leads = %v, want two each", got)
	}
	if n := f.count(t, `SELECT COUNT(*) FROM lead_events WHERE kind = 'assigned'`); n != 4 {
		t.Errorf("%d assignments in the timeline, want 4", n)
	}
}
