package mail_test

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"leaddesk/db"
	"leaddesk/internal/testkit"
	"leaddesk/jobs"
	"leaddesk/lead"
	"leaddesk/mail"
)

// storeLead inserts l as it is (status, answer times, owner), filling what every lead needs.
func storeLead(t *testing.T, d *db.DB, l lead.Lead) *lead.Lead {
	t.Helper()
	if l.Tab == "" {
		l.Tab, l.LeadType, l.Source, l.Country = "marketplace", "offer", "appsource", "US"
	}
	if l.CTA == "" {
		l.CTA = "contact_me"
	}
	l.ContactFirstName, l.ContactLastName, l.OfferTitle = "Pat", "Lee", "Contoso CRM"
	if err := d.InTx(context.Background(), func(tx *sql.Tx) error { return db.InsertLeadTx(context.Background(), tx, &l) }); err != nil {
		t.Fatalf("insert lead %s: %v", l.CustomerCompany, err)
	}
	return &l
}

// tk is a time in Tokyo, the test server's zone.
func tk(month time.Month, day, hour, minute int) time.Time {
	return time.Date(2026, month, day, hour, minute, 0, 0, tokyo)
}

// weeklyFixture is a small fixed data set for the summary of Mon 30 November – Sun 6 December 2026
// (Tokyo), sent on Monday 7 December; the week before is 23–29 November.
//
//	lead  created          answer         outcome / status   deal
//	A     Nov 30 09:00     accepted +1h   accepted (open)    USD 1,000.00
//	B     Dec 1 10:00      accepted +3h   won                USD 2,500.00
//	C     Dec 2 11:00      declined +2h   declined
//	D     Dec 3 12:00      accepted +10h  lost
//	E     Dec 4 13:00      none           received
//	F     Dec 5 09:00      (free trial: informational, not actionable)
//	G     Dec 6 23:30      none           received (the week's last half hour)
//	H     Dec 7 00:30      next week: not counted
//	T     Dec 2            test lead, won JPY 999: never counted
//	P1    Nov 24 10:00     accepted +4h   accepted (open)    JPY 500,000
//	P2    Nov 25 10:00     declined +1h   declined
//
// Last week: received 7, actionable 6, answered 4 (66.7%), accepted 3 of 4 (75.0%), won 1 of 2
// (50.0%), expired 0 of 6. Answer times 1, 2, 3, 10 h: median rank 1.5 → 2.5 h; 90th percentile rank
// 2.7 → 3 h + 0.7 × 7 h = 7.9 h. The week before: received 2, answered 2, accept 50.0%, answer times
// 1 and 4 h → median 2.5 h, 90th percentile 1 h + 0.9 × 3 h = 3.7 h, nothing won or lost.
func weeklyFixture(t *testing.T, d *db.DB) {
	t.Helper()
	ptr := func(t time.Time) *time.Time { return &t }
	type spec struct {
		company         string
		created         time.Time
		cta             string
		accepted        time.Duration
		archived        time.Duration
		status, outcome string
		value           int64
		currency        string
		test            bool
	}
	for _, sp := range []spec{
		{company: "A", created: tk(11, 30, 9, 0), accepted: time.Hour, status: "accepted", value: 100000, currency: "USD"},
		{company: "B", created: tk(12, 1, 10, 0), accepted: 3 * time.Hour, archived: 48 * time.Hour, status: "archived", outcome: "won", value: 250000, currency: "USD"},
		{company: "C", created: tk(12, 2, 11, 0), archived: 2 * time.Hour, status: "archived", outcome: "declined"},
		{company: "D", created: tk(12, 3, 12, 0), accepted: 10 * time.Hour, archived: 72 * time.Hour, status: "archived", outcome: "lost"},
		{company: "E", created: tk(12, 4, 13, 0)},
		{company: "F", created: tk(12, 5, 9, 0), cta: "free_trial"},
		{company: "G", created: tk(12, 6, 23, 30)},
		{company: "H", created: tk(12, 7, 0, 30)},
		{company: "T", created: tk(12, 2, 9, 0), accepted: time.Hour, archived: 2 * time.Hour, status: "archived", outcome: "won", value: 999, currency: "JPY", test: true},
		{company: "P1", created: tk(11, 24, 10, 0), accepted: 4 * time.Hour, status: "accepted", value: 500000, currency: "JPY"},
		{company: "P2", created: tk(11, 25, 10, 0), archived: time.Hour, status: "archived", outcome: "declined"},
	} {
		l := lead.Lead{CustomerCompany: sp.company, CreatedAt: sp.created, CTA: sp.cta, Status: sp.status, Outcome: sp.outcome,
			DealValue: sp.value, Currency: sp.currency, IsTest: sp.test}
		if sp.accepted != 0 {
			l.AcceptedAt = ptr(sp.created.Add(sp.accepted))
		}
		if sp.archived != 0 {
			l.ArchivedAt = ptr(sp.created.Add(sp.archived))
		}
		storeLead(t, d, l)
	}
}

