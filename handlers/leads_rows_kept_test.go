package handlers_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"leaddesk/db"
	"leaddesk/internal/testkit"
	"leaddesk/lead"
	"leaddesk/lifecycle"
)

// The list keeps rendered rows (handlers/leads_rows.go). These tests ask the same view again and
// again in one session, as someone working the list does, and check that each answer shows what
// is true at that moment: a kept row must never outlive what it shows.

// rowOf is the list's table row of lead id, whatever the row's markup.
func rowOf(t *testing.T, page string, id int64) string {
	t.Helper()
	i := strings.Index(page, fmt.Sprintf(`href="/leads/%d?`, id))
	if i < 0 {
		t.Fatalf("no row for lead %d", id)
	}
	start := strings.LastIndex(page[:i], "<tr")
	end := strings.Index(page[i:], "</tr>")
	if start < 0 || end < 0 {
		t.Fatalf("lead %d is not in a table row", id)
	}
	return page[start : i+end]
}

// dueText is what the due cell says (English) for the time left, as lifecycle.TimeLeft words it.
func dueText(left time.Duration) string {
	switch unit, n := lifecycle.TimeLeft(left); {
	case unit == "overdue":
		return "Due now"
	case n == 1:
		return fmt.Sprintf("%d %s", n, strings.TrimSuffix(unit, "s"))
	default:
		return fmt.Sprintf("%d %s", n, unit)
	}
}

// TestLeadsRowsFollowTimeOnARepeatedView: the flame, the time left and its urgency colour are worked
// out from the clock on every request. Asked every seven hours for 77 hours (the session stays
// signed in), each row shows the time left at that moment: the count goes down, turns from days to
// hours, to the warning and danger colours and to "Due now", and the flame calms after 72 hours.
func TestLeadsRowsFollowTimeOnARepeatedView(t *testing.T) {
	s := testkit.NewServer(t)
	c, _ := leadsSignedIn(t, s, "aiko@example.com", db.RoleReferrals)
	start := s.Clock.Now()
	created := start.Add(-time.Hour)
	slow := created.Add(lead.ExpiryWindow)
	soon := start.Add(50 * time.Hour)
	a := addLead(t, s, lead.Lead{CustomerCompany: "Contoso", CustomerRequestedContact: true, CreatedAt: created, ExpiresAt: &slow})
	b := addLead(t, s, lead.Lead{CustomerCompany: "Fabrikam", CreatedAt: created, ExpiresAt: &soon})

	const view = "/leads?tab=marketplace"
	for step := 0; step <= 11; step++ {
		now := s.Clock.Now()
		page := c.Get(view).Body
		for _, l := range []*lead.Lead{a, b} {
			row := rowOf(t, page, l.ID)
			if want := ">" + dueText(l.ExpiresAt.Sub(now)) + "</span>"; !strings.Contains(row, want) {
				t.Errorf("after %d hours, %s's due cell does not say %q:\n%s", 7*step, l.CustomerCompany, want, row)
			}
			urgency := lifecycle.Urgency(l, now)
			for _, u := range []string{lifecycle.UrgencyWarning, lifecycle.UrgencyDanger} {
				if has := strings.Contains(row, "ws-due-"+u); has != (urgency == u) {
					t.Errorf("after %d hours, %s's due cell has ws-due-%s: %v, want %v", 7*step, l.CustomerCompany, u, has, urgency == u)
				}
			}
		}
		row := rowOf(t, page, a.ID)
		hot := now.Sub(created) < lifecycle.FlameCalmAfter
		if strings.Contains(row, `class="ws-flame flame"`) != hot || strings.Contains(row, `class="ws-flame flame-calm"`) == hot {
			t.Errorf("after %d hours (lead %v old), the flame is not %s:\n%s", 7*step, now.Sub(created), map[bool]string{true: "hot", false: "calm"}[hot], row)
		}
		s.Clock.Advance(7 * time.Hour)
	}
}

