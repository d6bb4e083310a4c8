package mail_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"leaddesk/db"
	"leaddesk/internal/testkit"
	"leaddesk/lead"
	"leaddesk/mail"
	"leaddesk/views"
)

// A user's own preferences override the business profile: the location contact who is a user gets
// mail at their own address, in their language; a user who switched mail off gets none; a user who
// chose the digest gets no single mail but the digest after the day ends.
func TestPreferencesOverrideTheProfile(t *testing.T) {
	d := testkit.NewDB(t)
	srv := testkit.StartSMTP(t)
	kenji := testkit.CreateUser(t, d, "kenji@team.example", "Kenji Sato", db.RoleProfile)
	off := testkit.CreateUser(t, d, "off@team.example", "Off User", db.RoleReferrals)
	dig := testkit.CreateUser(t, d, "digest@team.example", "Dai Gest", db.RoleReferrals)
	setPrefs(t, d, &db.NotificationPrefs{UserID: kenji.ID, Email: "kenji.mobile@team.example", Enabled: true, Mode: "single", Lang: "ja"})
	setPrefs(t, d, &db.NotificationPrefs{UserID: off.ID, Enabled: false, Mode: "single"})
	setPrefs(t, d, &db.NotificationPrefs{UserID: dig.ID, Enabled: true, Mode: "digest"})
	loc := addLocation(t, d, "Kenji Sato", "KENJI@team.example") // the profile names him as the contact
	s := newSender(t, d, srv.URL(""), srv)

	addLead(t, d, day0, loc, "株式会社ミライ", func(l *lead.Lead) { l.CustomerRequestedContact = true })
	run(t, s, day0)
	if n := len(srv.To("kenji@team.example")); n != 0 {
		t.Errorf("the profile's address got %d mails; the user's own address should win", n)
	}
	got := srv.To("kenji.mobile@team.example")
	if len(got) != 1 {
		t.Fatalf("the user's own address got %d mails, want 1", len(got))
	}
	m := got[0]
	if m.Subject != "新しいリード (連絡希望): 株式会社ミライ" {
		t.Errorf("Japanese subject = %q", m.Subject)
	}
	for _, want := range []string{"Kenji Sato 様", "顧客が連絡を希望しています", "行動喚起", "2026年12月14日", baseURL + "/leads/"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("Japanese text lacks %q:\n%s", want, m.Text)
		}
	}
	if !strings.Contains(m.HTML, `lang="ja"`) || !strings.Contains(m.HTML, "リードを開く") {
		t.Errorf("Japanese HTML part is not Japanese:\n%s", m.HTML)
	}
	if n := len(srv.To("off@team.example")); n != 0 {
		t.Errorf("a user with mail off got %d mails", n)
	}
	if n := len(srv.To("digest@team.example")); n != 0 {
		t.Errorf("a digest-mode user got %d single mails", n)
	}
	next := day0.Add(7 * time.Hour)
	if err := mail.QueueDigests(context.Background(), d, env(next)); err != nil {
		t.Fatal(err)
	}
	run(t, s, next)
	got = srv.To("digest@team.example")
	if len(got) != 1 || !strings.Contains(got[0].Text, "株式会社ミライ") || got[0].Subject != "New lead on Nov 30, 2026: 株式会社ミライ" {
		t.Errorf("digest-mode user after the day: %d mails %+v", len(got), got)
	}
}