// observedRunner is the job runner as `leaddesk serve` builds it, with the scheduled-mail jobs of
// notifier n on the server's fake clock; runs reports each finished run, so the test waits for runs
// instead of sleeping.
func observedRunner(t *testing.T, s *testkit.Server, n *mail.Notifier) (r *jobs.Runner, runs chan string) {
	r = jobs.NewRunner(s.Clock, slog.New(slog.NewTextHandler(io.Discard, nil)))
	runs = make(chan string, 16)
	r.Observe(func(job string, _ time.Duration, err error) {
		if err != nil {
			t.Errorf("job %s: %v", job, err)
		}
		runs <- job
	})
	for _, j := range n.ScheduledJobs(s.DB) {
		r.Register(j)
	}
	return r, runs
}

// awaitRuns waits until each of the runner's two scheduled-mail jobs has run once more.
func awaitRuns(t *testing.T, runs chan string) {
	t.Helper()
	seen := map[string]bool{}
	for len(seen) < 2 {
		select {
		case j := <-runs:
			seen[j] = true
		case <-time.After(10 * time.Second):
			t.Fatalf("the scheduled-mail jobs did not run (ran: %v)", seen)
		}
	}
}

// TestWeeklySummaryArrivesOnMondayOnceInTheUsersLanguage: the job runner on the injected clock
// sends last week's summary on Monday morning (not on Sunday, not before 07:00), once — a restart
// and a second run send nothing more — to the Referrals admins who did not opt out and anyone who
// opted in, in each one's language, with figures worked out by hand.
func TestWeeklySummaryArrivesOnMondayOnceInTheUsersLanguage(t *testing.T) {
	s := testkit.NewServer(t)
	ctx := context.Background()
	smtp := testkit.StartSMTP(t)
	weeklyFixture(t, s.DB)
	s.CreateUser("admin@example.com", "Sam Admin", db.RoleReferrals)
	aiko := s.CreateUser("aiko@example.com", "田中 愛子", db.RoleReferrals)
	if err := s.DB.SetUserLang(ctx, aiko.ID, "ja"); err != nil {
		t.Fatal(err)
	}
	s.CreateUser("reader@example.com", "Rita Reader", db.RoleProfile) // default off
	optIn := s.CreateUser("optin@example.com", "Otto Optin", db.RoleProfile)
	optOut := s.CreateUser("optout@example.com", "Olga Optout", db.RoleReferrals)
	for id, sub := range map[int64]db.MailSubscriptions{optIn.ID: {WeeklySummary: true}, optOut.ID: {WeeklySummary: false}} {
		if err := db.SaveMailSubscriptionsTx(ctx, s.DB, id, sub, s.Clock.Now()); err != nil {
			t.Fatal(err)
		}
	}

	s.Clock.Set(tk(12, 6, 8, 0)) // Sunday morning
	r, runs := observedRunner(t, s, s.Notify)
	runCtx, stop := context.WithCancel(ctx)
	r.Start(runCtx)
	awaitRuns(t, runs)
	for _, at := range []time.Time{tk(12, 6, 23, 59), tk(12, 7, 6, 55)} { // Sunday night, Monday before seven
		s.Clock.Set(at)
		awaitRuns(t, runs)
	}
	s.DeliverMail(smtp)
	if got := smtp.All(); len(got) != 0 {
		t.Fatalf("%d mails before Monday 07:00, first %q", len(got), got[0].Subject)
	}

	s.Clock.Set(tk(12, 7, 7, 0))
	awaitRuns(t, runs)
	s.Clock.Set(tk(12, 7, 7, 5)) // the next tick finds them sent
	awaitRuns(t, runs)
	stop()
	r.Wait()
	// A restart later that morning: a new notifier and runner, as a new process builds them.
	s.Clock.Set(tk(12, 7, 9, 30))
	r2, runs2 := observedRunner(t, s, mail.NewNotifier(s.Cfg))
	runCtx2, stop2 := context.WithCancel(ctx)
	r2.Start(runCtx2)
	awaitRuns(t, runs2)
	stop2()
	r2.Wait()
	s.DeliverMail(smtp)

	got := map[string]int{}
	for _, m := range smtp.All() {
		got[m.To[0]]++
	}
	want := map[string]int{"admin@example.com": 1, "aiko@example.com": 1, "optin@example.com": 1}
	if len(got) != len(want) || got["admin@example.com"] != 1 || got["aiko@example.com"] != 1 || got["optin@example.com"] != 1 {
		t.Fatalf("mails per recipient %v, want %v (reader: default off; optout: switched off)", got, want)
	}

	en := smtp.To("admin@example.com")[0]
	en.Text = strings.ReplaceAll(en.Text, "\r\n", "\n")
	if en.Subject != "Your team's week in leads: Nov 30, 2026 – Dec 6, 2026" {
		t.Errorf("subject %q", en.Subject)
	}
	for _, line := range []string{
		"- Leads received: 7\n  Against the week before: +5 (+250%)",
		"- Actionable leads answered: 4 — of 6 actionable (66.7%)\n  Against the week before: +2 (+100%)",
		"- Median time to first answer: 2.5 hours\n  Against the week before: No change",
		"- 90th percentile time to first answer: 7.9 hours\n  Against the week before: +4.2 hours",
		"- Expired unanswered: 0.0% — 0 of 6\n  Against the week before: No change",
		"- Accept rate: 75.0% — 3 of 4\n  Against the week before: +25.0 pts",
		"- Win rate: 50.0% — 1 of 2\n  Against the week before: Nothing to compare",
		"- Pipeline value: USD 1,000.00\n  Against the week before: was JPY 500,000",
		"- Won value: USD 2,500.00\n  Against the week before: Nothing to compare",
		"Open Insights for this week: " + s.Cfg.BaseURL + "/insights?from=2026-11-30&range=custom&to=2026-12-06",
		"Switch it off under Settings: " + s.Cfg.BaseURL + "/settings#scheduled-mails",
	} {
		if !strings.Contains(en.Text, line) {
			t.Errorf("English summary lacks %q:\n%q", line, en.Text)
		}
	}
	if !strings.Contains(en.HTML, `href="`+s.Cfg.BaseURL+`/insights?from=2026-11-30&amp;range=custom&amp;to=2026-12-06"`) {
		t.Errorf("the HTML part lacks the Insights link:\n%s", en.HTML)
	}

	ja := smtp.To("aiko@example.com")[0]
	if ja.Subject != "チームのリード週次サマリー: 2026年11月30日～2026年12月6日" {
		t.Errorf("Japanese subject %q", ja.Subject)
	}
	for _, s := range []string{"田中 愛子", "受信したリード: 7", "初回応答までの時間（中央値）: 2.5 時間", "承諾率: 75.0% — 4 件中 3 件", "+25.0 ポイント", "この週のインサイトを開く"} {
		if !strings.Contains(ja.Text, s) {
			t.Errorf("Japanese summary lacks %q:\n%s", s, ja.Text)
		}
	}
}

