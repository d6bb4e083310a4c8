package handlers_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"leaddesk/db"
	"leaddesk/internal/testkit"
	"leaddesk/lead"
)

// TestBrowserTimeLeftInJapanese: the list's due cell in Japanese says how long is left, and a lead past
// its respond-by time (the expiry job has not run yet) reads 期限超過, not "expiring soon"; a customer who
// asked to be contacted days ago shows the calmer flame.
func TestBrowserTimeLeftInJapanese(t *testing.T) {
	s := testkit.NewServer(t)
	now := s.Clock.Now()
	addLead(t, s, lead.Lead{CustomerCompany: "Contoso KK", ContactFirstName: "愛子", ContactLastName: "佐藤", Country: "JP",
		CustomerRequestedContact: true, EmailValidity: "valid", PhoneValidity: "valid", CreatedAt: now.Add(-15 * 24 * time.Hour)})
	addLead(t, s, lead.Lead{CustomerCompany: "Fabrikam KK", ContactFirstName: "健", ContactLastName: "伊藤", Country: "JP",
		CustomerRequestedContact: true, EmailValidity: "valid", PhoneValidity: "unknown", CreatedAt: now.Add(-14*24*time.Hour + 11*time.Hour + 30*time.Minute)})
	addLead(t, s, lead.Lead{CustomerCompany: "田中商事株式会社", ContactFirstName: "太郎", ContactLastName: "田中", Country: "JP",
		LeadType: "profile", CreatedAt: now.Add(-2 * time.Hour)})
	u := s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals)
	if err := s.DB.SetUserLang(t.Context(), u.ID, "ja"); err != nil {
		t.Fatal(err)
	}
	ctx := testkit.Browser(t)
	s.SignIn(t, ctx, "aiko@example.com")
	var due string
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/leads?tab=marketplace&sort=customer&dir=asc"),
		chromedp.WaitVisible(chromedp.CSS(`#results table`)),
		testkit.Eval(`[...document.querySelectorAll('#results tbody tr')].map(r => r.querySelector('.ws-company').textContent.trim() + '=' + (r.querySelector('.ws-due') ? r.querySelector('.ws-due').textContent.trim() : '')).join('|')`, &due),
	)
	if err != nil {
		t.Fatal(err)
	}
	testkit.Screenshot(t, ctx, "review-leads-due-ja")
	// Both asked to be contacted more than 72 hours ago: the calmer mark, with its own text.
	var calm int
	if err := chromedp.Do(ctx, testkit.Eval(`document.querySelectorAll('#results .flame-calm[title="顧客が 72 時間以上前に連絡を希望しています"]').length`, &calm)); err != nil {
		t.Fatal(err)
	}
	if calm != 2 {
		t.Errorf("%d calm flames, want 2", calm)
	}
	for _, want := range []string{"Contoso KK=期限超過", "Fabrikam KK=残り 12 時間", "田中商事株式会社=残り 13 日"} {
		if !strings.Contains(due, want) {
			t.Errorf("due cells %q lack %q", due, want)
		}
	}
}
