package leads_test

import (
	"context"
	"testing"
	"time"

	"leaddesk/db"
	"leaddesk/lead"
	"leaddesk/leads"
)

// pcLead is a qualified lead as partnercenter.ToLead makes one.
func pcLead(company, status, outcome string, value int64) *lead.Lead {
	return &lead.Lead{Tab: "qualified", Classification: "sales_qualified", Actionable: true, CustomerCompany: company,
		ContactFirstName: "Mei", ContactLastName: "Sato", ContactEmail: company + "@customer.example", EmailValidity: "valid",
		Status: status, Outcome: outcome, DealValue: value, Currency: "USD", SenderName: "Microsoft"}
}

func TestReceiveFromPartnerCenterKeysByReferralAndRecordsChanges(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	res, err := f.svc.ReceiveFromPartnerCenter(ctx, []leads.FromPartnerCenter{
		{Lead: pcLead("contoso", "received", "", 0), ReferralID: "ref-1", ETag: "e1", UpdatedAt: at},
		{Lead: pcLead("fabrikam", "received", "", 0), ReferralID: "ref-2", ETag: "e1", UpdatedAt: at},
		{Lead: nil, ReferralID: "ref-3"}, // fails alone
	})
	if err != nil {
		t.Fatal(err)
	}
	if !res[0].Created || !res[1].Created || res[2].Err == nil {
		t.Fatalf("results: %+v", res)
	}
	l, _ := f.d.LeadByID(ctx, res[0].LeadID)
	if l.ExpiresAt == nil || !l.ExpiresAt.Equal(f.clk.Now().Add(lead.ExpiryWindow)) {
		t.Errorf("a lead from Partner Center is on the 14-day clock from its arrival: %v", l.ExpiresAt)
	}
	// The same referral again, unchanged: nothing. Changed there (accepted, a deal value): one change,
	// one event, by Partner Center, on the timeline as such.
	again, _ := f.svc.ReceiveFromPartnerCenter(ctx, []leads.FromPartnerCenter{{Lead: pcLead("contoso", "received", "", 0), ReferralID: "ref-1", ETag: "e1", UpdatedAt: at}})
	if again[0].Created || again[0].Changed || again[0].LeadID != res[0].LeadID {
		t.Fatalf("unchanged referral: %+v", again[0])
	}
	f.clk.Advance(time.Hour)
	changed, _ := f.svc.ReceiveFromPartnerCenter(ctx, []leads.FromPartnerCenter{{Lead: pcLead("contoso", "accepted", "", 990000), ReferralID: "ref-1", ETag: "e2", UpdatedAt: at.Add(time.Hour)}})
	if !changed[0].Changed {
		t.Fatalf("changed referral: %+v", changed[0])
	}
	l, _ = f.d.LeadByID(ctx, res[0].LeadID)
	if l.Status != "accepted" || l.DealValue != 990000 || l.ExpiresAt != nil || l.AcceptedAt == nil {
		t.Fatalf("lead after Partner Center accepted it: %+v", l)
	}
	last := f.rec.events[len(f.rec.events)-1]
	if _, ok := last.(lead.ChangedInPartnerCenter); !ok || last.By().Label != "Partner Center" {
		t.Fatalf("last event %T by %+v", last, last.By())
	}
	if n := f.count(t, `SELECT COUNT(*) FROM domain_events WHERE kind = 'lead.partner_center_changed' AND lead_id = ?`, res[0].LeadID); n != 1 {
		t.Errorf("%d recorded events of the change", n)
	}
	if n := f.count(t, `SELECT COUNT(*) FROM lead_events WHERE kind = ? AND lead_id = ?`, leads.PartnerCenterKind, res[0].LeadID); n != 1 {
		t.Errorf("%d timeline entries of the change", n)
	}
	ref, _ := db.PCReferralByLead(ctx, f.d, res[0].LeadID)
	if ref.ETag != "e2" || ref.State != db.PCInSync {
		t.Errorf("kept beside the lead: %+v", ref)
	}
}

// A subscriber that fails on the change rolls back that referral alone: no lead, no event, no row
// beside it — the others of the batch are stored.
func TestReceiveFromPartnerCenterFailureIsNotHalfWritten(t *testing.T) {
	f := newFixture(t)
	f.rec.failOn = "lead.received"
	ctx := context.Background()
	res, err := f.svc.ReceiveFromPartnerCenter(ctx, []leads.FromPartnerCenter{{Lead: pcLead("contoso", "received", "", 0), ReferralID: "ref-1", ETag: "e1"}})
	if err != nil || res[0].Err == nil {
		t.Fatalf("%+v %v", res, err)
	}
	for _, q := range []string{`SELECT COUNT(*) FROM leads`, `SELECT COUNT(*) FROM domain_events`, `SELECT COUNT(*) FROM pc_referrals`, `SELECT COUNT(*) FROM lead_events`} {
		if n := f.count(t, q); n != 0 {
			t.Errorf("%s = %d after a failed referral", q, n)
		}
	}
}
