package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"leaddesk/db"
	"leaddesk/lead"
)

// Admins set a colleague's away days (issue 17): an Account admin and a Referrals admin each set
// another Referrals admin's days on /assignment; every change is in the audit log; the round-robin
// skips the one away and takes them back once cleared; only a Referrals admin can be set away, a
// backwards span names its field, and a Business profile admin may not do it at all.
func TestAdminsSetAnotherReferralsAdminsAwayDays(t *testing.T) {
	f := newLCFixture(t)
	s := f.s
	s.CreateUser("acct@example.com", "Ana Account", db.RoleAccount)
	acct := s.Client()
	acct.Login("acct@example.com")
	ben := fmt.Sprint(f.teammate.ID)
	if res := f.c.PostForm("/assignment", url.Values{"name": {"Everyone"}, "member": {fmt.Sprint(f.worker.ID), ben}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("rule: %d", res.StatusCode)
	}
	today := s.Clock.Now().In(s.Cfg.Location)
	from, until := today.Format("2006-01-02"), today.AddDate(0, 0, 2).Format("2006-01-02")

	// Refused: a backwards span, and someone who is not a Referrals admin.
	if res := acct.PostForm("/assignment/away", url.Values{"user": {ben}, "from": {until}, "until": {from}}); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(res.Body, `id="team-away-until" name="until" value="`+from+`">`) || !strings.Contains(res.Body, "Last day away:") {
		t.Errorf("backwards span for Ben: %d", res.StatusCode)
	}
	if res := f.c.PostForm("/assignment/away", url.Values{"user": {fmt.Sprint(f.profile.ID)}, "from": {from}, "until": {until}}); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(res.Body, "only an active Referrals admin") {
		t.Errorf("away days for a Business profile admin: %d", res.StatusCode)
	}
	pat := s.Client()
	pat.Login("pat@example.com")
	if res := pat.PostForm("/assignment/away", url.Values{"user": {ben}, "from": {from}, "until": {until}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("a Business profile admin setting Ben away: %d", res.StatusCode)
	}
	if n := f.count(t, `SELECT COUNT(*) FROM user_away`); n != 0 {
		t.Fatalf("%d away spans stored from refused forms", n)
	}

	// The Account admin sets Ben away from today: the page shows it, the audit log has it.
	if res := acct.PostForm("/assignment/away", url.Values{"user": {ben}, "from": {from}, "until": {until}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("set Ben away: %d %s", res.StatusCode, res.Body)
	}
	page := f.c.Get("/assignment")
	row := page.Body[strings.Index(page.Body, `id="team-away-`+ben+`"`):]
	row = row[:strings.Index(row, "</tr>")]
	if !strings.Contains(row, "Ben Ito") || !strings.Contains(row, "away today") || !strings.Contains(row, until) {
		t.Errorf("Ben's row on /assignment: %s", row)
	}
	var actor, target, details string
	if err := s.DB.QueryRow(`SELECT COALESCE(u.email, ''), a.target, a.details FROM audit_log a LEFT JOIN users u ON u.id = a.actor_user_id
		WHERE a.action = 'user.away' ORDER BY a.id`).Scan(&actor, &target, &details); err != nil ||
		actor != "acct@example.com" || target != "ben@example.com" || !strings.Contains(details, from+" – "+until) {
		t.Errorf("audit: %q %q %q %v", actor, target, details, err)
	}

	// While Ben is away, the round-robin gives every new lead to Aiko.
	receive := func(name string) int64 {
		t.Helper()
		id, _, err := s.Leads.Receive(context.Background(), lead.Actor{Label: "marketplace"}, &lead.Lead{Tab: "marketplace", LeadType: "offer", CTA: "contact_me",
			Source: "appsource", OfferID: "crm", CustomerCompany: name, ContactFirstName: "Mei", ContactEmail: strings.ToLower(name) + "@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		return f.lead(t, id).OwnerID
	}
	for _, name := range []string{"Alpha", "Beta", "Gamma"} {
		if owner := receive(name); owner != f.worker.ID {
			t.Errorf("%s went to %d while Ben is away, want Aiko", name, owner)
		}
	}

	// Aiko (a Referrals admin) says Ben is back: audited too, and Ben gets leads again.
	if res := f.c.PostForm("/assignment/away", url.Values{"user": {ben}, "clear": {"1"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("clear Ben's days: %d", res.StatusCode)
	}
	if n := f.count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'user.away' AND target = 'ben@example.com' AND actor_user_id = ?`, f.worker.ID); n != 1 {
		t.Errorf("%d audit entries for clearing Ben's days", n)
	}
	got := map[int64]int{}
	for _, name := range []string{"Delta", "Epsilon"} {
		got[receive(name)]++
	}
	if got[f.teammate.ID] != 1 || got[f.worker.ID] != 1 {
		t.Errorf("after Ben is back, two leads went %v, want one each", got)
	}
}
