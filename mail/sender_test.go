package mail_test

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"testing"
	"time"

	"leaddesk/db"
	"leaddesk/internal/testkit"
	"leaddesk/lead"
	"leaddesk/mail"
)

// Twelve actionable leads in one local day: each recipient gets ten single mails that day and, after
// the day ends, one digest listing the other two. Test and informational leads send nothing.
func TestTwelveLeadsGiveTenSinglesThenOneDigest(t *testing.T) {
	d := testkit.NewDB(t)
	srv := testkit.StartSMTP(t)
	testkit.CreateUser(t, d, "ref@team.example", "Ren Ito", db.RoleReferrals)
	testkit.CreateUser(t, d, "acct@team.example", "Aya Mori", db.RoleAccount) // not a Referrals admin: no mail
	loc := addLocation(t, d, "Kenji Contact", "contact@team.example")
	s := newSender(t, d, srv.URL(""), srv)

	for i := 1; i <= 12; i++ {
		addLead(t, d, day0.Add(time.Duration(i)*time.Minute), loc, "Customer "+string(rune('A'-1+i)))
	}
	addLead(t, d, day0, loc, "Test Lead Co", func(l *lead.Lead) { l.IsTest = true })
	addLead(t, d, day0, loc, "Informational Co", func(l *lead.Lead) { l.CTA = "get_it_now" })

	now := day0.Add(time.Hour) // 19:00, same day
	if err := mail.QueueDigests(context.Background(), d, env(now)); err != nil {
		t.Fatal(err)
	}
	run(t, s, now)
	for _, who := range []string{"ref@team.example", "contact@team.example"} {
		got := srv.To(who)
		if len(got) != 10 {
			t.Fatalf("%s got %d mails the first day, want 10 single mails", who, len(got))
		}
		for _, m := range got {
			if !strings.HasPrefix(m.Subject, "New lead") || strings.Contains(m.Subject, "Customer K") || strings.Contains(m.Subject, "Customer L") {
				t.Errorf("%s: unexpected single mail %q", who, m.Subject)
			}
			if strings.Contains(m.Text, "Test Lead Co") || strings.Contains(m.Text, "Informational Co") {
				t.Errorf("a test or informational lead was mailed: %q", m.Subject)
			}
		}
	}
	if n := len(srv.To("acct@team.example")); n != 0 {
		t.Errorf("an Account admin without the Referrals role got %d new-lead mails", n)
	}

	// The day ends at midnight in Tokyo (15:00 UTC): the digest job queues one digest per recipient.
	next := time.Date(2026, 12, 1, 0, 5, 0, 0, tokyo)
	for i := 0; i < 2; i++ { // twice: the job is idempotent
		if err := mail.QueueDigests(context.Background(), d, env(next)); err != nil {
			t.Fatal(err)
		}
		run(t, s, next)
	}
	for _, who := range []string{"ref@team.example", "contact@team.example"} {
		got := srv.To(who)
		if len(got) != 11 {
			t.Fatalf("%s got %d mails in all, want 10 singles + 1 digest", who, len(got))
		}
		dg := got[10]
		if dg.Subject != "New leads on Nov 30, 2026: Customer K and 1 more" {
			t.Errorf("digest subject = %q", dg.Subject)
		}
		for _, c := range []string{"Customer K", "Customer L"} {
			if !strings.Contains(dg.Text, c) || !strings.Contains(dg.HTML, c) {
				t.Errorf("digest for %s does not list %s:\n%s", who, c, dg.Text)
			}
		}
		if strings.Contains(dg.Text, "Customer A\n") || strings.Contains(dg.Text, "Customer J") {
			t.Errorf("digest repeats a lead that had its own mail:\n%s", dg.Text)
		}
	}
}

