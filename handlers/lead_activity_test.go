package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"leaddesk/lead"
)

// Logging a call with a next step: it shows on the details page and in the timeline; the next step
// reaches the owner's Action Center on its day (not before, and not someone else's), and leaves it
// when marked done. Bad fields are 422s naming the field; an archived lead's history is read-only.
func TestActivityWithNextStepReachesTheOwnersActionCenterOnItsDay(t *testing.T) {
	f := newLCFixture(t)
	l := f.addLead(t, func(l *lead.Lead) { l.CustomerCompany = "Kyoto Denki" })
	f.c.PostForm(fmt.Sprintf("/leads/%d/owner", l.ID), url.Values{"owner": {"me"}})
	tomorrow := f.s.Clock.Now().In(f.s.Cfg.Location).AddDate(0, 0, 1).Format("2006-01-02")
	for _, tc := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"kind": {"fax"}}, "Activity:"},
		{url.Values{"kind": {"call"}, "next_step": {"Send the quote"}}, "Due:"},
		{url.Values{"kind": {"call"}, "next_due": {tomorrow}}, "Next step:"},
		{url.Values{"kind": {"call"}, "at": {"yesterday"}}, "When:"},
	} {
		res := f.c.PostForm(fmt.Sprintf("/leads/%d/activities", l.ID), tc.form)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, tc.want) {
			t.Errorf("%v: %d, want 422 naming %q", tc.form, res.StatusCode, tc.want)
		}
	}
	res := f.c.PostForm(fmt.Sprintf("/leads/%d/activities", l.ID), url.Values{"kind": {"call"}, "outcome": {"reached"},
		"body": {"Wants 40 seats."}, "next_step": {"Send the quote"}, "next_due": {tomorrow}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("log call: %d %s", res.StatusCode, res.Body)
	}
	page := f.c.Get(fmt.Sprintf("/leads/%d", l.ID)).Body
	for _, want := range []string{"Call logged", "Wants 40 seats.", "Reached", "Send the quote · " + tomorrow, `id="activity-list"`} {
		if !strings.Contains(page, want) {
			t.Errorf("details lack %q", want)
		}
	}
	if n := f.count(t, `SELECT COUNT(*) FROM domain_events WHERE lead_id = ? AND kind = 'lead.activity_logged'`, l.ID); n != 1 {
		t.Errorf("%d activity events", n)
	}
	if ac := f.c.Get("/action-center").Body; strings.Contains(ac, "Send the quote") {
		t.Error("the next step is in the Action Center a day early")
	}
	f.s.Clock.Advance(24 * time.Hour)
	f.c.Login("aiko@example.com") // a day later the session has timed out
	ac := f.c.Get("/action-center").Body
	if !strings.Contains(ac, "Next step: Send the quote (due "+tomorrow+")") {
		t.Fatalf("the next step is not in the owner's Action Center on its day:\n%s", ac)
	}
	ben := f.s.Client()
	ben.Login("ben@example.com")
	if strings.Contains(ben.Get("/action-center").Body, "Send the quote") {
		t.Error("the next step is in someone else's Action Center")
	}
	if strings.Contains(f.c.Get("/leads?tab=marketplace").Body, "Next step overdue") {
		t.Error("a next step due today is marked overdue in the list")
	}
	f.s.Clock.Advance(24 * time.Hour)
	f.c.Login("aiko@example.com")
	if n := strings.Count(f.c.Get("/leads?tab=marketplace").Body, "Next step overdue"); n != 1 {
		t.Errorf("the list marks %d leads with an overdue next step, want 1", n)
	}
	var actID int64
	f.s.DB.QueryRow(`SELECT id FROM lead_activities WHERE lead_id = ?`, l.ID).Scan(&actID)
	if res := f.c.PostForm(fmt.Sprintf("/next-steps/%d/done", actID), url.Values{"next": {"/action-center"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("done: %d", res.StatusCode)
	}
	if strings.Contains(f.c.Get("/action-center").Body, "Send the quote") {
		t.Error("a done next step stays in the Action Center")
	}
	if strings.Contains(f.c.Get("/leads?tab=marketplace").Body, "Next step overdue") {
		t.Error("a done next step is still marked overdue in the list")
	}
	if !strings.Contains(f.c.Get(fmt.Sprintf("/leads/%d", l.ID)).Body, "Next step done") {
		t.Error("the timeline lacks the done next step")
	}
	// Archived: read-only.
	arch := f.addLead(t, func(l *lead.Lead) { l.Status, l.Outcome = "archived", "won" })
	if res := f.c.PostForm(fmt.Sprintf("/leads/%d/activities", arch.ID), url.Values{"kind": {"note"}}); res.StatusCode != http.StatusConflict {
		t.Errorf("activity on an archived lead: %d, want 409", res.StatusCode)
	}
	if strings.Contains(f.c.Get(fmt.Sprintf("/leads/%d", arch.ID)).Body, `id="activity-form"`) {
		t.Error("an archived lead offers the activity form")
	}
}
