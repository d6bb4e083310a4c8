package leads_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"leaddesk/config"
	"leaddesk/db"
	"leaddesk/internal/clock"
	"leaddesk/internal/testkit"
	"leaddesk/lead"
	"leaddesk/leads"
	"leaddesk/lifecycle"
	"leaddesk/mail"
)

// recorder is a subscriber that remembers the events it was handed and fails on one kind.
type recorder struct {
	events []lead.Event
	failOn string
}

var errBoom = errors.New("subscriber failed")

func (r *recorder) Handle(_ context.Context, _ *sql.Tx, e lead.Event) error {
	if e.Kind() == r.failOn {
		return errBoom
	}
	r.events = append(r.events, e)
	return nil
}

type fixture struct {
	d     *db.DB
	clk   *clock.Fake
	rec   *recorder
	svc   *leads.Service
	admin lead.Actor // a Referrals admin
}

// newFixture builds the service as main.go does — the mail notifier first — plus a recorder.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	d := testkit.NewDB(t)
	clk := clock.NewFake(testkit.Epoch)
	rec := &recorder{}
	notify := mail.NewNotifier(&config.Config{BaseURL: "https://leads.example.com", Location: time.UTC})
	u := testkit.CreateUser(t, d, "ren@example.com", "Ren", db.RoleReferrals)
	return &fixture{d: d, clk: clk, rec: rec, svc: leads.New(d, clk, notify, rec), admin: u.LeadActor()}
}