// The SMTP server is down for a while: every message waits with a growing delay and arrives once the
// server is back — each exactly once.
func TestOutageDeliversEverythingOnceWhenBack(t *testing.T) {
	d := testkit.NewDB(t)
	srv := testkit.StartSMTP(t)
	testkit.CreateUser(t, d, "ref@team.example", "Ren Ito", db.RoleReferrals)
	s := newSender(t, d, srv.URL(""), srv)
	for _, c := range []string{"Alpha", "Beta", "Gamma"} {
		addLead(t, d, day0, 0, c)
	}
	srv.Stop()
	run(t, s, day0)
	if st := outboxStatus(t, d); st["queued"] != 3 {
		t.Fatalf("after a failed try: %v, want 3 queued", st)
	}
	rows, _, err := d.ListOutbox(context.Background(), db.OutboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.Attempts != 1 || !r.NextAttemptAt.Equal(day0.Add(time.Minute)) || !strings.Contains(r.LastError, "connect") {
			t.Errorf("row %d: attempts %d, next %v, error %q; want 1 attempt, retry in 1 min, the connection error", r.ID, r.Attempts, r.NextAttemptAt, r.LastError)
		}
	}
	run(t, s, day0.Add(30*time.Second)) // not due yet: no attempt
	run(t, s, day0.Add(61*time.Second)) // second failure: retry in 2 min
	rows, _, _ = d.ListOutbox(context.Background(), db.OutboxFilter{})
	if rows[0].Attempts != 2 || !rows[0].NextAttemptAt.Equal(day0.Add(61*time.Second+2*time.Minute)) {
		t.Errorf("after the second failure: attempts %d, next %v", rows[0].Attempts, rows[0].NextAttemptAt)
	}

	srv.Start()
	run(t, s, day0.Add(4*time.Minute))
	run(t, s, day0.Add(2*time.Hour)) // nothing left: nothing twice
	got := srv.To("ref@team.example")
	if len(got) != 3 {
		t.Fatalf("after the outage %d mails arrived, want 3", len(got))
	}
	ids := map[string]bool{}
	for _, m := range got {
		ids[m.Header.Get("Message-Id")] = true
	}
	if len(ids) != 3 {
		t.Errorf("a message arrived twice: Message-IDs %v", ids)
	}
	if st := outboxStatus(t, d); st["sent"] != 3 {
		t.Errorf("outbox after delivery: %v", st)
	}
}

func TestBackoffDoublesUpToAnHour(t *testing.T) {
	want := []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 16 * time.Minute, 32 * time.Minute, time.Hour, time.Hour}
	for i, w := range want {
		if got := mail.Backoff(i + 1); got != w {
			t.Errorf("Backoff(%d) = %v, want %v", i+1, got, w)
		}
	}
}

// A restart in the middle of the queue: the first process sent part of it and died while holding one
// message; a new process on the same database sends the rest, the held one after its lease, and
// nothing twice.
func TestRestartInTheMiddleOfTheQueue(t *testing.T) {
	srv := testkit.StartSMTP(t)
	path := t.TempDir() + "/leaddesk.db"
	d1, err := db.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	testkit.CreateUser(t, d1, "ref@team.example", "Ren Ito", db.RoleReferrals)
	for _, c := range []string{"One", "Two", "Three", "Four", "Five"} {
		addLead(t, d1, day0, 0, c)
	}
	first := newSender(t, d1, srv.URL(""), srv)
	first.MaxPerRun = 2
	run(t, first, day0)
	// The first process claims one more message and dies before sending it.
	if _, err := d1.ClaimOutbox(context.Background(), day0, 5*time.Minute); err != nil {
		t.Fatal(err)
	}
	d1.Close()

	d2, err := db.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	second := newSender(t, d2, srv.URL(""), srv)
	run(t, second, day0.Add(time.Second))
	if n := len(srv.All()); n != 4 {
		t.Fatalf("after the restart %d mails arrived, want 4 (the claimed one waits for its lease)", n)
	}
	run(t, second, day0.Add(5*time.Minute+time.Second))
	got := srv.All()
	if len(got) != 5 {
		t.Fatalf("%d mails arrived in all, want 5", len(got))
	}
	subjects := map[string]int{}
	for _, m := range got {
		subjects[m.Subject]++
	}
	for s, n := range subjects {
		if n != 1 {
			t.Errorf("%q arrived %d times", s, n)
		}
	}
}

