package leads_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"

	"leaddesk/db"
	"leaddesk/internal/testkit"
	"leaddesk/lead"
	"leaddesk/leads"
	"leaddesk/lifecycle"
)

// fileHolds reports which of needles occur in the database file or its write-ahead log, after a
// checkpoint: what a copy of the file (or a backup of it) would give away.
func fileHolds(t *testing.T, d *db.DB, needles []string) []string {
	t.Helper()
	if _, err := d.ExecContext(context.Background(), `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	var raw []byte
	for _, p := range []string{d.Path, d.Path + "-wal"} {
		b, err := os.ReadFile(p)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		raw = append(raw, b...)
	}
	low := bytes.ToLower(raw)
	var found []string
	for _, n := range needles {
		if bytes.Contains(low, []byte(strings.ToLower(n))) {
			found = append(found, n)
		}
	}
	return found
}

// TestErasePersonLeavesNoTraceInTheFile seeds a person as the customer contact of one lead (with a
// declined lead's notes naming them, mail queued to them, a webhook delivery and a Partner Center
// push carrying their data) and as an extra contact and an employee of two other leads; erases them;
// and then finds none of their strings anywhere in the SQLite file — every table, the FTS shadow
// tables, the WAL after a checkpoint — while the leads keep what Insights counts.
func TestErasePersonLeavesNoTraceInTheFile(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	const (
		email = "zebulon.quixley@erase-me.example"
		phone = "+44 20 7946 0958"
		first = "Zebulon"
		last  = "Quixley"
		notes = "Zebulon wants a callback about Quixplan"
	)
	l := &lead.Lead{Tab: "marketplace", LeadType: "offer", CTA: "contact_me", Source: "appsource", OfferID: "crm", OfferTitle: "Contoso CRM",
		CustomerCompany: "Fabrikam Ltd", ContactFirstName: first, ContactLastName: last, ContactEmail: email, ContactPhone: phone,
		ContactTitle: "Head of Quixology", Description: "Please call Zebulon on " + phone, Country: "GB", EmailValidity: "valid", CustomerConsent: true}
	id, _, err := f.svc.Receive(ctx, lead.Actor{Label: "marketplace"}, l)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Decline(ctx, f.admin, id, 0, "budget", notes); err != nil {
		t.Fatal(err)
	}
	// The same person as an extra contact and as an employee of leads of other companies.
	other := f.receive(t, "contoso")
	if _, err := f.svc.Accept(ctx, f.admin, other.ID, 0, lifecycle.Deal{Name: "Contoso rollout", Value: 500000, Currency: "EUR"}, nil,
		[]lead.Contact{{Name: "Zebulon Quixley", Email: strings.ToUpper(email), Phone: "020 7946 0958"}, {Name: "Keeper Person", Email: "keeper@contoso.example"}}); err != nil {
		t.Fatal(err)
	}
	third := f.receive(t, "northwind")
	if _, err := f.svc.Accept(ctx, f.admin, third.ID, 0, lifecycle.Deal{Name: "Northwind"}, nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AddEmployee(ctx, f.admin, third.ID, 0, lead.Contact{Name: "Zebulon Quixley", Phone: phone}); err != nil {
		t.Fatal(err)
	}
	// Copies outside the lead: mail to the person, a queued webhook delivery and a Partner Center push.
	seed := []string{
		`INSERT INTO outbox (kind, to_email, to_name, params, next_attempt_at, created_at) VALUES ('decline_customer', '` + email + `', 'Zebulon Quixley', '{}', 0, 0)`,
		`INSERT INTO webhook_endpoints (id, name, url, events, created_at) VALUES (1, 'crm', 'https://crm.example/hook', 'lead.created', 0)`,
		`INSERT INTO webhook_deliveries (endpoint_id, msg_id, lead_id, event_type, payload, created_at, next_at)
			VALUES (1, 'msg_1', ` + strconv.FormatInt(id, 10) + `, 'lead.created', '{"email": "` + email + `"}', 0, 0)`,
		`INSERT INTO pc_sync_queue (kind, lead_id, referral_id, ops, next_attempt_at, created_at)
			VALUES ('push', ` + strconv.FormatInt(third.ID, 10) + `, 'ref-3', '[{"op":"add","value":{"email":"` + email + `"}}]', 0, 0)`,
	}
	for _, s := range seed {
		if _, err := f.d.ExecContext(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	needles := []string{email, "Zebulon", "Quixley", "7946", "Quixology", "Quixplan"}
	if got := fileHolds(t, f.d, needles); len(got) != len(needles) {
		t.Fatalf("before the erasure the file holds %v of %v: the seed is wrong", got, needles)
	}
	before, _ := f.d.LeadByID(ctx, id)

	preview, err := f.svc.FindPerson(ctx, email, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(preview.Leads) != 1 || len(preview.Contacts) != 1 || len(preview.Mail) != 2 {
		t.Fatalf("preview by email: %d leads, %d contacts, %d mails; want 1, 1, 2 (the decline mail and the seeded one)", len(preview.Leads), len(preview.Contacts), len(preview.Mail))
	}
	admin := testkit.CreateUser(t, f.d, "dpo@example.com", "Dana", db.RoleAccount)
	rep, err := f.svc.Erase(ctx, admin.LeadActor(), leads.ErasureRequest{Email: email, Phone: phone, Reason: "Art. 17 request, ticket 4711"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Leads != 1 || rep.Contacts != 2 || rep.Mail != 2 {
		t.Errorf("erased %d leads, %d contacts, %d mails; want 1, 2 (contact and employee), 2", rep.Leads, rep.Contacts, rep.Mail)
	}
	if got := fileHolds(t, f.d, needles); len(got) != 0 {
		t.Errorf("after the erasure the database file still holds %v", got)
	}

	// What Insights counts stays: the lead, its dates, country, source, outcome; the colleague stays.
	after, err := f.d.LeadByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if after.Country != before.Country || after.Outcome != "declined" || after.Source != before.Source || !after.CreatedAt.Equal(before.CreatedAt) ||
		after.CustomerCompany != before.CustomerCompany {
		t.Errorf("anonymised lead lost its statistics: before %+v after %+v", before, after)
	}
	if cs, _ := f.d.LeadContacts(ctx, other.ID); len(cs) != 1 || cs[0].Email != "keeper@contoso.example" {
		t.Errorf("other contacts of the lead: %+v; want only the keeper", cs)
	}
	if again, _ := f.svc.FindPerson(ctx, email, phone); again.Count() != 0 {
		t.Errorf("the person is still found: %+v", again)
	}
	// The audit log names the person by hash only.
	var details string
	if err := f.d.QueryRowContext(ctx, `SELECT details FROM audit_log WHERE action = 'privacy.erase'`).Scan(&details); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(details, leads.PersonHash(email, phone)) || !strings.Contains(details, `"leads":1`) {
		t.Errorf("audit details %s: want the hash and the counts", details)
	}
	// The erasure is a domain event of each lead it touched.
	var n int
	if err := f.d.QueryRowContext(ctx, `SELECT count(*) FROM domain_events WHERE kind = 'lead.anonymised'`).Scan(&n); err != nil || n != 3 {
		t.Errorf("lead.anonymised events: %d (%v); want 3", n, err)
	}
	// The search index no longer finds a lead by the erased name.
	var hits int
	if err := f.d.QueryRowContext(ctx, `SELECT count(*) FROM lead_search WHERE lead_search MATCH ?`, db.SearchQuery("Quixley")).Scan(&hits); err != nil || hits != 0 {
		t.Errorf("search for the erased name: %d hits (%v); want none", hits, err)
	}
}

func TestEraseRefusesBadRequests(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	admin := testkit.CreateUser(t, f.d, "dpo@example.com", "Dana", db.RoleAccount)
	for _, tc := range []struct {
		name  string
		req   leads.ErasureRequest
		field string
	}{
		{"nothing to find", leads.ErasureRequest{Reason: "x"}, "email"},
		{"not an address", leads.ErasureRequest{Email: "nobody", Reason: "x"}, "email"},
		{"no reason", leads.ErasureRequest{Email: "a@b.example"}, "reason"},
		{"reason repeats the address", leads.ErasureRequest{Email: "a@b.example", Reason: "asked by a@b.example"}, "reason"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.svc.Erase(ctx, admin.LeadActor(), tc.req)
			if !errors.Is(err, leads.ErrInvalid) || !strings.Contains(err.Error(), tc.field) {
				t.Errorf("err %v; want ErrInvalid naming %s", err, tc.field)
			}
		})
	}
	if _, err := f.svc.Erase(ctx, f.admin, leads.ErasureRequest{Email: "a@b.example", Reason: "request"}); !errors.Is(err, leads.ErrRole) {
		t.Errorf("a Referrals admin erasing: %v; want ErrRole", err)
	}
}

// TestCompactionThatHadToWaitIsFinishedByTheNextRetentionRun: while a reader holds an old snapshot,
// the compaction after an erasure cannot truncate the write-ahead log (the erased person's frames stay
// in it); the next retention run finishes it, although it has nothing to retire.
func TestCompactionThatHadToWaitIsFinishedByTheNextRetentionRun(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.receive(t, "wolfram")
	const email = "wolfram@customer.example" // the contact f.receive gives the lead
	reader, err := f.d.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	if _, err := reader.ExecContext(ctx, `BEGIN DEFERRED`); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := reader.QueryRowContext(ctx, `SELECT count(*) FROM leads`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	dpo := testkit.CreateUser(t, f.d, "dpo@example.com", "Dana", db.RoleAccount)
	if _, err := f.svc.Erase(ctx, dpo.LeadActor(), leads.ErasureRequest{Email: email, Reason: "Art. 17"}); err != nil {
		t.Fatal(err)
	}
	walSize := func() int64 {
		fi, err := os.Stat(f.d.Path + "-wal")
		if err != nil {
			return 0
		}
		return fi.Size()
	}
	if walSize() == 0 {
		t.Fatal("the log was truncated while a reader held an old snapshot; the test shows nothing")
	}
	if _, err := reader.ExecContext(ctx, `COMMIT`); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.ApplyRetention(ctx, f.clk.Now()); err != nil {
		t.Fatal(err)
	}
	if s := walSize(); s != 0 {
		t.Errorf("the write-ahead log still holds %d bytes after the next retention run", s)
	}
}
