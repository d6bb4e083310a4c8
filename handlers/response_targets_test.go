package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"leaddesk/db"
	"leaddesk/internal/testkit"
	"leaddesk/lead"
)

// slaFixture is a team of three Referrals admins — Aiko (signed in, the owner of the leads below), Ben
// and Carol — with a real SMTP server on loopback.
type slaFixture struct {
	*lcFixture
	carol *db.User
	smtp  *testkit.SMTP
}

func newSLAFixture(t *testing.T) *slaFixture {
	t.Helper()
	f := &slaFixture{lcFixture: newLCFixture(t)}
	f.carol = f.s.CreateUser("carol@example.com", "Carol Mori", db.RoleReferrals)
	f.smtp = testkit.StartSMTP(t)
	return f
}

// ownedLead stores a contact-me lead that arrives now and gives it to Aiko.
func (f *slaFixture) ownedLead(t *testing.T, mod func(*lead.Lead)) *lead.Lead {
	t.Helper()
	l := f.addLead(t, mod)
	l = f.lead(t, l.ID)
	if _, err := f.s.Leads.AssignOwner(context.Background(), f.worker.LeadActor(), l.ID, l.Version, f.worker.ID); err != nil {
		t.Fatalf("assign: %v", err)
	}
	return f.lead(t, l.ID)
}

// at moves the clock to now and signs Aiko in again (a session ends after hours idle).
func (f *slaFixture) at(now time.Time) {
	f.s.Clock.Set(now)
	f.c = f.s.Client()
	f.c.Login("aiko@example.com")
}

// runTargets runs the response-target job as main.go registers it, as of the clock, and delivers the
// outbox into the SMTP server as the mail job would.
func (f *slaFixture) runTargets(t *testing.T) (warned, escalated int) {
	t.Helper()
	w, e, err := f.s.Leads.NotifyResponseTargets(context.Background(), f.s.Clock.Now(), f.s.Cfg.Location)
	if err != nil {
		t.Fatalf("response targets: %v", err)
	}
	f.s.DeliverMail(f.smtp)
	return w, e
}

// subjects are the subjects of the mail an address received.
func (f *slaFixture) subjects(addr string) []string {
	var out []string
	for _, m := range f.smtp.To(addr) {
		out = append(out, m.Subject)
	}
	return out
}

var slaBadgeRE = regexp.MustCompile(`<span class="badge ws-sla[^"]*" data-sla="([a-z_]+)"[^>]*>.*?</svg>([^<]+)</span>`)

// badge is the response-target badge in a page: its state and text ("" when there is none).
func badge(body string) (state, text string) {
	m := slaBadgeRE.FindStringSubmatch(body)
	if m == nil {
		return "", ""
	}
	return m[1], m[2]
}

// listBadge is the badge of the lead's row in the Marketplace list.
func (f *slaFixture) listBadge(t *testing.T, c *testkit.Client, id int64) (state, text string) {
	t.Helper()
	res := c.Get("/leads?tab=marketplace")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("list: %d %s", res.StatusCode, res.Body)
	}
	body := res.Body
	i := strings.Index(body, fmt.Sprintf(`href="/leads/%d?`, id))
	if i < 0 {
		t.Fatalf("lead %d not in the list: %d %s", id, len(body), body[:min(len(body), 3000)])
	}
	row := body[i:]
	if end := strings.Index(row, "</tr>"); end >= 0 {
		row = row[:end]
	}
	return badge(row)
}