// A server that refuses a recipient: that message fails with the server's answer, the others go out.
func TestRefusedRecipientFailsAndTheQueueMoves(t *testing.T) {
	d := testkit.NewDB(t)
	srv := testkit.StartSMTP(t)
	srv.Refuse("gone@team.example")
	testkit.CreateUser(t, d, "gone@team.example", "Gone User", db.RoleReferrals)
	testkit.CreateUser(t, d, "ref@team.example", "Ren Ito", db.RoleReferrals)
	s := newSender(t, d, srv.URL(""), srv)
	addLead(t, d, day0, 0, "Alpha")
	err := d.InTx(context.Background(), func(tx *sql.Tx) error {
		_, err := db.EnqueueMailTx(context.Background(), tx, day0, db.OutboxMessage{Kind: "invitation", ToEmail: "not an address",
			Params: map[string]any{"link": baseURL + "/invite/x"}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	addLead(t, d, day0, 0, "Beta")
	run(t, s, day0)
	if n := len(srv.To("ref@team.example")); n != 2 {
		t.Errorf("the good recipient got %d mails, want 2", n)
	}
	rows, _, err := d.ListOutbox(context.Background(), db.OutboxFilter{Status: "failed"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("%d failed rows, want 3", len(rows))
	}
	for _, r := range rows {
		if r.ToEmail == "not an address" {
			if !strings.Contains(r.LastError, "not a valid address") {
				t.Errorf("unaddressable row: error %q", r.LastError)
			}
			continue
		}
		if r.ToEmail != "gone@team.example" || !strings.Contains(r.LastError, "550") || !strings.Contains(r.LastError, "No such user here") {
			t.Errorf("failed row: to %s, error %q; want the server's 550 answer", r.ToEmail, r.LastError)
		}
	}
	run(t, s, day0.Add(time.Hour)) // failed stays failed: not retried
	if n := len(srv.All()); n != 2 {
		t.Errorf("a refused message was tried again: %d deliveries", n)
	}
}

// Without SMTP configured nothing is sent and every message stays queued.
func TestWithoutSMTPMailStaysQueued(t *testing.T) {
	d := testkit.NewDB(t)
	testkit.CreateUser(t, d, "ref@team.example", "Ren Ito", db.RoleReferrals)
	addLead(t, d, day0, 0, "Alpha")
	s := newSender(t, d, "", nil)
	run(t, s, day0.Add(time.Hour))
	if st := outboxStatus(t, d); st["queued"] != 1 || len(st) != 1 {
		t.Errorf("outbox without SMTP: %v, want one queued message", st)
	}
}

// An SMTP URL that cannot be parsed is refused at start with a message naming the setting.
func TestBadSMTPURL(t *testing.T) {
	cfg := testkit.Config(t)
	cfg.SMTPURL = "http://mail.example.com"
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "LEADDESK_SMTP_URL") {
		t.Errorf("Validate = %v, want LEADDESK_SMTP_URL named", err)
	}
	if _, err := mail.NewSender(cfg, testkit.NewDB(t), nil); err == nil {
		t.Error("NewSender accepted an http:// SMTP URL")
	}
}

// A resend (failed → queued) keeps the Message-ID, so the recipient's client sees one message.
func TestResendKeepsMessageID(t *testing.T) {
	d := testkit.NewDB(t)
	srv := testkit.StartSMTP(t)
	testkit.CreateUser(t, d, "ref@team.example", "Ren Ito", db.RoleReferrals)
	s := newSender(t, d, srv.URL(""), srv)
	l := addLead(t, d, day0, 0, "Alpha")
	run(t, s, day0)
	var id int64
	if err := d.QueryRow(`SELECT id FROM outbox WHERE lead_id = ?`, l.ID).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if err := d.InTx(context.Background(), func(tx *sql.Tx) error { return db.ResendOutboxTx(context.Background(), tx, id, day0) }); err != nil {
		t.Fatal(err)
	}
	run(t, s, day0.Add(time.Minute))
	got := srv.All()
	if len(got) != 2 {
		t.Fatalf("%d deliveries, want the original and the resend", len(got))
	}
	want := "<outbox-" + itoa(id) + "@leads.example.com>"
	for _, m := range got {
		if m.Header.Get("Message-Id") != want {
			t.Errorf("Message-Id = %q, want %q", m.Header.Get("Message-Id"), want)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Two senders at once (a server and `leaddesk jobs` beside it) never send the same message.
func TestTwoSendersNeverSendTheSameMessage(t *testing.T) {
	d := testkit.NewDB(t)
	srv := testkit.StartSMTP(t)
	testkit.CreateUser(t, d, "ref@team.example", "Ren Ito", db.RoleReferrals)
	for i := 0; i < 8; i++ {
		addLead(t, d, day0, 0, "Company "+strconv.Itoa(i))
	}
	a, b := newSender(t, d, srv.URL(""), srv), newSender(t, d, srv.URL(""), srv)
	done := make(chan struct{})
	go func() { run(t, a, day0); close(done) }()
	run(t, b, day0)
	<-done
	got := srv.All()
	seen := map[string]bool{}
	for _, m := range got {
		if seen[m.Subject] {
			t.Errorf("%q was sent twice", m.Subject)
		}
		seen[m.Subject] = true
	}
	if len(seen) != 8 {
		t.Errorf("%d distinct messages arrived, want 8", len(seen))
	}
}

// The digest job forgets a day's counters a week later, so the tables stay small.
func TestDigestJobPrunesOldDays(t *testing.T) {
	d := testkit.NewDB(t)
	testkit.CreateUser(t, d, "ref@team.example", "Ren Ito", db.RoleReferrals)
	addLead(t, d, day0, 0, "Alpha")
	count := func() (n int) {
		d.QueryRow(`SELECT COUNT(*) FROM mail_day_counts`).Scan(&n)
		return n
	}
	if err := mail.QueueDigests(context.Background(), d, env(day0.AddDate(0, 0, 3))); err != nil {
		t.Fatal(err)
	}
	if count() != 1 {
		t.Fatal("the day's counter went too early")
	}
	if err := mail.QueueDigests(context.Background(), d, env(day0.AddDate(0, 0, 8))); err != nil {
		t.Fatal(err)
	}
	if count() != 0 {
		t.Error("a counter older than a week is still kept")
	}
}

// A new-lead mail still queued (or resent) after its lead expired goes out without the contact
// details: expired leads show them nowhere, mail included.
func TestMailAboutAnExpiredLeadLeavesOutTheContact(t *testing.T) {
	d := testkit.NewDB(t)
	mailWithPersonalData(t, d) // a live lead's mail shows the contact only with the setting off
	srv := testkit.StartSMTP(t)
	testkit.CreateUser(t, d, "ref@team.example", "Ren Ito", db.RoleReferrals)
	s := newSender(t, d, srv.URL(""), srv)
	fresh := addLead(t, d, day0, 0, "Alpha", func(l *lead.Lead) { l.ContactPhone = "+81 3 1234 5678" })
	gone := addLead(t, d, day0, 0, "Beta", func(l *lead.Lead) { l.ContactPhone = "+81 3 1234 5678" })
	if _, err := d.Exec(`UPDATE leads SET status = 'archived', outcome = 'expired' WHERE id = ?`, gone.ID); err != nil {
		t.Fatal(err)
	}
	run(t, s, day0.Add(15*24*time.Hour))
	got := srv.To("ref@team.example")
	if len(got) != 2 {
		t.Fatalf("%d mails, want 2", len(got))
	}
	for _, m := range got {
		shows := strings.Contains(m.Text, "mei@customer.example") || strings.Contains(m.Text, "1234 5678") || strings.Contains(m.Text, "Mei") ||
			strings.Contains(m.HTML, "mei@customer.example") || strings.Contains(m.HTML, "1234 5678")
		switch {
		case strings.Contains(m.Text, "Alpha") && !shows:
			t.Errorf("the mail about a live lead (%d) lost its contact:\n%s", fresh.ID, m.Text)
		case strings.Contains(m.Text, "Beta") && shows:
			t.Errorf("the mail about an expired lead shows its contact:\n%s", m.Text)
		}
	}
}
