package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"leaddesk/db"
	"leaddesk/internal/testkit"
	"leaddesk/lead"
)

// acLead receives a contact-me lead through the leads service at the server's now, created at
// created (its respond-by is 14 days after), and answers its id.
func acLead(t *testing.T, s *testkit.Server, company string, created time.Time, requested bool) int64 {
	t.Helper()
	id, ok, err := s.Leads.Receive(context.Background(), lead.Actor{Label: "marketplace"}, &lead.Lead{Tab: "marketplace", LeadType: "offer",
		CTA: "contact_me", Source: "appsource", CustomerCompany: company, ContactEmail: strings.ToLower(strings.ReplaceAll(company, " ", "")) + "@customer.example",
		Country: "JP", EmailValidity: "valid", Quality: "high", CustomerRequestedContact: requested, CreatedAt: created})
	if err != nil || !ok {
		t.Fatalf("receive %s: %v %v", company, ok, err)
	}
	return id
}

// actionCenterSeed fills the Action Center as of testkit.Epoch: a lead that expired two days ago, one
// expiring in 5 hours whose customer asked to be contacted, one expiring in 30 hours, `asked` new leads
// whose customer asked to be contacted and `fresh` new ones, each arriving a minute after the other.
// The 48-hour reminder job has run, so expiring leads also hold an "expiring" item. It answers the
// lead ids in the order the Action Center must show them.
func actionCenterSeed(t *testing.T, s *testkit.Server, asked, fresh int) []int64 {
	t.Helper()
	ctx := context.Background()
	s.Clock.Set(testkit.Epoch.Add(-3 * 24 * time.Hour))
	expired := acLead(t, s, "Expired KK", testkit.Epoch.Add(-(14+2)*24*time.Hour), false)
	expiredAt := testkit.Epoch.Add(-2 * 24 * time.Hour) // the expiry job runs on time
	s.Clock.Set(expiredAt)
	if n, err := s.Leads.ExpireOverdue(ctx, expiredAt); err != nil || n != 1 {
		t.Fatalf("expire: %d %v", n, err)
	}
	s.Clock.Set(testkit.Epoch.Add(-time.Hour))
	soon := acLead(t, s, "Five Hours KK", testkit.Epoch.Add(-14*24*time.Hour+5*time.Hour), true)
	later := acLead(t, s, "Thirty Hours KK", testkit.Epoch.Add(-14*24*time.Hour+30*time.Hour), false)
	s.Clock.Set(testkit.Epoch)
	if _, err := s.Leads.RemindExpiring(ctx, testkit.Epoch); err != nil {
		t.Fatal(err)
	}
	var askedIDs, freshIDs []int64
	for i := 0; i < asked+fresh; i++ {
		at := testkit.Epoch.Add(time.Duration(i+1) * time.Minute)
		s.Clock.Set(at)
		if i < asked {
			askedIDs = append([]int64{acLead(t, s, fmt.Sprintf("Asked %02d", i), at, true)}, askedIDs...)
		} else {
			freshIDs = append([]int64{acLead(t, s, fmt.Sprintf("New %02d", i), at, false)}, freshIDs...)
		}
	}
	s.Clock.Set(testkit.Epoch.Add(time.Duration(asked+fresh+1) * time.Minute))
	order := append([]int64{soon, later}, askedIDs...)
	order = append(order, freshIDs...)
	return append(order, expired)
}

var acRowRE = regexp.MustCompile(`<li class="notify-item notify-reason-(\w+)[^"]*" id="ac-(\d+)"`)

// acRows lists (reason, lead id) of the rows in an Action Center answer.
func acRows(body string) [][2]string {
	var out [][2]string
	for _, m := range acRowRE.FindAllStringSubmatch(body, -1) {
		out = append(out, [2]string{m[1], m[2]})
	}
	return out
}