// TestTodayMailListsDueStepsAndLeadsNearExpiry: on a working morning a user who chose the "today"
// mail gets their next steps due today and overdue and their unanswered leads close to expiry —
// nothing else; a user with nothing due gets no mail; one who did not choose it gets none; the
// weekend sends nothing; a second run sends nothing more.
func TestTodayMailListsDueStepsAndLeadsNearExpiry(t *testing.T) {
	s := testkit.NewServer(t)
	ctx := context.Background()
	smtp := testkit.StartSMTP(t)
	owner := s.CreateUser("owner@example.com", "Olivia Owner", db.RoleReferrals)
	idle := s.CreateUser("idle@example.com", "Ian Idle", db.RoleReferrals)
	other := s.CreateUser("other@example.com", "Omar Other", db.RoleReferrals) // has due steps, did not opt in
	away := s.CreateUser("away@example.com", "Ava Away", db.RoleReferrals)     // has due steps, away this week
	for _, u := range []*db.User{owner, idle, away} {
		if err := db.SaveMailSubscriptionsTx(ctx, s.DB, u.ID, db.MailSubscriptions{Today: true}, s.Clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	morning := tk(12, 2, 7, 30) // Wednesday
	owned := func(company string, owner *db.User, created time.Time) *lead.Lead {
		return storeLead(t, s.DB, lead.Lead{CustomerCompany: company, CreatedAt: created, OwnerID: owner.ID})
	}
	step := func(l *lead.Lead, by *db.User, text, due string, done bool) {
		a := &db.Activity{LeadID: l.ID, UserID: by.ID, Kind: "call", At: morning.Add(-72 * time.Hour), NextStep: text, NextDue: due}
		err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
			if err := db.AddActivityTx(ctx, tx, a, morning); err != nil {
				return err
			}
			if done {
				return db.CompleteNextStepTx(ctx, tx, a.ID, morning)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	fresh := morning.Add(-24 * time.Hour)
	quote := owned("Fabrikam", owner, fresh)
	step(quote, owner, "Send the quote", "2026-12-02", false)
	step(owned("Northwind", owner, fresh), owner, "Call back about licences", "2026-11-30", false)
	step(owned("Tailspin", owner, fresh), owner, "Demo next week", "2026-12-03", false) // tomorrow: not yet
	step(owned("Litware", owner, fresh), owner, "Already done", "2026-12-01", true)
	step(owned("Adatum", other, fresh), other, "Other's step", "2026-12-02", false)
	step(owned("Proseware", away, fresh), away, "Away's step", "2026-12-02", false)
	if err := s.DB.SetAway(ctx, away.ID, &db.Away{From: tk(11, 30, 0, 0), Until: tk(12, 5, 0, 0)}); err != nil {
		t.Fatal(err)
	}
	// Expiring in 30 hours (created 14 days minus 30 hours ago) and in five days.
	near := owned("Contoso", owner, morning.Add(-lead.ExpiryWindow+30*time.Hour))
	owned("Woodgrove", owner, morning.Add(-lead.ExpiryWindow+5*24*time.Hour))

	for _, at := range []time.Time{tk(12, 5, 8, 0), tk(12, 2, 6, 59)} { // Saturday; Wednesday before seven
		if n, err := s.Notify.QueueTodayMails(ctx, s.DB, at); err != nil || n != 0 {
			t.Fatalf("as of %v: queued %d, %v; want nothing", at, n, err)
		}
	}
	for i := 0; i < 2; i++ {
		if _, err := s.Notify.QueueTodayMails(ctx, s.DB, morning.Add(time.Duration(i)*5*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	s.Clock.Set(morning)
	s.DeliverMail(smtp)
	if all := smtp.All(); len(all) != 1 {
		t.Fatalf("%d mails, want one (to owner@ only: idle@ has nothing due, other@ did not choose the mail, away@ is away)", len(all))
	}
	m := smtp.To("owner@example.com")
	if len(m) != 1 {
		t.Fatalf("owner@ got %d mails", len(m))
	}
	if m[0].Subject != "Today, Dec 2, 2026: 2 next steps due, 1 lead close to expiry" {
		t.Errorf("subject %q", m[0].Subject)
	}
	text := strings.ReplaceAll(m[0].Text, "\r\n", "\n")
	for _, want := range []string{
		"- Fabrikam: Send the quote\n  Due today\n  " + s.Cfg.BaseURL + "/leads/" + itoa(quote.ID),
		"- Northwind: Call back about licences\n  Overdue: it was due on Nov 30, 2026",
		"- Contoso · Respond by " + near.ExpiresAt.In(tokyo).Format("Jan 2, 2006 15:04 (MST)") + "\n  " + s.Cfg.BaseURL + "/leads/" + itoa(near.ID),
		"Open the Action Center: " + s.Cfg.BaseURL + "/action-center",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the mail lacks %q:\n%s", want, text)
		}
	}
	for _, not := range []string{"Tailspin", "Litware", "Adatum", "Proseware", "Woodgrove"} {
		if strings.Contains(text, not) {
			t.Errorf("the mail lists %s:\n%s", not, text)
		}
	}
	if !strings.Contains(m[0].HTML, "Overdue: it was due on Nov 30, 2026") {
		t.Errorf("the HTML part lacks the overdue step:\n%s", m[0].HTML)
	}
}
