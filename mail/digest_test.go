package mail_test

import (
	"context"
	"strings"
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

// A Referrals admin who chose the digest gets, after the day ends, one digest for the day's seven
// leads as the real SMTP server receives it: it greets them by name (not "dear customer"), its
// subject names the first lead "and 6 more", and the leads the team answered meanwhile are listed as
// accepted or declined, not as awaiting an answer. In Japanese too.
func TestDigestGreetsCountsAndShowsAnswersSince(t *testing.T) {
	for _, tc := range []struct {
		lang                                  string
		greeting, subject, waiting, acc, decl string
	}{
		{"en", "Hello Dai Gest,", "New leads on Nov 30, 2026: Customer A and 6 more", "Awaiting your answer", "Already accepted", "Already declined"},
		{"ja", "Dai Gest 様", "2026年11月30日 の新しいリード: Customer A ほか 6 件", "回答待ち", "承諾済み", "辞退済み"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			d := testkit.NewDB(t)
			srv := testkit.StartSMTP(t)
			dig := testkit.CreateUser(t, d, "digest@team.example", "Dai Gest", db.RoleReferrals)
			setPrefs(t, d, &db.NotificationPrefs{UserID: dig.ID, Enabled: true, Mode: "digest", Lang: tc.lang})
			clk := clock.NewFake(day0)
			svc := leads.New(d, clk, mail.NewNotifier(&config.Config{BaseURL: baseURL, Location: tokyo}))
			ctx := context.Background()
			var ids []int64
			for i := 0; i < 7; i++ {
				clk.Set(day0.Add(time.Duration(i) * time.Minute))
				id, _, err := svc.Receive(ctx, lead.Actor{Label: "marketplace"}, &lead.Lead{Tab: "marketplace", LeadType: "offer", CTA: "contact_me",
					Source: "appsource", CustomerCompany: "Customer " + string(rune('A'+i)), ContactEmail: "c" + string(rune('a'+i)) + "@customer.example",
					Country: "JP", EmailValidity: "valid", Quality: "high"})
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, id)
			}
			admin := lead.Actor{UserID: dig.ID, Roles: []string{db.RoleReferrals}}
			clk.Set(day0.Add(time.Hour))
			if _, err := svc.Accept(ctx, admin, ids[1], 1, lifecycle.Deal{Name: "Deal B", Currency: "JPY"}, nil, nil); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Decline(ctx, admin, ids[2], 1, "budget", ""); err != nil {
				t.Fatal(err)
			}

			next := day0.Add(7 * time.Hour) // 01:00 the next day in Tokyo
			if err := mail.QueueDigests(ctx, d, env(next)); err != nil {
				t.Fatal(err)
			}
			run(t, newSender(t, d, srv.URL(""), srv), next)
			got := srv.To("digest@team.example")
			if len(got) != 1 {
				t.Fatalf("got %d mails, want the one digest", len(got))
			}
			m := got[0]
			if m.Subject != tc.subject {
				t.Errorf("subject = %q, want %q", m.Subject, tc.subject)
			}
			for _, part := range []string{m.Text, m.HTML} {
				if !strings.Contains(part, tc.greeting) || strings.Contains(part, "お客様各位") {
					t.Errorf("the digest does not greet the team member with %q:\n%s", tc.greeting, part)
				}
			}
			line := func(company string) string {
				i := strings.Index(m.Text, "- "+company)
				if i < 0 {
					t.Fatalf("the digest does not list %s:\n%s", company, m.Text)
				}
				return m.Text[i : i+strings.Index(m.Text[i:], "\n")]
			}
			for company, want := range map[string]string{"Customer A": tc.waiting, "Customer B": tc.acc, "Customer C": tc.decl, "Customer G": tc.waiting} {
				if l := line(company); !strings.Contains(l, want) {
					t.Errorf("%s is listed as %q, want %q", company, l, want)
				}
			}
			if l := line("Customer B"); strings.Contains(l, tc.waiting) {
				t.Errorf("an accepted lead is still awaiting an answer: %q", l)
			}
			if !strings.Contains(m.HTML, tc.acc) || !strings.Contains(m.HTML, tc.decl) {
				t.Errorf("the HTML part does not show the answers:\n%s", m.HTML)
			}
		})
	}
}