// The Action Center shows one row per lead with its most urgent reason, ordered by urgency
// (expiring within 48 h soonest first, customer asked for contact, new, expired), twenty at a time
// with "Load more"; opening marks the rows shown as read, "Mark all as read" brings the badge to 0.
func TestActionCenterOneRowPerLeadByUrgency(t *testing.T) {
	s := testkit.NewServer(t)
	s.CreateUser("ren@example.com", "Ren Ito", db.RoleReferrals)
	want := actionCenterSeed(t, s, 3, 20) // 26 leads, 6 of them asking for contact
	c := s.Client()
	c.Login("ren@example.com")
	count := func() string {
		t.Helper()
		body := c.Get("/action-center/count", "HX-Request", "true").Body
		return regexp.MustCompile(`data-count="(\d+)"`).FindStringSubmatch(body)[1]
	}
	if got := count(); got != "26" {
		t.Fatalf("the badge counts %s for 26 leads (some with two or three items), want 26", got)
	}

	panel := c.Get("/action-center", "HX-Request", "true")
	rows := acRows(panel.Body)
	if len(rows) != 20 {
		t.Fatalf("the panel shows %d rows, want the first 20", len(rows))
	}
	more := regexp.MustCompile(`hx-get="/action-center/more\?offset=(\d+)"`).FindStringSubmatch(panel.Body)
	if more == nil || more[1] != "20" {
		t.Fatalf("no Load more for the next 20: %v", more)
	}
	if got := count(); got != "6" {
		t.Errorf("after opening, the badge counts %s, want the 6 leads not shown yet", got)
	}
	// Mark all as read: another user's doing leaves Ren's badge alone; Ren's own brings it to 0.
	s.CreateUser("aya@example.com", "Aya Mori", db.RoleReferrals)
	aya := s.Client()
	aya.Login("aya@example.com")
	aya.Get("/action-center")
	res := aya.PostForm("/action-center/read-all", nil, "HX-Request", "true")
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, `hx-swap-oob="outerHTML" data-count="0"`) || strings.Contains(res.Body, " unread") {
		t.Errorf("mark all read: %d, want the list all read and the badge at 0\n%s", res.StatusCode, res.Body)
	}
	if got := count(); got != "6" {
		t.Errorf("Aya's mark-all changed Ren's badge to %s", got)
	}
	if res := c.PostForm("/action-center/read-all", nil); res.StatusCode != http.StatusSeeOther || count() != "0" {
		t.Errorf("mark all read without JavaScript: %d, badge %s", res.StatusCode, count())
	}

	next := c.Get("/action-center/more?offset=20", "HX-Request", "true")
	rows = append(rows, acRows(next.Body)...)
	if strings.Contains(next.Body, "/action-center/more?offset=") {
		t.Errorf("Load more is offered after the last row")
	}
	seen := map[string]bool{}
	for i, r := range rows {
		if seen[r[1]] {
			t.Errorf("lead %s shows twice", r[1])
		}
		seen[r[1]] = true
		if i < len(want) && r[1] != fmt.Sprint(want[i]) {
			t.Errorf("row %d is lead %s (%s), want lead %d", i, r[1], r[0], want[i])
		}
	}
	reasons := []string{}
	for _, r := range rows {
		if len(reasons) == 0 || reasons[len(reasons)-1] != r[0] {
			reasons = append(reasons, r[0])
		}
	}
	if strings.Join(reasons, " ") != "expiring requested_contact new_lead expired" || len(rows) != 26 {
		t.Errorf("%d rows in groups %v, want 26 in expiring, requested_contact, new_lead, expired", len(rows), reasons)
	}
	for _, w := range []string{"5 h left", "30 h left", "Customer asked to be contacted", "13 days left"} {
		if !strings.Contains(panel.Body, w) {
			t.Errorf("the panel lacks %q", w)
		}
	}
	if !strings.Contains(next.Body, "2 days ago") || !strings.Contains(next.Body, "Expired without an answer") {
		t.Errorf("the expired lead lacks its reason and time:\n%s", next.Body)
	}

	if res := c.Get("/action-center/more?offset=-1", "HX-Request", "true"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("a negative offset: %d", res.StatusCode)
	}
	// A new lead brings the badge back to 1.
	acLead(t, s, "Latest KK", s.Clock.Now(), false)
	if got := count(); got != "1" {
		t.Errorf("a new lead after mark-all: badge %s, want 1", got)
	}
}