// TestResponseTargetWarnsTheOwnerThenEscalates: a contact-me lead owned by Aiko, 24 h target. At 75 %
// Aiko (only) is mailed and sees it in her Action Center; past the target Ben and Carol (the other
// Referrals admins) get the escalation; each mail goes once however often the job runs, and the badge
// in the list and on the details page follows the clock, in English and Japanese.
func TestResponseTargetWarnsTheOwnerThenEscalates(t *testing.T) {
	f := newSLAFixture(t)
	l := f.ownedLead(t, nil)
	created := l.CreatedAt

	f.at(created.Add(17 * time.Hour))
	if w, e := f.runTargets(t); w != 0 || e != 0 {
		t.Fatalf("at 17 h: warned %d, escalated %d", w, e)
	}
	if st, text := f.listBadge(t, f.c, l.ID); st != "open" || text != "Answer within 7 h" {
		t.Errorf("list badge at 17 h = %q %q", st, text)
	}
	if len(f.smtp.All()) != 0 {
		t.Fatalf("mail before 75 %%: %v", f.smtp.All())
	}

	f.at(created.Add(18 * time.Hour))
	if w, e := f.runTargets(t); w != 1 || e != 0 {
		t.Fatalf("at 18 h: warned %d, escalated %d", w, e)
	}
	if got := f.subjects("aiko@example.com"); len(got) != 1 || got[0] != "Response target near: Contoso KK" {
		t.Errorf("owner's mail = %q", got)
	}
	if got := f.smtp.To("ben@example.com"); len(got) != 0 {
		t.Errorf("Ben was mailed the owner's warning: %v", got)
	}
	if m := f.smtp.To("aiko@example.com"); len(m) == 1 && !strings.Contains(m[0].Text, fmt.Sprintf("/leads/%d", l.ID)) {
		t.Errorf("warning lacks the lead's link:\n%s", m[0].Text)
	}
	if st, text := f.listBadge(t, f.c, l.ID); st != "due_soon" || text != "Answer within 6 h" {
		t.Errorf("list badge at 18 h = %q %q", st, text)
	}
	ac := f.c.Get("/action-center").Body
	if !strings.Contains(ac, fmt.Sprintf(`id="sla-item-%d"`, l.ID)) || !strings.Contains(ac, "Response target near") {
		t.Errorf("owner's Action Center lacks the response-target item")
	}
	if w, e := f.runTargets(t); w != 0 || e != 0 || len(f.smtp.All()) != 1 {
		t.Fatalf("second run at 18 h: warned %d, escalated %d, %d mails", w, e, len(f.smtp.All()))
	}

	f.at(created.Add(27 * time.Hour))
	if w, e := f.runTargets(t); w != 0 || e != 1 {
		t.Fatalf("at 27 h: warned %d, escalated %d", w, e)
	}
	for _, who := range []string{"ben@example.com", "carol@example.com"} {
		if got := f.subjects(who); len(got) != 1 || got[0] != "Response target missed: Contoso KK" {
			t.Errorf("%s escalation = %q", who, got)
		}
	}
	if m := f.smtp.To("ben@example.com"); len(m) == 1 && !strings.Contains(m[0].Text, "Its owner is Aiko Tanaka.") {
		t.Errorf("escalation does not name the owner:\n%s", m[0].Text)
	}
	if got := f.subjects("aiko@example.com"); len(got) != 1 {
		t.Errorf("the owner got the escalation too: %q", got)
	}
	if st, text := f.listBadge(t, f.c, l.ID); st != "overdue" || text != "Overdue 3 h" {
		t.Errorf("list badge at 27 h = %q %q", st, text)
	}
	if st, text := badge(f.c.Get(fmt.Sprintf("/leads/%d", l.ID)).Body); st != "overdue" || text != "Overdue 3 h" {
		t.Errorf("details badge at 27 h = %q %q", st, text)
	}
	if w, e := f.runTargets(t); w != 0 || e != 0 || len(f.smtp.All()) != 3 {
		t.Fatalf("second run at 27 h: warned %d, escalated %d, %d mails", w, e, len(f.smtp.All()))
	}

	// Japanese, in a sales team's words.
	if err := f.s.DB.SetUserLang(context.Background(), f.worker.ID, "ja"); err != nil {
		t.Fatal(err)
	}
	if _, text := f.listBadge(t, f.c, l.ID); text != "初動期限を3時間超過" {
		t.Errorf("Japanese list badge = %q", text)
	}
	f.at(created.Add(5 * time.Hour))
	if _, text := badge(f.c.Get(fmt.Sprintf("/leads/%d", l.ID)).Body); text != "初動まで残り19時間" {
		t.Errorf("Japanese details badge at 5 h = %q", text)
	}
}

