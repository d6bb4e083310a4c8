package handlers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"leaddesk/db"
	"leaddesk/internal/testkit"
	"leaddesk/lead"
)

// TestBrowserAssignFromTheListAndLogACall assigns a lead to oneself from the list's bulk toolbar, sees
// the owner's initials in the list, opens the lead and logs a call with a next step in two clicks plus
// the step's text and date, and sees it in the activities. Screenshots of the list, the details and
// Admin › Assignment in English and Japanese at 1366 and 390 px go to $LEADDESK_SCREENSHOTS.
func TestBrowserAssignFromTheListAndLogACall(t *testing.T) {
	s := testkit.NewServer(t)
	aiko := s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals, db.RoleAccount)
	ben := s.CreateUser("ben@example.com", "Ben Ito", db.RoleReferrals)
	a := addLead(t, s, lead.Lead{CustomerCompany: "Alpha KK", Country: "JP", CTA: "contact_me"})
	addLead(t, s, lead.Lead{CustomerCompany: "Beta GmbH", Country: "DE"})
	if err := s.DB.AddAssignmentRule(t.Context(), &db.AssignmentRule{Name: "Germany", Countries: []string{"DE"}, Members: []int64{ben.ID}}, s.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	if err := s.DB.AddAssignmentRule(t.Context(), &db.AssignmentRule{Name: "Contact me", CTAs: []string{"contact_me"}, Members: []int64{aiko.ID, ben.ID}}, s.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	ctx := testkit.Browser(t)
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	s.SignIn(t, ctx, "aiko@example.com")
	box := fmt.Sprintf(`#results input[name="ids"][value="%d"]`, a.ID)
	var owner string
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/leads?tab=marketplace"),
		testkit.HTMXSettled(box),
		chromedp.Click(chromedp.CSS(box)),

		chromedp.Click(chromedp.CSS(`#bulk-assign`)),
		chromedp.WaitVisible(chromedp.CSS(`#results .ws-owner`)),
		testkit.Eval(`document.querySelector("#results .ws-owner").title`, &owner),
	)
	if err != nil {
		t.Fatalf("assign from the list: %v", err)
	}
	if owner != "Aiko Tanaka" {
		t.Errorf("owner column title = %q", owner)
	}
	if got, _ := s.DB.LeadByID(t.Context(), a.ID); got.OwnerID != aiko.ID {
		t.Fatalf("owner after bulk assign = %d", got.OwnerID)
	}
	testkit.Screenshot(t, ctx, "team-list-en-1366")
	due := s.Clock.Now().In(s.Cfg.Location).AddDate(0, 0, 2).Format("2006-01-02")
	var list string
	err = chromedp.Do(ctx,
		chromedp.Navigate(fmt.Sprintf("%s/leads/%d", s.URL, a.ID)),
		chromedp.WaitVisible(chromedp.CSS(`#activity-form`)),
		chromedp.Click(chromedp.CSS(`#activity-form input[name="kind"][value="call"]`)),
		chromedp.SendKeys(chromedp.CSS(`#activity-next`), "Send the quote"),
		testkit.Eval(`document.getElementById("activity-due").value = "`+due+`"`, new(string)),
		chromedp.Click(chromedp.CSS(`#btn-log-activity`)),
		chromedp.WaitVisible(chromedp.CSS(`#activity-list`)),
		testkit.Into(chromedp.Text(chromedp.CSS(`#activity-list`)), &list),
	)
	if err != nil {
		t.Fatalf("log a call: %v", err)
	}
	if !strings.Contains(list, "Call") || !strings.Contains(list, "Send the quote") || !strings.Contains(list, due) {
		t.Errorf("activities after logging = %q", list)
	}
	var n int
	s.DB.QueryRow(`SELECT COUNT(*) FROM lead_activities WHERE lead_id = ? AND kind = 'call' AND next_due = ?`, a.ID, due).Scan(&n)
	if n != 1 {
		t.Errorf("%d calls with the next step stored", n)
	}
	shots := func(lang string) {
		for _, w := range []struct {
			width, height int64
			size          string
		}{{1366, 900, "1366"}, {390, 844, "390"}} {
			for _, p := range []struct{ path, wait, name string }{
				{"/leads?tab=marketplace", "#results .ws-owner", "list"},
				{fmt.Sprintf("/leads/%d", a.ID), "#card-owner", "details"},
				{"/assignment", "#assign-rules", "admin-assignment"},
			} {
				if err := chromedp.Do(ctx, chromedp.EmulateViewport(w.width, w.height), chromedp.Navigate(s.URL+p.path),
					chromedp.WaitVisible(chromedp.CSS(p.wait)), testkit.HTMXIdle()); err != nil {
					t.Fatalf("%s %s: %v", lang, p.path, err)
				}
				testkit.Screenshot(t, ctx, "team-"+p.name+"-"+lang+"-"+w.size)
			}
		}
	}
	shots("en")
	err = chromedp.Do(ctx,
		chromedp.EmulateViewport(1366, 900),
		chromedp.Navigate(s.URL+"/leads"),
		chromedp.WaitVisible(chromedp.CSS(`.lang-switch button[value="ja"]`)),
		chromedp.Click(chromedp.CSS(`.lang-switch button[value="ja"]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="ja"] #my-leads`)),
	)
	if err != nil {
		t.Fatalf("switch to Japanese: %v", err)
	}
	shots("ja")
}
