package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"leaddesk/lead"
)

// ja switches the fixture's user to Japanese.
func (f *lcFixture) ja(t *testing.T) {
	t.Helper()
	if res := f.c.PostForm("/lang", url.Values{"lang": {"ja"}}); res.StatusCode >= 400 {
		t.Fatalf("switch to Japanese: %d", res.StatusCode)
	}
}

func (f *lcFixture) page(t *testing.T, path string) string {
	t.Helper()
	res := f.c.Get(path)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d\n%s", path, res.StatusCode, res.Body)
	}
	return res.Body
}

// bannerText is the text of the element with id in body (tags removed), or "" when it is absent.
func bannerText(body, id string) string {
	m := regexp.MustCompile(`(?s)<div [^>]*id="` + id + `"[^>]*>(.*?)</div>`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return strings.Join(strings.Fields(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(m[1], " ")), " ")
}

// Spam gets the spam warning, an invalid address or number the "check the contact details" notice,
// valid details neither — a mistyped phone next to a valid address is not spam.
func TestLeadDetailsSpamAndInvalidAreDifferentWarnings(t *testing.T) {
	f := newLCFixture(t)
	spam := f.addLead(t, func(l *lead.Lead) { l.EmailValidity, l.Quality = "spam", "low" })
	badEmail := f.addLead(t, func(l *lead.Lead) { l.EmailValidity, l.Quality = "invalid", "low" })
	badPhone := f.addLead(t, func(l *lead.Lead) { l.PhoneValidity, l.Quality = "invalid", "low" })
	valid := f.addLead(t, nil)
	cases := []struct {
		l          *lead.Lead
		spam, chk  string // expected banner texts ("" = absent), English then Japanese
		jaSpam, ja string
	}{
		{spam, "Spam warning. The email address or its domain is on the spam list.", "", "スパムの警告。", ""},
		{badEmail, "", "Check the contact details. The email address cannot receive mail", "", "連絡先を確認してください。 メール アドレスの書き方が正しくないか"},
		{badPhone, "", "Check the contact details. The phone number is not a valid number", "", "連絡先を確認してください。 電話番号が顧客の国/地域の番号として正しくありません。"},
		{valid, "", "", "", ""},
	}
	check := func(got, want, what string, id int64) {
		t.Helper()
		if (want == "") != (got == "") || !strings.HasPrefix(got, want) {
			t.Errorf("lead %d: %s = %q, want %q", id, what, got, want)
		}
	}
	for _, c := range cases {
		body := f.page(t, fmt.Sprintf("/leads/%d", c.l.ID))
		check(bannerText(body, "spam-banner"), c.spam, "spam banner", c.l.ID)
		check(bannerText(body, "check-contact"), c.chk, "check notice", c.l.ID)
	}
	f.ja(t)
	for _, c := range cases {
		body := f.page(t, fmt.Sprintf("/leads/%d", c.l.ID))
		check(bannerText(body, "spam-banner"), c.jaSpam, "spam banner (ja)", c.l.ID)
		check(bannerText(body, "check-contact"), c.ja, "check notice (ja)", c.l.ID)
	}
}

// The respond-by banner turns warning under 48 hours and danger under 24 (lifecycle.Urgency).
func TestLeadDetailsRespondByBannerShowsUrgency(t *testing.T) {
	f := newLCFixture(t)
	l := f.addLead(t, nil) // expires Dec 14, 2026 09:00 UTC = 18:00 JST
	for _, c := range []struct {
		advance    time.Duration
		class, say string
		ja         string
	}{
		{3 * 24 * time.Hour, `class="banner"`, "Respond by Dec 14, 2026 18:00 JST (11 days left).", "2026/12/14 18:00 JST までに回答してください (残り 11 日)"},
		{(14*24 - 47) * time.Hour, `class="banner banner-warning"`, "Less than 48 hours left. Respond by Dec 14, 2026 18:00 JST (47 hours left).", "回答期限まで 48 時間を切りました。"},
		{(14*24 - 7) * time.Hour, `class="banner banner-danger"`, "Less than a day left. Respond by Dec 14, 2026 18:00 JST (7 hours left).", "回答期限まで 1 日を切りました。"},
	} {
		f.s.Clock.Set(l.CreatedAt.Add(c.advance))
		f.c = f.s.Client()
		f.c.Login("aiko@example.com") // sessions end after 8 idle hours
		f.c.PostForm("/lang", url.Values{"lang": {"en"}})
		body := f.page(t, fmt.Sprintf("/leads/%d", l.ID))
		if !strings.Contains(body, `<div `+c.class+` role="status" id="respond-by"`) {
			t.Errorf("after %v the respond-by banner should be %s:\n%s", c.advance, c.class, body[strings.Index(body, `id="respond-by"`)-80:][:200])
		}
		if got := bannerText(body, "respond-by"); !strings.HasPrefix(got, c.say) {
			t.Errorf("after %v: %q, want %q", c.advance, got, c.say)
		}
		f.ja(t)
		if got := bannerText(f.page(t, fmt.Sprintf("/leads/%d", l.ID)), "respond-by"); !strings.Contains(got, c.ja) {
			t.Errorf("after %v (ja): %q, want %q", c.advance, got, c.ja)
		}
	}
}

// The flame and its short label show only while the lead waits for an answer.
func TestLeadDetailsFlameOnlyWhileReceived(t *testing.T) {
	f := newLCFixture(t)
	l := f.addLead(t, func(l *lead.Lead) { l.CustomerRequestedContact = true })
	body := f.page(t, fmt.Sprintf("/leads/%d", l.ID))
	if !strings.Contains(body, `id="flame-label"`) || !strings.Contains(body, "Wants contact") || !strings.Contains(body, `id="flame-alert"`) {
		t.Error("a received lead whose customer asked for contact should show the flame with its label")
	}
	res := f.c.PostForm(fmt.Sprintf("/leads/%d/accept", l.ID), acceptForm(f))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept: %d\n%s", res.StatusCode, res.Body)
	}
	body = f.page(t, fmt.Sprintf("/leads/%d", l.ID))
	if strings.Contains(body, `id="flame-label"`) || strings.Contains(body, `id="flame-alert"`) || strings.Contains(body, "#flame\"") {
		t.Error("an accepted lead is being worked: no flame")
	}
	f.ja(t)
	l2 := f.addLead(t, func(l *lead.Lead) { l.CustomerRequestedContact = true })
	if body := f.page(t, fmt.Sprintf("/leads/%d", l2.ID)); !strings.Contains(body, "連絡希望") {
		t.Error("the Japanese flame label is missing")
	}
}

