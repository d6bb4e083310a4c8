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

// TestBrowserResponseTargetBadges shows the response-target badges as a user sees them: a fresh lead
// ("Answer within …"), one warned at 75 % and one overdue in the list and on the details page, the
// overdue lead in the owner's Action Center, and the admin page — in English and Japanese at 1366 and
// 390 px (screenshots to $LEADDESK_SCREENSHOTS).
func TestBrowserResponseTargetBadges(t *testing.T) {
	s := testkit.NewServer(t)
	aiko := s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals, db.RoleAccount)
	s.CreateUser("ben@example.com", "Ben Ito", db.RoleReferrals)
	now := s.Clock.Now()
	fresh := addLead(t, s, lead.Lead{CustomerCompany: "Alpha KK", Country: "JP", CreatedAt: now.Add(-2 * time.Hour)})
	addLead(t, s, lead.Lead{CustomerCompany: "Beta GmbH", Country: "DE", CreatedAt: now.Add(-20 * time.Hour)})
	late := addLead(t, s, lead.Lead{CustomerCompany: "Gamma Ltd", Country: "GB", CreatedAt: now.Add(-27 * time.Hour)})
	for _, l := range []*lead.Lead{fresh, late} {
		got, err := s.DB.LeadByID(t.Context(), l.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Leads.AssignOwner(context.Background(), aiko.LeadActor(), l.ID, got.Version, aiko.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := s.Leads.NotifyResponseTargets(context.Background(), now, s.Cfg.Location); err != nil {
		t.Fatal(err)
	}

	ctx := testkit.Browser(t)
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	s.SignIn(t, ctx, "aiko@example.com")
	row := func(id int64) string { return fmt.Sprintf(`#results tr:has(a[href^="/leads/%d?"]) .ws-sla`, id) }
	var freshText, lateText string
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(1366, 900),
		chromedp.Navigate(s.URL+"/leads?tab=marketplace"),
		testkit.HTMXSettled(row(late.ID)),
		testkit.Into(chromedp.Text(chromedp.CSS(row(fresh.ID))), &freshText),
		testkit.Into(chromedp.Text(chromedp.CSS(row(late.ID))), &lateText),
	)
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	if strings.TrimSpace(freshText) != "Answer within 22 h" || strings.TrimSpace(lateText) != "Overdue 3 h" {
		t.Errorf("list badges = %q, %q", freshText, lateText)
	}

	shots := func(lang string) {
		for _, w := range []struct {
			width, height int64
			size          string
		}{{1366, 900, "1366"}, {390, 844, "390"}} {
			for _, p := range []struct{ path, wait, name string }{
				{"/leads?tab=marketplace", "#results .ws-sla", "list"},
				{fmt.Sprintf("/leads/%d", late.ID), ".lead-sub .ws-sla", "details"},
				{"/action-center", "#sla-items", "action-center"},
				{"/response-targets", "#sla-form", "admin"},
			} {
				if err := chromedp.Do(ctx, chromedp.EmulateViewport(w.width, w.height), chromedp.Navigate(s.URL+p.path),
					chromedp.WaitVisible(chromedp.CSS(p.wait)), testkit.HTMXIdle()); err != nil {
					t.Fatalf("%s %s: %v", lang, p.path, err)
				}
				testkit.Screenshot(t, ctx, "sla-"+p.name+"-"+lang+"-"+w.size)
			}
		}
	}
	shots("en")
	var jaText string
	err = chromedp.Do(ctx,
		chromedp.EmulateViewport(1366, 900),
		chromedp.Navigate(s.URL+"/leads?tab=marketplace"),
		chromedp.WaitVisible(chromedp.CSS(`.lang-switch button[value="ja"]`)),
		chromedp.Click(chromedp.CSS(`.lang-switch button[value="ja"]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="ja"] #results .ws-sla`)),
		testkit.Into(chromedp.Text(chromedp.CSS(row(late.ID))), &jaText),
	)
	if err != nil {
		t.Fatalf("switch to Japanese: %v", err)
	}
	if strings.TrimSpace(jaText) != "初動期限を3時間超過" {
		t.Errorf("Japanese badge = %q", jaText)
	}
	shots("ja")
}