// Names with markup or line breaks cannot inject HTML or headers.
func TestNamesCannotInjectMarkupOrHeaders(t *testing.T) {
	d := testkit.NewDB(t)
	mailWithPersonalData(t, d) // the contact's name is in the mail, to try to inject through it
	srv := testkit.StartSMTP(t)
	testkit.CreateUser(t, d, "ref@team.example", "Ren\r\nBcc: victim@evil.example", db.RoleReferrals)
	s := newSender(t, d, srv.URL(""), srv)
	addLead(t, d, day0, 0, "<script>alert(1)</script> & Co\r\nBcc: other@evil.example", func(l *lead.Lead) {
		l.ContactFirstName = `<img src=x onerror=alert(2)>`
		l.ContactLastName = "Eve\nX-Injected: yes"
	})
	run(t, s, day0)
	got := srv.All()
	if len(got) != 1 {
		t.Fatalf("%d deliveries, want 1 (and only to the real recipient)", len(got))
	}
	m := got[0]
	if len(m.To) != 1 || m.To[0] != "ref@team.example" {
		t.Errorf("envelope recipients = %v", m.To)
	}
	head := m.Raw[:strings.Index(m.Raw, "\r\n\r\n")]
	for _, line := range strings.Split(head, "\r\n") {
		low := strings.ToLower(line)
		if strings.HasPrefix(low, "bcc:") || strings.HasPrefix(low, "x-injected:") {
			t.Errorf("injected header line %q", line)
		}
	}
	if !strings.Contains(m.Subject, "<script>alert(1)</script> & Co Bcc: other@evil.example") {
		t.Errorf("subject = %q, want the name on one line", m.Subject)
	}
	if strings.Contains(m.HTML, "<script>") || strings.Contains(m.HTML, "<img src=x") {
		t.Errorf("markup from a name reached the HTML part:\n%s", m.HTML)
	}
	if !strings.Contains(m.HTML, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co") || !strings.Contains(m.HTML, "&lt;img src=x onerror=alert(2)&gt;") {
		t.Errorf("the names are not shown as text in the HTML part:\n%s", m.HTML)
	}
	if to := m.Header.Get("To"); strings.Contains(to, "\n") || !strings.Contains(to, "<ref@team.example>") {
		t.Errorf("To header = %q", to)
	}
}

// AUTH over STARTTLS against a server with a self-signed certificate the client was told to trust.
// Without that trust (the production default: system roots) the message waits instead of being sent
// to an unverified server; a wrong password keeps it queued with the reason.
func TestAuthOverStartTLS(t *testing.T) {
	d := testkit.NewDB(t)
	srv := testkit.StartSMTP(t, testkit.SMTPWithTLS(false), testkit.SMTPWithAuth("leaddesk", "s3cret pass"))
	testkit.CreateUser(t, d, "ref@team.example", "Ren Ito", db.RoleReferrals)
	addLead(t, d, day0, 0, "Alpha")

	untrusting := newSender(t, d, srv.URL("leaddesk:s3cret%20pass"), nil)
	run(t, untrusting, day0)
	rows, _, _ := d.ListOutbox(context.Background(), db.OutboxFilter{})
	if len(srv.All()) != 0 || rows[0].Status != "queued" || !strings.Contains(rows[0].LastError, "certificate") {
		t.Fatalf("unverified server: %d delivered, row %s %q; want queued with a certificate error", len(srv.All()), rows[0].Status, rows[0].LastError)
	}

	wrong := newSender(t, d, srv.URL("leaddesk:wrong"), srv)
	run(t, wrong, day0.Add(time.Minute))
	rows, _, _ = d.ListOutbox(context.Background(), db.OutboxFilter{})
	if len(srv.All()) != 0 || rows[0].Status != "queued" || !strings.Contains(rows[0].LastError, "auth") {
		t.Fatalf("wrong password: row %s %q; want queued with the auth error", rows[0].Status, rows[0].LastError)
	}

	right := newSender(t, d, srv.URL("leaddesk:s3cret%20pass"), srv)
	run(t, right, day0.Add(time.Hour))
	got := srv.All()
	if len(got) != 1 || !got[0].TLS || !got[0].Authed {
		t.Fatalf("delivered %d; TLS/auth = %+v", len(got), got)
	}
}

