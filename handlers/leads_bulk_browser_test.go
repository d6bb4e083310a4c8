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

// TestBrowserBulkDeclineFromTheList selects two received leads in the list, declines them together
// through the dialog, and sees the list follow: the whole path from the workspace's toolbar to the
// lifecycle's bulk action.
func TestBrowserBulkDeclineFromTheList(t *testing.T) {
	s := testkit.NewServer(t)
	s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals)
	a := addLead(t, s, lead.Lead{CustomerCompany: "Alpha KK", Country: "JP"})
	b := addLead(t, s, lead.Lead{CustomerCompany: "Beta GmbH", Country: "DE"})
	keep := addLead(t, s, lead.Lead{CustomerCompany: "Gamma Ltd", Country: "GB"})
	ctx := testkit.Browser(t)
	ctx, cancel := context.WithTimeout(ctx, 25*time.Second)
	defer cancel()
	s.SignIn(t, ctx, "aiko@example.com")
	box := func(id int64) string { return fmt.Sprintf(`#results input[name="ids"][value="%d"]`, id) }
	var result, statuses string
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/leads?tab=marketplace"),
		testkit.HTMXSettled(box(a.ID)),
		chromedp.Click(chromedp.CSS(box(a.ID))),
		chromedp.Click(chromedp.CSS(box(b.ID))),
		testkit.HTMXSettled(`button[formaction="/leads/bulk/decline"]`),
		chromedp.Click(chromedp.CSS(`button[formaction="/leads/bulk/decline"]`)),
		chromedp.WaitVisible(chromedp.CSS(`dialog[open] input[name="reason"][value="budget"]`)),
		chromedp.Click(chromedp.CSS(`dialog input[name="reason"][value="budget"]`)),
		chromedp.Click(chromedp.CSS(`dialog button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#bulk-result`)),
		testkit.Into(chromedp.Text(chromedp.CSS(`#bulk-result`)), &result),
	)
	if err != nil {
		var modal, loc string
		_ = chromedp.Do(ctx, testkit.Into(chromedp.Location(), &loc), testkit.Eval(`(document.getElementById("modal")||document.body).outerHTML.slice(0, 1500)`, &modal))
		t.Fatalf("%v\nlocation %s\n%s", err, loc, modal)
	}
	if !strings.Contains(result, "2") {
		t.Errorf("result banner = %q, want 2 leads declined", result)
	}
	testkit.Screenshot(t, ctx, "leads-bulk-decline-done")
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`dialog [data-close-dialog]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`dialog[open]`)),
		chromedp.Navigate(s.URL+"/leads?tab=marketplace"),
		chromedp.WaitVisible(chromedp.CSS(`#results`)),
		testkit.Into(chromedp.Text(chromedp.CSS(`#results tbody`)), &statuses),
	)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []*lead.Lead{a, b} {
		got, err := s.DB.LeadByID(t.Context(), l.ID)
		if err != nil || got.Outcome != "declined" || got.Reason != "budget" {
			t.Errorf("%s: %+v %v, want declined for budget", l.CustomerCompany, got, err)
		}
	}
	if got, _ := s.DB.LeadByID(t.Context(), keep.ID); got.Status != "received" {
		t.Errorf("the unselected lead changed: %s", got.Status)
	}
	if strings.Count(statuses, "Declined") != 2 {
		t.Errorf("list after the bulk decline:\n%s", statuses)
	}
}
