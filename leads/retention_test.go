package leads_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"leaddesk/db"
	"leaddesk/lead"
	"leaddesk/leads"
	"leaddesk/lifecycle"
)

// insightsFigures are the figures Insights shows for a period: leads and deal value per outcome and
// country. Anonymisation must leave them unchanged.
func insightsFigures(t *testing.T, d *db.DB) map[string][2]int64 {
	t.Helper()
	rows, err := d.QueryContext(context.Background(), `SELECT COALESCE(outcome, status) || '/' || country || '/' || COALESCE(source, ''),
		count(*), sum(deal_value) FROM leads GROUP BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][2]int64{}
	for rows.Next() {
		var k string
		var n, v int64
		if err := rows.Scan(&k, &n, &v); err != nil {
			t.Fatal(err)
		}
		out[k] = [2]int64{n, v}
	}
	return out
}

// TestRetentionAnonymisesOldLeadsAndDeletesTestLeads runs the default rules with the injected clock:
// a declined lead keeps its contact for 180 days and is anonymised after, leaving no trace of the
// person in the file while the Insights figures stay; a won deal is kept; a test lead is deleted
// after 30 days; each run that changed something is audited with its counts.
func TestRetentionAnonymisesOldLeadsAndDeletesTestLeads(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	declined := f.receive(t, "fabrikam")
	if _, err := f.d.ExecContext(ctx, `UPDATE leads SET contact_first_name = 'Wilhelmina', contact_last_name = 'Vexcombe',
		contact_phone = '+49 30 901820', country = 'DE' WHERE id = ?`, declined.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Decline(ctx, f.admin, declined.ID, 0, "budget", "Wilhelmina asked us to call back next year"); err != nil {
		t.Fatal(err)
	}
	won := f.receive(t, "tailspin")
	if _, err := f.svc.Accept(ctx, f.admin, won.ID, 0, lifecycle.Deal{Name: "Tailspin", Value: 990000, Currency: "USD"}, nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Won(ctx, f.admin, won.ID, 0); err != nil {
		t.Fatal(err)
	}
	testID, _, err := f.svc.Receive(ctx, lead.Actor{Label: "marketplace"}, &lead.Lead{Tab: "marketplace", LeadType: "offer", CTA: "contact_me",
		Source: "appsource", CustomerCompany: "MSFT_TEST", ContactEmail: "msft.test.person@microsoft.example", IsTest: true})
	if err != nil {
		t.Fatal(err)
	}
	figures := insightsFigures(t, f.d)
	needles := []string{"Wilhelmina", "Vexcombe", "901820", "fabrikam@customer.example"}

	// Day 29: nothing is due.
	rep, err := f.svc.ApplyRetention(ctx, f.clk.Now().Add(29*24*time.Hour))
	if err != nil || rep != (leads.RetentionReport{}) {
		t.Fatalf("day 29: %+v %v; want nothing", rep, err)
	}
	// Day 31: the test lead goes, the declined lead stays whole.
	rep, err = f.svc.ApplyRetention(ctx, f.clk.Now().Add(31*24*time.Hour))
	if err != nil || rep.TestDeleted != 1 || rep.Anonymised != 0 {
		t.Fatalf("day 31: %+v %v; want the test lead deleted", rep, err)
	}
	if _, err := f.d.LeadByID(ctx, testID); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("test lead after 31 days: %v; want gone", err)
	}
	if got := fileHolds(t, f.d, needles); len(got) != len(needles) {
		t.Fatalf("before 180 days the file holds %v of %v", got, needles)
	}
	// Day 181: the declined lead is anonymised; the won deal keeps its contact.
	rep, err = f.svc.ApplyRetention(ctx, f.clk.Now().Add(181*24*time.Hour))
	if err != nil || rep.Anonymised != 1 || rep.Deleted != 0 {
		t.Fatalf("day 181: %+v %v; want one lead anonymised", rep, err)
	}
	if got := fileHolds(t, f.d, append(needles, "msft.test.person")); len(got) != 0 {
		t.Errorf("after retention the file still holds %v", got)
	}
	after := insightsFigures(t, f.d)
	delete(figures, "received//appsource") // the deleted test lead
	for k, v := range figures {
		if after[k] != v {
			t.Errorf("Insights figure %s: %v before, %v after", k, v, after[k])
		}
	}
	if w, _ := f.d.LeadByID(ctx, won.ID); w.ContactEmail == "" {
		t.Errorf("the won deal lost its contact; won deals are kept by default")
	}
	// A second run finds nothing more to do.
	if rep, err := f.svc.ApplyRetention(ctx, f.clk.Now().Add(182*24*time.Hour)); err != nil || rep != (leads.RetentionReport{}) {
		t.Errorf("second run: %+v %v; want nothing", rep, err)
	}
	var runs int
	if err := f.d.QueryRowContext(ctx, `SELECT count(*) FROM audit_log WHERE action = 'privacy.retention'`).Scan(&runs); err != nil || runs != 2 {
		t.Errorf("audited retention runs: %d (%v); want 2 (the runs that changed something)", runs, err)
	}
}

// TestRetentionRulesPerKind: a rule for one kind wins over the any-kind rule of the outcome.
func TestRetentionRulesPerKind(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	l := f.receive(t, "contoso")
	if _, err := f.svc.Decline(ctx, f.admin, l.ID, 0, "budget", ""); err != nil {
		t.Fatal(err)
	}
	rules := `[{"outcome":"declined","kind":"","days":10,"action":"delete"},{"outcome":"declined","kind":"marketplace","days":0,"action":"keep"}]`
	if err := f.d.SavePrivacySettings(ctx, db.PrivacySettings{Retention: rules}, 0, f.clk.Now()); err != nil {
		t.Fatal(err)
	}
	if rep, err := f.svc.ApplyRetention(ctx, f.clk.Now().Add(400*24*time.Hour)); err != nil || rep.Deleted != 0 {
		t.Errorf("marketplace lead under a keep rule: %+v %v", rep, err)
	}
	if _, err := leads.ParseRetention(`[{"outcome":"declined","kind":"","days":0,"action":"delete"}]`); !errors.Is(err, leads.ErrInvalid) {
		t.Errorf("a delete rule of 0 days: %v; want ErrInvalid", err)
	}
}