// smtps:// speaks TLS from the first byte.
func TestImplicitTLS(t *testing.T) {
	d := testkit.NewDB(t)
	srv := testkit.StartSMTP(t, testkit.SMTPWithTLS(true), testkit.SMTPWithAuth("u", "p"))
	testkit.CreateUser(t, d, "ref@team.example", "Ren Ito", db.RoleReferrals)
	addLead(t, d, day0, 0, "Alpha")
	run(t, newSender(t, d, srv.URL("u:p"), srv), day0)
	got := srv.All()
	if len(got) != 1 || !got[0].TLS || !got[0].Authed {
		t.Fatalf("smtps delivery: %d messages %+v", len(got), got)
	}
}

// Every kind renders in both languages with no missing catalog key, and the other notices carry
// what their reader needs.
func TestEveryKindRendersInBothLanguages(t *testing.T) {
	cat, err := views.LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	r, err := mail.NewRenderer(cat, tokyo, baseURL)
	if err != nil {
		t.Fatal(err)
	}
	params := map[string]map[string]any{
		"new_lead":         {"company": "Fabrikam", "cta": "contact_me", "source": "appsource", "offer": "CRM", "flame": true, "respond_by": float64(day0.Unix()), "link": baseURL + "/leads/1", "contact": "Mei Sato"},
		"digest":           {"day": "2026-11-30", "leads": []any{map[string]any{"company": "Fabrikam", "cta": "free_trial", "link": baseURL + "/leads/1"}}, "link": baseURL + "/leads"},
		"decline_customer": {"company": "Fabrikam", "offer": "Contoso CRM", "partner": "Contoso KK"},
		"decline_sender":   {"company": "Fabrikam", "reason": "budget"},
		"expired_sender":   {"company": "Fabrikam"},
		"expiry_reminder":  {"company": "Fabrikam", "respond_by": float64(day0.Unix()), "link": baseURL + "/leads/1"},
		"invitation":       {"inviter": "Aiko Tanaka", "link": baseURL + "/invite/abc"},
		"password_reset":   {"link": baseURL + "/reset/abc"},
		"webhook_disabled": {"name": "CRM sync", "host": "crm.example.com", "reason": "HTTP 500", "link": baseURL + "/admin/integrations"},
		"weekly_summary": {"from": "2026-11-23", "to": "2026-11-29", "link": baseURL + "/insights?range=custom",
			"now":  map[string]any{"received": float64(3), "actionable": float64(2), "answered": float64(1), "accepted": float64(1), "median_sec": float64(3600), "p90_sec": float64(3600)},
			"prev": map[string]any{}},
		"response_due_soon": {"company": "Fabrikam", "due": float64(day0.Unix()), "link": baseURL + "/leads/1", "flame": true},
		"response_missed":   {"company": "Fabrikam", "due": float64(day0.Unix()), "link": baseURL + "/leads/1", "owner": "Aiko Tanaka"},
		"today": {"day": "2026-11-30", "link": baseURL + "/action-center",
			"steps":    []any{map[string]any{"company": "Fabrikam", "step": "Send the quote", "due": "2026-11-27", "overdue": true, "link": baseURL + "/leads/1"}},
			"expiring": []any{map[string]any{"company": "Contoso", "respond_by": float64(day0.Unix()), "link": baseURL + "/leads/2"}}},
	}
	wantJA := map[string]string{"new_lead": "新しいリード", "digest": "まとめ", "decline_customer": "別のパートナー", "decline_sender": "辞退",
		"expired_sender": "期限切れ", "expiry_reminder": "48 時間", "invitation": "招待", "password_reset": "パスワード", "webhook_disabled": "停止",
		"weekly_summary": "週次サマリー", "today": "本日", "response_due_soon": "初動期限が迫って", "response_missed": "初動期限超過"}
	for _, kind := range mail.Kinds {
		for _, lang := range views.Languages {
			out, err := r.Render(&db.OutboxRow{OutboxMessage: db.OutboxMessage{ID: 1, Kind: kind, Lang: lang, ToName: "Aki", Params: params[kind]}})
			if err != nil {
				t.Errorf("%s/%s: %v", kind, lang, err)
				continue
			}
			all := out.Subject + out.Text + out.HTML
			if strings.Contains(all, "⟦") || strings.Contains(all, "<no value>") || strings.Contains(all, "%!") || out.Subject == "" {
				t.Errorf("%s/%s renders a missing value:\n%s\n%s", kind, lang, out.Subject, out.Text)
			}
			if lang == "ja" && kind != "digest" && !strings.Contains(out.Subject+out.Text, wantJA[kind]) {
				t.Errorf("%s/ja lacks %q:\n%s\n%s", kind, wantJA[kind], out.Subject, out.Text)
			}
		}
	}
}