// TestResponseTargetMetByAContactOrAnAnswer: a logged call meets the target (no badge, no mail, even
// long after), a note does not; accepting and declining meet it too.
func TestResponseTargetMetByAContactOrAnAnswer(t *testing.T) {
	f := newSLAFixture(t)
	called := f.ownedLead(t, func(l *lead.Lead) { l.CustomerCompany = "Called KK" })
	noted := f.ownedLead(t, func(l *lead.Lead) { l.CustomerCompany = "Noted KK" })
	answered := f.ownedLead(t, func(l *lead.Lead) { l.CustomerCompany = "Accepted KK" })
	declined := f.ownedLead(t, func(l *lead.Lead) { l.CustomerCompany = "Declined KK"; l.CustomerConsent = false })
	created := called.CreatedAt

	f.at(created.Add(2 * time.Hour))
	for id, kind := range map[int64]string{called.ID: "call", noted.ID: "note"} {
		res := f.c.PostForm(fmt.Sprintf("/leads/%d/activities", id), url.Values{"kind": {kind}, "outcome": {"reached"}, "body": {"Spoke about the pilot."}})
		if res.StatusCode != http.StatusSeeOther && res.StatusCode != http.StatusOK {
			t.Fatalf("log %s: %d\n%s", kind, res.StatusCode, res.Body)
		}
	}
	if res := f.c.PostForm(fmt.Sprintf("/leads/%d/accept", answered.ID), acceptForm(f.lcFixture)); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept: %d", res.StatusCode)
	}
	if res := f.c.PostForm(fmt.Sprintf("/leads/%d/decline", declined.ID), url.Values{"reason": {"budget"}, "version": {fmt.Sprint(declined.Version)}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("decline: %d\n%s", res.StatusCode, res.Body)
	}
	if st, _ := f.listBadge(t, f.c, called.ID); st != "" {
		t.Errorf("a called lead still shows a badge: %q", st)
	}
	if st, _ := f.listBadge(t, f.c, noted.ID); st != "open" {
		t.Errorf("a note should not meet the target; badge %q", st)
	}

	f.at(created.Add(30 * time.Hour))
	if w, e := f.runTargets(t); w != 0 || e != 1 {
		t.Fatalf("warned %d, escalated %d; want only the noted lead escalated", w, e)
	}
	if got := f.subjects("ben@example.com"); len(got) != 1 || got[0] != "Response target missed: Noted KK" {
		t.Errorf("escalations = %q", got)
	}
	for _, l := range []*lead.Lead{called, answered} {
		if st, _ := f.listBadge(t, f.c, l.ID); st != "" {
			t.Errorf("lead %s shows a badge after its target was met: %q", l.CustomerCompany, st)
		}
	}
	if st, _ := badge(f.c.Get(fmt.Sprintf("/leads/%d", declined.ID)).Body); st != "" {
		t.Errorf("a declined lead shows a badge: %q", st)
	}
}

// TestResponseTargetEscalatesToTheChosenUser: with Carol chosen on the admin page, only she hears
// of a missed target; a lead nobody owns warns every Referrals admin.
func TestResponseTargetEscalatesToTheChosenUser(t *testing.T) {
	f := newSLAFixture(t)
	form := defaultTargetsForm()
	form.Set("escalate_to", fmt.Sprint(f.carol.ID))
	if res := f.c.PostForm("/response-targets", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", res.StatusCode, res.Body)
	}
	l := f.addLead(t, nil) // unassigned
	f.at(l.CreatedAt.Add(19 * time.Hour))
	if w, _ := f.runTargets(t); w != 1 {
		t.Fatalf("warned %d", w)
	}
	for _, who := range []string{"aiko@example.com", "ben@example.com", "carol@example.com"} {
		if got := f.subjects(who); len(got) != 1 || got[0] != "Response target near: Contoso KK" {
			t.Errorf("%s: unassigned lead's warning = %q", who, got)
		}
	}
	f.at(l.CreatedAt.Add(25 * time.Hour))
	if _, e := f.runTargets(t); e != 1 {
		t.Fatalf("escalated %d", e)
	}
	if got := f.subjects("carol@example.com"); len(got) != 2 || got[1] != "Response target missed: Contoso KK" {
		t.Errorf("Carol's mail = %q", got)
	}
	if m := f.smtp.To("carol@example.com"); len(m) == 2 && !strings.Contains(m[1].Text, "Nobody owns it yet") {
		t.Errorf("escalation of an unassigned lead:\n%s", m[1].Text)
	}
	for _, who := range []string{"aiko@example.com", "ben@example.com"} {
		if got := f.subjects(who); len(got) != 1 {
			t.Errorf("%s got the escalation meant for Carol: %q", who, got)
		}
	}
}