// receive stores a new actionable contact-me lead from the marketplace.
func (f *fixture) receive(t *testing.T, company string) *lead.Lead {
	t.Helper()
	l := &lead.Lead{Tab: "marketplace", LeadType: "offer", CTA: "contact_me", Source: "appsource", OfferID: "crm", OfferTitle: "Contoso CRM",
		CustomerCompany: company, ContactFirstName: "Mei", ContactLastName: "Sato", ContactEmail: company + "@customer.example",
		SenderEmail: "pdm@microsoft.example", EmailValidity: "valid", CustomerConsent: true}
	id, created, err := f.svc.Receive(context.Background(), lead.Actor{Label: "marketplace"}, l)
	if err != nil || !created {
		t.Fatalf("receive %s: id %d created %v err %v", company, id, created, err)
	}
	got, err := f.d.LeadByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

type eventRow struct {
	leadID  int64
	kind    string
	actor   int64
	label   string
	payload map[string]any
}

func (f *fixture) eventRows(t *testing.T) []eventRow {
	t.Helper()
	rows, err := f.d.Query(`SELECT id, lead_id, kind, COALESCE(actor_user_id, 0), actor_label, payload FROM domain_events ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []eventRow
	var last int64
	for rows.Next() {
		var id int64
		var payload string
		var r eventRow
		if err := rows.Scan(&id, &r.leadID, &r.kind, &r.actor, &r.label, &payload); err != nil {
			t.Fatal(err)
		}
		if id <= last {
			t.Fatalf("event ids not increasing: %d after %d", id, last)
		}
		last = id
		if err := json.Unmarshal([]byte(payload), &r.payload); err != nil {
			t.Fatalf("payload %q: %v", payload, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func (f *fixture) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := f.d.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestEveryChangeRecordsOneEventInOrder walks a lead through its life and expects one row per change
// in domain_events, in order, naming the lead, the actor and the state it left the lead in; a
// repeated delivery changes nothing and records nothing.
func TestEveryChangeRecordsOneEventInOrder(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	l := f.receive(t, "contoso")
	again := &lead.Lead{Tab: "marketplace", LeadType: "offer", CTA: "contact_me", OfferID: "crm", ContactEmail: "contoso@customer.example"}
	if id, created, err := f.svc.Receive(ctx, lead.Actor{Label: "marketplace"}, again); err != nil || created || id != l.ID {
		t.Fatalf("repeated delivery: id %d created %v err %v", id, created, err)
	}
	deal := lifecycle.Deal{Name: "CRM rollout", Value: 1250000, Currency: "USD", PurchaseDate: "2027-01-15"}
	f.clk.Advance(time.Hour)
	if _, err := f.svc.Accept(ctx, f.admin, l.ID, l.Version, deal, []int64{f.admin.UserID}, []lead.Contact{{Name: "Kai", Email: "kai@customer.example"}}); err != nil {
		t.Fatal(err)
	}
	deal.Name = "CRM rollout phase 1"
	if _, err := f.svc.Edit(ctx, f.admin, l.ID, l.Version+1, deal, []int64{f.admin.UserID}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AddEmployee(ctx, f.admin, l.ID, 0, lead.Contact{Name: "Aiko", Email: "aiko@partner.example"}); err != nil {
		t.Fatal(err)
	}
	won, err := f.svc.Won(ctx, f.admin, l.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	rows := f.eventRows(t)
	want := []string{"lead.received", "lead.accepted", "lead.edited", "lead.employee_added", "lead.won"}
	if len(rows) != len(want) {
		t.Fatalf("%d events %v, want %v", len(rows), rows, want)
	}
	for i, r := range rows {
		if r.kind != want[i] || r.leadID != l.ID {
			t.Errorf("event %d = %s of lead %d, want %s of lead %d", i, r.kind, r.leadID, want[i], l.ID)
		}
		if i > 0 && r.actor != f.admin.UserID {
			t.Errorf("%s by user %d, want %d", r.kind, r.actor, f.admin.UserID)
		}
		// The payload says the version and state the change left; it never copies contact details.
		if v := r.payload["version"]; v != float64(l.Version+int64(i)) {
			t.Errorf("%s payload version %v, want %d", r.kind, v, l.Version+int64(i))
		}
		if _, ok := r.payload["contact_email"]; ok {
			t.Errorf("%s payload holds the contact", r.kind)
		}
	}
	if rows[0].label != "marketplace" || rows[0].payload["source"] != "appsource" {
		t.Errorf("received event: %+v", rows[0])
	}
	if rows[4].payload["status"] != "archived" || rows[4].payload["outcome"] != "won" || won.Outcome != "won" {
		t.Errorf("won event: %+v", rows[4])
	}
	if ch, _ := rows[2].payload["changes"].(map[string]any); ch["deal_name"] == nil {
		t.Errorf("edited event does not say what changed: %+v", rows[2].payload)
	}
	// The subscribers got the same events, carrying the lead as saved and as it was before.
	if len(f.rec.events) != len(want) {
		t.Fatalf("subscriber got %d events", len(f.rec.events))
	}
	acc, ok := f.rec.events[1].(lead.Accepted)
	if !ok || acc.Before.Status != "received" || acc.Lead.Status != "accepted" || !acc.At.Equal(testkit.Epoch.Add(time.Hour)) {
		t.Errorf("accepted event = %+v", f.rec.events[1])
	}
	if emp, ok := f.rec.events[3].(lead.EmployeeAdded); !ok || emp.Employee.Name != "Aiko" {
		t.Errorf("employee event = %+v", f.rec.events[3])
	}
	// The append-only table refuses changes and deletions.
	if _, err := f.d.Exec(`UPDATE domain_events SET kind = 'x'`); err == nil {
		t.Error("an event row could be changed")
	}
	if _, err := f.d.Exec(`DELETE FROM domain_events`); err == nil {
		t.Error("event rows could be deleted")
	}
}

// TestFailingSubscriberRollsTheChangeBack: the event is recorded and handed to the subscribers in the
// transaction of the change, so a subscriber's error leaves no trace of it — not the lead's new state,
// not its timeline entry, not the event, not the mail an earlier subscriber queued.
func TestFailingSubscriberRollsTheChangeBack(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	l := f.receive(t, "fabrikam")
	outboxBefore := f.count(t, `SELECT COUNT(*) FROM outbox`)
	f.rec.failOn = "lead.declined"
	if _, err := f.svc.Decline(ctx, f.admin, l.ID, l.Version, "budget", ""); !errors.Is(err, errBoom) {
		t.Fatalf("decline with a failing subscriber: %v", err)
	}
	got, _ := f.d.LeadByID(ctx, l.ID)
	if got.Status != "received" || got.Version != l.Version {
		t.Errorf("lead is %s v%d after the rolled-back decline", got.Status, got.Version)
	}
	if n := f.count(t, `SELECT COUNT(*) FROM lead_events WHERE kind = 'declined'`); n != 0 {
		t.Errorf("%d declined timeline entries", n)
	}
	if n := f.count(t, `SELECT COUNT(*) FROM domain_events WHERE kind = 'lead.declined'`); n != 0 {
		t.Errorf("%d declined events recorded", n)
	}
	if n := f.count(t, `SELECT COUNT(*) FROM outbox`); n != outboxBefore {
		t.Errorf("outbox %d → %d: the notifier's decline mail survived the rollback", outboxBefore, n)
	}

	// A new lead whose Received event fails is not stored at all.
	f.rec.failOn = "lead.received"
	leadsBefore := f.count(t, `SELECT COUNT(*) FROM leads`)
	nl := &lead.Lead{Tab: "marketplace", LeadType: "offer", CTA: "contact_me", CustomerCompany: "Tailspin", ContactEmail: "t@tailspin.example"}
	if _, _, err := f.svc.Receive(ctx, lead.Actor{Label: "api"}, nl); !errors.Is(err, errBoom) {
		t.Fatalf("receive with a failing subscriber: %v", err)
	}
	if n := f.count(t, `SELECT COUNT(*) FROM leads`); n != leadsBefore {
		t.Errorf("leads %d → %d after a failed arrival", leadsBefore, n)
	}
	if n := f.count(t, `SELECT COUNT(*) FROM domain_events`); n != 1 {
		t.Errorf("%d events, want only the first lead's arrival", n)
	}
}

// TestRefusalsAreDomainErrors: what the service refuses it refuses before changing anything, with an
// error the HTTP layer can map.
func TestRefusalsAreDomainErrors(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	l := f.receive(t, "northwind")
	reader := (&db.User{ID: 99, Roles: []string{db.RoleProfile}}).LeadActor()
	for _, tc := range []struct {
		name string
		err  error
		want error
	}{
		{"unknown lead", second(f.svc.Accept(ctx, f.admin, 424242, 0, lifecycle.Deal{}, nil, nil)), leads.ErrNotFound},
		{"read-only role", second(f.svc.Decline(ctx, reader, l.ID, 0, "budget", "")), leads.ErrRole},
		{"not offered in this state", second(f.svc.Won(ctx, f.admin, l.ID, 0)), leads.ErrState},
		{"stale version", second(f.svc.Decline(ctx, f.admin, l.ID, l.Version+5, "budget", "")), leads.ErrStale},
		{"unknown reason", second(f.svc.Decline(ctx, f.admin, l.ID, 0, "bored", "")), leads.ErrInvalid},
		{"unknown lead's heart", f.svc.SetFavorite(ctx, f.admin, 424242, true), leads.ErrNotFound},
	} {
		if !errors.Is(tc.err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, tc.err, tc.want)
		}
	}
	if n := f.count(t, `SELECT COUNT(*) FROM domain_events`); n != 1 {
		t.Errorf("%d events after refusals, want only the arrival", n)
	}
}

func second[T any](_ T, err error) error { return err }

// TestDeclineManyRecordsOneEventPerLead: a bulk decline is one transaction with one Declined event
// (and one customer and sender notice) per lead it changed; leads that moved on or are gone are skipped.
func TestDeclineManyRecordsOneEventPerLead(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a, b, c := f.receive(t, "alpha"), f.receive(t, "bravo"), f.receive(t, "charlie")
	accepted := f.receive(t, "delta")
	if _, err := f.svc.Accept(ctx, f.admin, accepted.ID, 0, lifecycle.Deal{Name: "D"}, nil, nil); err != nil {
		t.Fatal(err)
	}
	f.rec.events = nil
	declined, skipped, err := f.svc.DeclineMany(ctx, f.admin, []int64{a.ID, b.ID, accepted.ID, 424242, c.ID}, "not_a_customer", "")
	if err != nil || declined != 3 || skipped != 2 {
		t.Fatalf("declined %d skipped %d err %v, want 3 and 2", declined, skipped, err)
	}
	var ids []int64
	for _, e := range f.rec.events {
		d, ok := e.(lead.Declined)
		if !ok || d.Before.Status != "received" || d.Lead.Outcome != "declined" || d.Lead.Reason != "not_a_customer" {
			t.Errorf("event %+v", e)
			continue
		}
		ids = append(ids, d.Lead.ID)
	}
	if len(ids) != 3 || ids[0] != a.ID || ids[1] != b.ID || ids[2] != c.ID {
		t.Errorf("Declined events for %v, want %d, %d, %d", ids, a.ID, b.ID, c.ID)
	}
	if n := f.count(t, `SELECT COUNT(*) FROM domain_events WHERE kind = 'lead.declined'`); n != 3 {
		t.Errorf("%d declined events stored, want 3", n)
	}
	if n := f.count(t, `SELECT COUNT(*) FROM outbox WHERE kind = 'decline_sender'`); n != 3 {
		t.Errorf("%d sender notices, want 3", n)
	}
	// A reader may not decline any: nothing changes.
	reader := (&db.User{ID: 99, Roles: []string{db.RoleProfile}}).LeadActor()
	e := f.receive(t, "echo")
	if _, _, err := f.svc.DeclineMany(ctx, reader, []int64{e.ID}, "budget", ""); !errors.Is(err, leads.ErrRole) {
		t.Errorf("bulk decline by a reader: %v", err)
	}
}

// TestJobsRecordEventsByTheLifecycleRules runs the three jobs around their moments: the reminder from
// 48 hours before expiry (once), the expiry at the respond-by time, the archival of an informational
// lead at six months — each recorded as its event, by the job, and nothing a moment earlier.
func TestJobsRecordEventsByTheLifecycleRules(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	l := f.receive(t, "contoso")
	info := &lead.Lead{Tab: "marketplace", LeadType: "offer", CTA: "free_trial", CustomerCompany: "Info KK", ContactEmail: "i@info.example"}
	if _, _, err := f.svc.Receive(ctx, lead.Actor{Label: "marketplace"}, info); err != nil {
		t.Fatal(err)
	}
	exp := *l.ExpiresAt
	kinds := func() map[string]int {
		out := map[string]int{}
		for _, r := range f.eventRows(t) {
			if r.kind != "lead.received" {
				if r.label != "job" || r.actor != 0 {
					t.Errorf("%s by %d %q, want the job", r.kind, r.actor, r.label)
				}
				out[r.kind]++
			}
		}
		return out
	}
	run := func(name string, job func(context.Context, time.Time) (int, error), at time.Time, want int) {
		t.Helper()
		if n, err := job(ctx, at); err != nil || n != want {
			t.Errorf("%s at %s: %d changed, err %v; want %d", name, at, n, err, want)
		}
	}
	run("remind", f.svc.RemindExpiring, exp.Add(-lifecycle.ReminderBefore-time.Second), 0)
	run("remind", f.svc.RemindExpiring, exp.Add(-lifecycle.ReminderBefore), 1)
	run("remind", f.svc.RemindExpiring, exp.Add(-time.Hour), 0) // once only
	run("expire", f.svc.ExpireOverdue, exp.Add(-time.Second), 0)
	run("expire", f.svc.ExpireOverdue, exp, 1)
	run("expire", f.svc.ExpireOverdue, exp.Add(time.Hour), 0)
	run("archive", f.svc.ArchiveInformational, info.CreatedAt.Add(lead.InformationalArchiveAfter-time.Second), 0)
	run("archive", f.svc.ArchiveInformational, info.CreatedAt.Add(lead.InformationalArchiveAfter), 1)
	if k := kinds(); k["lead.expiry_near"] != 1 || k["lead.expired"] != 1 || k["lead.archived"] != 1 || len(k) != 3 {
		t.Errorf("job events %v, want one reminder, one expiry, one archival", k)
	}
	var expired lead.Expired
	for _, e := range f.rec.events {
		if x, ok := e.(lead.Expired); ok {
			expired = x
		}
	}
	if expired.Lead == nil || expired.Lead.ID != l.ID || expired.Before.Status != "received" || expired.Lead.Outcome != "expired" || !expired.At.Equal(exp) {
		t.Errorf("expired event = %+v", expired)
	}
	// The notifier turned them into the sender's expiry notice and the Action Center items.
	if n := f.count(t, `SELECT COUNT(*) FROM outbox WHERE kind = 'expired_sender' AND lead_id = ?`, l.ID); n != 1 {
		t.Errorf("%d expiry notices", n)
	}
	if n := f.count(t, `SELECT COUNT(*) FROM action_items WHERE kind = 'expiring' AND lead_id = ?`, l.ID); n != 1 {
		t.Errorf("%d reminder items", n)
	}
}

// TestImportRecordsTheSameArrivalsAsReceive: a CSV batch and the same leads one by one give the same
// answers and one Received event per new lead, none for repeats.
func TestImportRecordsTheSameArrivalsAsReceive(t *testing.T) {
	mk := func() []*lead.Lead {
		return []*lead.Lead{
			{ExternalID: "A", Tab: "marketplace", LeadType: "offer", CTA: "contact_me", OfferID: "o", ContactEmail: "a@x.example", CreatedAt: testkit.Epoch.Add(-time.Hour)},
			{ExternalID: "A", Tab: "marketplace", LeadType: "offer", CTA: "contact_me", OfferID: "o", ContactEmail: "a@x.example", CreatedAt: testkit.Epoch.Add(-time.Hour)},
			{Tab: "marketplace", LeadType: "offer", CTA: "contact_me", OfferID: "o", ContactEmail: "A@X.example", CreatedAt: testkit.Epoch},
			{ExternalID: "OLD", Tab: "qualified", Classification: "sales_qualified", ContactEmail: "old@x.example", CreatedAt: testkit.Epoch.Add(-30 * 24 * time.Hour)},
			{ExternalID: "B", Tab: "marketplace", LeadType: "offer", CTA: "free_trial", OfferID: "o", ContactEmail: "b@x.example", CreatedAt: testkit.Epoch},
		}
	}
	one, bulk := newFixture(t), newFixture(t)
	var want []db.IncomingResult
	for _, l := range mk() {
		id, created, err := one.svc.Receive(context.Background(), lead.Actor{Label: "import"}, l)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, db.IncomingResult{ID: id, Created: created})
	}
	im, err := bulk.svc.StartImport(context.Background(), lead.Actor{Label: "import"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := im.Save(context.Background(), mk())
	im.Close()
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("lead %d: import %+v, receive %+v", i, got[i], want[i])
		}
	}
	a, b := one.eventRows(t), bulk.eventRows(t)
	if len(a) != 3 || len(b) != len(a) {
		t.Fatalf("%d events one by one, %d by import; want 3 each", len(a), len(b))
	}
	for i := range a {
		if a[i].kind != b[i].kind || a[i].leadID != b[i].leadID || a[i].payload["status"] != b[i].payload["status"] {
			t.Errorf("event %d: receive %+v, import %+v", i, a[i], b[i])
		}
	}
	// The 30-day-old qualified lead arrived settled: expired, as the jobs would have left it.
	if a[1].payload["status"] != "archived" || a[1].payload["outcome"] != "expired" {
		t.Errorf("old lead's arrival: %+v", a[1].payload)
	}
}

// TestRemovingALocationRecordsAnEditPerMovedLead: removing a location moves its leads to another one
// in the same transaction, and each moved lead records an Edited event from the old location to the
// new; a refused removal moves nothing and records nothing.
func TestRemovingALocationRecordsAnEditPerMovedLead(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	pa := db.ProfileActor{UserID: f.admin.UserID, At: testkit.Epoch}
	tokyo, osaka := &db.Location{Name: "Tokyo", Country: "JP"}, &db.Location{Name: "Osaka", Country: "JP"}
	for _, loc := range []*db.Location{tokyo, osaka} {
		if err := f.d.CreateLocation(ctx, pa, loc); err != nil {
			t.Fatal(err)
		}
	}
	var moved []int64
	for _, company := range []string{"alpha", "bravo"} {
		l := &lead.Lead{Tab: "marketplace", LeadType: "profile", LocationID: tokyo.ID, CustomerCompany: company, ContactEmail: company + "@x.example"}
		id, _, err := f.svc.Receive(ctx, lead.Actor{Label: "marketplace"}, l)
		if err != nil {
			t.Fatal(err)
		}
		moved = append(moved, id)
	}
	var inUse *db.LocationInUseError
	if err := f.svc.RemoveLocation(ctx, f.admin, tokyo.ID, 0); !errors.As(err, &inUse) || inUse.Leads != 2 {
		t.Fatalf("removal without a move target: %v", err)
	}
	f.rec.events = nil
	if err := f.svc.RemoveLocation(ctx, f.admin, tokyo.ID, osaka.ID); err != nil {
		t.Fatal(err)
	}
	if len(f.rec.events) != 2 {
		t.Fatalf("%d events, want one per moved lead", len(f.rec.events))
	}
	for i, e := range f.rec.events {
		ed, ok := e.(lead.Edited)
		if !ok || ed.Lead.ID != moved[i] || ed.Before.LocationID != tokyo.ID || ed.Lead.LocationID != osaka.ID || ed.Lead.Version != ed.Before.Version+1 {
			t.Errorf("event %d = %+v", i, e)
		}
	}
	if n := f.count(t, `SELECT COUNT(*) FROM domain_events WHERE kind = 'lead.edited'`); n != 2 {
		t.Errorf("%d edited events stored, want 2", n)
	}
}