// The customer's decline notice goes only with consent to a valid address; the sender hears of the
// decline and of the expiry; the reminder goes to the Referrals admins.
func TestOtherNotices(t *testing.T) {
	d := testkit.NewDB(t)
	testkit.CreateUser(t, d, "ref@team.example", "Ren Ito", db.RoleReferrals)
	if _, err := d.Exec(`INSERT INTO business_profile (id, company_name, updated_at) VALUES (1, 'Contoso KK', 0)`); err != nil {
		t.Fatal(err)
	}
	kinds := func(leadID int64) map[string]string {
		rows, err := d.Query(`SELECT kind, to_email FROM outbox WHERE lead_id = ? AND kind <> 'new_lead'`, leadID)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[string]string{}
		for rows.Next() {
			var k, to string
			rows.Scan(&k, &to)
			out[k] = to
		}
		return out
	}
	inTx := func(fn func(tx *sql.Tx) error) {
		if err := d.InTx(context.Background(), fn); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name     string
		consent  bool
		validity string
		want     bool
	}{{"consent, valid", true, "valid", true}, {"no consent", false, "valid", false}, {"spam address", true, "spam", false}, {"invalid address", true, "invalid", false}}
	for _, tc := range cases {
		l := addLead(t, d, day0, 0, "Decline "+tc.name, func(l *lead.Lead) {
			l.CustomerConsent, l.EmailValidity, l.SenderEmail, l.SenderName = tc.consent, tc.validity, "pdm@microsoft.example", "PDM"
			l.Country = "JP"
		})
		inTx(func(tx *sql.Tx) error { return notify(tx, lead.Declined{Change: at(l, day0)}) })
		k := kinds(l.ID)
		if _, got := k["decline_customer"]; got != tc.want {
			t.Errorf("%s: customer notice queued = %v, want %v", tc.name, got, tc.want)
		}
		if tc.want {
			var lang string
			d.QueryRow(`SELECT lang FROM outbox WHERE lead_id = ? AND kind = 'decline_customer'`, l.ID).Scan(&lang)
			if lang != "ja" {
				t.Errorf("a Japanese customer's notice is in %q", lang)
			}
		}
		if k["decline_sender"] != "pdm@microsoft.example" {
			t.Errorf("%s: sender notice = %v", tc.name, k)
		}
	}
	l := addLead(t, d, day0, 0, "Expiring", func(l *lead.Lead) { l.SenderEmail = "pdm@microsoft.example" })
	inTx(func(tx *sql.Tx) error { return notify(tx, lead.ExpiryNear{Change: at(l, day0)}) })
	inTx(func(tx *sql.Tx) error { return notify(tx, lead.ExpiryNear{Change: at(l, day0)}) }) // once only
	inTx(func(tx *sql.Tx) error { return notify(tx, lead.Expired{Change: at(l, day0)}) })
	var reminders int
	d.QueryRow(`SELECT COUNT(*) FROM outbox WHERE lead_id = ? AND kind = 'expiry_reminder' AND to_email = 'ref@team.example'`, l.ID).Scan(&reminders)
	if reminders != 1 {
		t.Errorf("%d reminders to the Referrals admin, want 1", reminders)
	}
	if kinds(l.ID)["expired_sender"] != "pdm@microsoft.example" {
		t.Errorf("no expiry notice to the sender: %v", kinds(l.ID))
	}
}