// TestResponseTargetCountsBusinessHoursOnly: Monday to Friday 9:00–18:00 in the configured zone
// (Asia/Tokyo). A contact-me lead arriving Friday 16:00 has 2 h that day, none over the weekend, and
// falls due on Wednesday 13:00; it is warned on Tuesday 16:00.
func TestResponseTargetCountsBusinessHoursOnly(t *testing.T) {
	f := newSLAFixture(t)
	form := defaultTargetsForm()
	form.Set("hours_on", "1")
	form["day"] = []string{"1", "2", "3", "4", "5"}
	if res := f.c.PostForm("/response-targets", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", res.StatusCode, res.Body)
	}
	tokyo := f.s.Cfg.Location
	at := func(day, hour int) time.Time { return time.Date(2026, 12, day, hour, 0, 0, 0, tokyo) }
	f.at(at(4, 16)) // Friday
	l := f.ownedLead(t, nil)

	f.at(at(7, 8)) // Monday before opening: 64 wall-clock hours later
	if w, e := f.runTargets(t); w != 0 || e != 0 {
		t.Fatalf("Monday 8:00: warned %d, escalated %d", w, e)
	}
	if st, text := f.listBadge(t, f.c, l.ID); st != "open" || text != "Answer within 22 h" {
		t.Errorf("badge after the weekend = %q %q", st, text)
	}
	f.at(at(8, 15)) // Tuesday 15:00: 17 h counted
	if w, _ := f.runTargets(t); w != 0 {
		t.Fatalf("warned at 17 counted hours")
	}
	f.at(at(8, 16)) // Tuesday 16:00: 18 h counted = 75 %
	if w, _ := f.runTargets(t); w != 1 {
		t.Fatalf("not warned at 75 %% of the counted hours")
	}
	f.at(at(9, 12)) // Wednesday 12:00: one hour left
	if st, text := f.listBadge(t, f.c, l.ID); st != "due_soon" || text != "Answer within 1 h" {
		t.Errorf("badge on Wednesday noon = %q %q", st, text)
	}
	if _, e := f.runTargets(t); e != 0 {
		t.Fatalf("escalated an hour early")
	}
	f.at(at(9, 13))
	if _, e := f.runTargets(t); e != 1 {
		t.Fatalf("not escalated at Wednesday 13:00")
	}
}

// defaultTargetsForm is the admin page's form with the default targets.
func defaultTargetsForm() url.Values {
	return url.Values{
		"target_offer_contact_me": {"24"}, "target_profile_contact_me": {"24"}, "target_profile_other": {"72"},
		"target_qualified_contact_me": {"24"}, "target_qualified_other": {"72"},
		"start": {"09:00"}, "end": {"18:00"}, "day": {"1", "2", "3", "4", "5"},
	}
}