// TestLeadsRowsFollowChangesOnARepeatedView: between two answers of the same view, a lead changed by
// another writer, a favourite, an owner and the owner's new name, a next step falling due and the
// language each show at once.
func TestLeadsRowsFollowChangesOnARepeatedView(t *testing.T) {
	s := testkit.NewServer(t)
	c, u := leadsSignedIn(t, s, "aiko@example.com", db.RoleReferrals)
	a := addLead(t, s, lead.Lead{CustomerCompany: "Contoso", DealValue: 10000, Currency: "USD"})
	const view = "/leads?tab=marketplace"
	row := func() string { t.Helper(); return rowOf(t, c.Get(view).Body, a.ID) }
	if r := row(); !strings.Contains(r, ">Contoso</a>") || !strings.Contains(r, "USD 100.00") || !strings.Contains(r, `aria-pressed="false"`) {
		t.Fatalf("first answer:\n%s", r)
	}

	if _, err := s.DB.Exec(`UPDATE leads SET customer_company = 'Contoso Renamed', deal_value = 25000, version = version + 1 WHERE id = ?`, a.ID); err != nil {
		t.Fatal(err)
	}
	if r := row(); !strings.Contains(r, ">Contoso Renamed</a>") || !strings.Contains(r, "USD 250.00") {
		t.Errorf("after another writer's change:\n%s", r)
	}

	c.PostForm(fmt.Sprintf("/leads/%d/favorite", a.ID), nil, "HX-Request", "true")
	if r := row(); !strings.Contains(r, `aria-pressed="true"`) {
		t.Errorf("after the heart:\n%s", r)
	}

	c.PostForm(fmt.Sprintf("/leads/%d/owner", a.ID), url.Values{"owner": {"me"}})
	if r := row(); !strings.Contains(r, `title="Aiko Tanaka"`) {
		t.Errorf("after assigning to me:\n%s", r)
	}
	if _, err := s.DB.Exec(`UPDATE users SET name = 'Aiko Sato' WHERE id = ?`, u.ID); err != nil {
		t.Fatal(err)
	}
	if r := row(); !strings.Contains(r, `title="Aiko Sato"`) || !strings.Contains(r, ">AS</span>") {
		t.Errorf("after the owner's new name:\n%s", r)
	}

	tomorrow := s.Clock.Now().In(s.Cfg.Location).AddDate(0, 0, 1).Format("2006-01-02")
	c.PostForm(fmt.Sprintf("/leads/%d/activities", a.ID), url.Values{"kind": {"call"}, "next_step": {"Send the quote"}, "next_due": {tomorrow}})
	if r := row(); strings.Contains(r, "Next step overdue") {
		t.Errorf("a next step due tomorrow is marked overdue:\n%s", r)
	}
	for i := 0; i < 7; i++ { // two days on in seven-hour steps: the session stays signed in
		s.Clock.Advance(7 * time.Hour)
		c.Get(view)
	}
	if r := row(); !strings.Contains(r, "Next step overdue") {
		t.Errorf("a next step past its day is not marked:\n%s", r)
	}

	c.PostForm("/lang", url.Values{"lang": {"ja"}, "next": {"/leads"}})
	if r := row(); !strings.Contains(r, `aria-label="お気に入りから削除"`) || !strings.Contains(r, "担当者: Aiko Sato") {
		t.Errorf("in Japanese:\n%s", r)
	}
}

// TestLeadsRowsCarryTheirOwnSessionsToken: two people (and one person in two browsers) looking at the
// same view each get rows whose hearts carry their own browser's CSRF token, which their post is
// accepted with; a row kept for one browser is never shown to another.
func TestLeadsRowsCarryTheirOwnSessionsToken(t *testing.T) {
	s := testkit.NewServer(t)
	a := addLead(t, s, lead.Lead{CustomerCompany: "Contoso"})
	aiko, _ := leadsSignedIn(t, s, "aiko@example.com", db.RoleReferrals)
	ben, _ := leadsSignedIn(t, s, "ben@example.com", db.RoleReferrals)
	aiko2 := s.Client()
	aiko2.Login("aiko@example.com")
	const view = "/leads?tab=marketplace"
	tokens := map[string]bool{}
	for name, c := range map[string]*testkit.Client{"aiko": aiko, "ben": ben, "aiko's second browser": aiko2} {
		for i := 0; i < 2; i++ {
			row := rowOf(t, c.Get(view).Body, a.ID)
			tok := c.CSRF()
			if !strings.Contains(row, `name="csrf" value="`+tok+`"`) {
				t.Errorf("%s's row does not carry %s's token:\n%s", name, name, row)
			}
			tokens[tok] = true
		}
	}
	if len(tokens) != 3 {
		t.Errorf("%d distinct tokens for three browsers", len(tokens))
	}
	if res := ben.PostForm(fmt.Sprintf("/leads/%d/favorite", a.ID), nil, "HX-Request", "true"); !strings.Contains(res.Body, `aria-pressed="true"`) {
		t.Errorf("ben's heart post: %d", res.StatusCode)
	}
	if r := rowOf(t, aiko.Get(view).Body, a.ID); !strings.Contains(r, `aria-pressed="false"`) {
		t.Errorf("ben's favourite shows in aiko's row:\n%s", r)
	}
}
