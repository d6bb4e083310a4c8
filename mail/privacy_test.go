package mail_test

import (
	"context"
	"strings"
	"testing"

	"leaddesk/db"
	"leaddesk/internal/testkit"
	"leaddesk/lead"
)

// TestMailWithoutPersonalData: on a new install the new-lead mail, delivered over SMTP, names the
// company, the country, the call to action and the link, and none of the contact's name, email or
// phone; a mail queued while the setting was off is sent without them once it is on.
func TestMailWithoutPersonalData(t *testing.T) {
	d := testkit.NewDB(t)
	srv := testkit.StartSMTP(t)
	testkit.CreateUser(t, d, "ref@team.example", "Ren Ito", db.RoleReferrals)
	s := newSender(t, d, srv.URL(""), srv)
	if got, err := d.PrivacySettings(context.Background()); err != nil || !got.MailWithoutPersonalData {
		t.Fatalf("a new install mails personal data: %+v %v", got, err)
	}
	withPhone := func(l *lead.Lead) { l.ContactPhone = "+81 3 1234 5678"; l.Country = "JP" }
	addLead(t, d, day0, 0, "Alpha", withPhone)
	// Beta's mail is queued with the contact (setting off), then the setting goes on before sending.
	mailWithPersonalData(t, d)
	addLead(t, d, day0, 0, "Beta", withPhone)
	if err := d.SavePrivacySettings(context.Background(), db.PrivacySettings{MailWithoutPersonalData: true}, 0, day0); err != nil {
		t.Fatal(err)
	}
	run(t, s, day0)
	got := srv.To("ref@team.example")
	if len(got) != 2 {
		t.Fatalf("%d mails, want 2", len(got))
	}
	for _, m := range got {
		body := m.Text + m.HTML + m.Subject
		for _, personal := range []string{"mei@customer.example", "1234 5678", "Sato"} {
			if strings.Contains(body, personal) {
				t.Errorf("mail %q shows %q", m.Subject, personal)
			}
		}
		if strings.Contains(m.Text, "Mei") { // the HTML part names the font Meiryo
			t.Errorf("mail %q names the contact", m.Subject)
		}
		for _, want := range []string{"Country: JP", "Contact me", baseURL + "/leads/"} {
			if !strings.Contains(m.Text, want) {
				t.Errorf("mail %q lacks %q:\n%s", m.Subject, want, m.Text)
			}
		}
	}
}