// TestResponseTargetsPage: Account and Referrals admins set the targets; a bad field is a 422 that
// names it and keeps the form; Business profile admins may not open the page.
func TestResponseTargetsPage(t *testing.T) {
	f := newSLAFixture(t)
	if !strings.Contains(f.c.Get("/assignment").Body, `href="/response-targets"`) {
		t.Error("Assignment does not link to the response targets (Referrals admins cannot open Admin)")
	}
	page := f.c.Get("/response-targets")
	if page.StatusCode != http.StatusOK || !strings.Contains(page.Body, `name="target_offer_contact_me" type="number" inputmode="numeric" min="1" max="336" step="1" value="24"`) ||
		!strings.Contains(page.Body, `name="target_profile_other" type="number" inputmode="numeric" min="1" max="336" step="1" value="72"`) {
		t.Fatalf("page does not show the default targets: %d", page.StatusCode)
	}
	cases := []struct {
		name, field, value, want string
	}{
		{"zero hours", "target_offer_contact_me", "0", "Enter whole hours from 1 to 336."},
		{"too long", "target_qualified_other", "400", "Enter whole hours from 1 to 336."},
		{"not a number", "target_profile_other", "abc", "Enter whole hours from 1 to 336."},
		{"bad time", "start", "9 o'clock", "Enter a time as HH:MM"},
		{"end before start", "end", "08:00", "The end must be after the start."},
		{"not a Referrals admin", "escalate_to", fmt.Sprint(f.profile.ID), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			form := defaultTargetsForm()
			form.Set("hours_on", "1")
			form.Set(c.field, c.value)
			res := f.c.PostForm("/response-targets", form)
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "field-error") || !strings.Contains(res.Body, c.want) {
				t.Fatalf("%s=%q: %d", c.field, c.value, res.StatusCode)
			}
		})
	}
	// With business hours off, their times are not asked for.
	form := defaultTargetsForm()
	form.Set("start", "")
	form.Set("target_profile_contact_me", "4")
	if res := f.c.PostForm("/response-targets", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", res.StatusCode)
	}
	if !strings.Contains(f.c.Get("/response-targets").Body, `name="target_profile_contact_me" type="number" inputmode="numeric" min="1" max="336" step="1" value="4"`) {
		t.Error("saved target not shown")
	}
	// The saved target applies: a profile contact-me lead is overdue after 5 hours.
	l := f.addLead(t, func(l *lead.Lead) { l.LeadType, l.OfferTitle, l.CustomerCompany = "profile", "", "Profile KK" })
	f.at(l.CreatedAt.Add(5 * time.Hour))
	if st, text := f.listBadge(t, f.c, l.ID); st != "overdue" || text != "Overdue 1 h" {
		t.Errorf("badge with a 4 h target after 5 h = %q %q", st, text)
	}

	pc := f.s.Client()
	pc.Login("pat@example.com")
	if res := pc.Get("/response-targets"); res.StatusCode != http.StatusForbidden {
		t.Errorf("Business profile admin: %d", res.StatusCode)
	}
	if res := pc.PostForm("/response-targets", defaultTargetsForm()); res.StatusCode != http.StatusForbidden {
		t.Errorf("Business profile admin save: %d", res.StatusCode)
	}
}

// TestResponseTargetStaleMissIsNotMailed: a lead the job first finds more than a day past its target
// (imported with an old arrival time, or the server was down) is recorded as escalated without a mail;
// its badge still says how late it is, and a fresh miss beside it is escalated as usual.
func TestResponseTargetStaleMissIsNotMailed(t *testing.T) {
	f := newSLAFixture(t)
	now := f.s.Clock.Now()
	old := f.ownedLead(t, func(l *lead.Lead) { l.CustomerCompany, l.CreatedAt = "Old KK", now.Add(-72*time.Hour) })
	f.ownedLead(t, func(l *lead.Lead) { l.CustomerCompany, l.CreatedAt = "Fresh KK", now.Add(-25*time.Hour) })
	if w, e := f.runTargets(t); w != 0 || e != 1 {
		t.Fatalf("warned %d, escalated %d; want only the fresh miss escalated", w, e)
	}
	if got := f.subjects("ben@example.com"); len(got) != 1 || got[0] != "Response target missed: Fresh KK" {
		t.Errorf("escalations = %q", got)
	}
	if w, e := f.runTargets(t); w != 0 || e != 0 {
		t.Fatalf("second run: warned %d, escalated %d", w, e)
	}
	if st, text := f.listBadge(t, f.c, old.ID); st != "overdue" || text != "Overdue 2 days" {
		t.Errorf("stale lead's badge = %q %q", st, text)
	}
}