// The timeline names who did what in words (not stored labels), and the reminder names the expiry.
func TestLeadDetailsTimelineActorsAndReminder(t *testing.T) {
	f := newLCFixture(t)
	a := post(t, f.s.URL+"/intake/marketplace/"+newToken(t, f.s, "intake"), examplePayload)
	id := leadID(t, a)
	f.s.Clock.Advance(13 * 24 * time.Hour)
	if _, err := f.s.Leads.RemindExpiring(t.Context(), f.s.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	f.c = f.s.Client()
	f.c.Login("aiko@example.com")
	body := f.page(t, fmt.Sprintf("/leads/%d", id))
	for _, want := range []string{"Reminder sent: expires Dec 14, 2026 18:00 JST unless answered", "by Leaddesk (automatic) ·", "by Marketplace ·"} {
		if !strings.Contains(body, want) {
			t.Errorf("timeline lacks %q", want)
		}
	}
	if strings.Contains(body, "by marketplace ·") || strings.Contains(body, "by job ·") {
		t.Error("the timeline shows a raw actor label")
	}
	f.ja(t)
	body = f.page(t, fmt.Sprintf("/leads/%d", id))
	for _, want := range []string{"リマインダーを送信: 回答がなければ 2026/12/14 18:00 JST に期限切れ", "Leaddesk (自動処理)", ">マーケットプレース ·"} {
		if !strings.Contains(body, want) {
			t.Errorf("Japanese timeline lacks %q", want)
		}
	}

	// A lead from the Microsoft referral API reads so, not as its token's label.
	api := post(t, f.s.URL+"/api/v1/leads", qualifiedLead, "Authorization", "Bearer "+newToken(t, f.s, "write"))
	body = f.page(t, fmt.Sprintf("/leads/%d", leadID(t, api)))
	if !strings.Contains(body, ">Microsoft 紹介 API ·") || strings.Contains(body, "api:test") {
		t.Error("the API lead's timeline should name the Microsoft referral API")
	}
}

// Japanese outcomes use the words a sales team uses: 受注 / 失注, and 辞退済み for a declined lead.
func TestLeadDetailsOutcomeWordsInJapanese(t *testing.T) {
	f := newLCFixture(t)
	f.ja(t)
	for outcome, want := range map[string]string{"won": "受注", "lost": "失注", "declined": "辞退済み"} {
		l := f.addLead(t, func(l *lead.Lead) {
			l.Status, l.Outcome, l.DealName, l.Currency = "archived", outcome, "Contoso CRM", "JPY"
			at := l.CreatedAt
			l.ArchivedAt = &at
		})
		body := f.page(t, fmt.Sprintf("/leads/%d", l.ID))
		if !strings.Contains(body, ">"+want+"<") {
			t.Errorf("%s lead: the page should say %s", outcome, want)
		}
		if strings.Contains(body, "紛失") || strings.Contains(body, "獲得") || strings.Contains(body, "拒否") {
			t.Errorf("%s lead still uses 紛失/獲得/拒否", outcome)
		}
	}
	accepted := f.addLead(t, func(l *lead.Lead) {
		l.Status, l.DealName, l.Currency = "accepted", "Contoso CRM", "JPY"
		l.ExpiresAt = nil
	})
	body := f.page(t, fmt.Sprintf("/leads/%d", accepted.ID))
	for _, want := range []string{">受注<", ">失注<", "会社の連絡先をさらに追加"} {
		if !strings.Contains(body, want) {
			t.Errorf("accepted lead's actions lack %q", want)
		}
	}
}

// "Add colleagues" adds people of our own company working the deal, shown apart from the customer's
// contacts, in both languages.
func TestLeadDetailsColleaguesAreNotCustomerContacts(t *testing.T) {
	f := newLCFixture(t)
	l := f.addLead(t, func(l *lead.Lead) {
		l.Status, l.DealName, l.Currency = "accepted", "Contoso CRM", "JPY"
		l.ExpiresAt = nil
	})
	dialog := f.page(t, fmt.Sprintf("/leads/%d/employees", l.ID))
	for _, want := range []string{"Add a colleague working this deal", "Add someone from your company who works this deal with you"} {
		if !strings.Contains(dialog, want) {
			t.Errorf("employee dialog lacks %q", want)
		}
	}
	res := f.c.PostForm(fmt.Sprintf("/leads/%d/employees", l.ID), url.Values{"name": {"Yui Kato"}, "email": {"yui@partner.example"}, "version": {"1"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("add colleague: %d\n%s", res.StatusCode, res.Body)
	}
	body := f.page(t, fmt.Sprintf("/leads/%d", l.ID))
	if !strings.Contains(body, "<h3>Our colleagues on this deal</h3>") || !strings.Contains(body, "Colleague added to the deal") {
		t.Error("the details page should list Yui Kato under our colleagues")
	}
	f.ja(t)
	dialog = f.page(t, fmt.Sprintf("/leads/%d/employees", l.ID))
	if !strings.Contains(dialog, "この案件を担当する自社の社員を追加") || !strings.Contains(dialog, "顧客企業の連絡先とは別") {
		t.Error("Japanese employee dialog should say it adds our own colleagues")
	}
	if body := f.page(t, fmt.Sprintf("/leads/%d", l.ID)); !strings.Contains(body, "<h3>この案件の自社担当者</h3>") {
		t.Error("Japanese details should head the list この案件の自社担当者")
	}
}

// The decline dialog says whether the customer will be told, and the notice is queued exactly then.
func TestDeclineDialogSaysWhetherTheCustomerIsTold(t *testing.T) {
	f := newLCFixture(t)
	for _, c := range []struct {
		name string
		mod  func(l *lead.Lead)
		en   string
		ja   string
		told bool
	}{
		{"consent and valid address", nil, "so they will be told to choose another partner", "別のパートナーを選ぶよう案内されます", true},
		{"no consent", func(l *lead.Lead) { l.CustomerConsent = false }, "The customer will not be told: they did not agree", "顧客には通知されません (メールでの連絡に同意していないため)", false},
		{"invalid address", func(l *lead.Lead) { l.EmailValidity = "invalid" }, "The customer will not be told: their email address cannot be used", "顧客には通知されません (メール アドレスがない", false},
		{"test lead", func(l *lead.Lead) { l.IsTest = true }, "This is a test lead: neither the customer nor the sender", "これはテスト リードです。", false},
	} {
		l := f.addLead(t, c.mod)
		f.c.PostForm("/lang", url.Values{"lang": {"en"}})
		if body := f.page(t, fmt.Sprintf("/leads/%d/decline", l.ID)); !strings.Contains(body, c.en) {
			t.Errorf("%s: dialog lacks %q", c.name, c.en)
		}
		f.ja(t)
		if body := f.page(t, fmt.Sprintf("/leads/%d/decline", l.ID)); !strings.Contains(body, c.ja) {
			t.Errorf("%s: Japanese dialog lacks %q", c.name, c.ja)
		}
		res := f.c.PostForm(fmt.Sprintf("/leads/%d/decline", l.ID), url.Values{"reason": {"budget"}, "version": {"1"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: decline %d", c.name, res.StatusCode)
		}
		if n := f.count(t, `SELECT COUNT(*) FROM outbox WHERE lead_id = ? AND kind = 'decline_customer'`, l.ID); (n == 1) != c.told {
			t.Errorf("%s: %d customer notices queued, dialog promised told=%v", c.name, n, c.told)
		}
	}
}

// Dates read one way per language and always name the time zone.
func TestLeadDetailsDatesNameTheTimeZone(t *testing.T) {
	f := newLCFixture(t)
	l := f.addLead(t, nil)
	if body := f.page(t, fmt.Sprintf("/leads/%d", l.ID)); !strings.Contains(body, "Nov 30, 2026 18:00 JST") {
		t.Error("the English created time should read Nov 30, 2026 18:00 JST")
	}
	f.ja(t)
	if body := f.page(t, fmt.Sprintf("/leads/%d", l.ID)); !strings.Contains(body, "2026/11/30 18:00 JST") {
		t.Error("the Japanese created time should read 2026/11/30 18:00 JST")
	}
}
