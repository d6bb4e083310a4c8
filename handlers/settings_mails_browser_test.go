package handlers_test

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"

	"leaddesk/db"
	"leaddesk/internal/testkit"
)

// TestBrowserSettingsScheduledMails ticks the morning mail and unticks the weekly summary in real
// Chromium, saves without JavaScript help (a plain form post), and finds the choices kept; the card
// fits at phone width. Screenshots in English and Japanese at 1366 and 390 px.
func TestBrowserSettingsScheduledMails(t *testing.T) {
	s := testkit.NewServer(t)
	s.CreateUser("sam@example.com", "Sam Admin", db.RoleReferrals)
	aiko := s.CreateUser("aiko@example.com", "田中 愛子", db.RoleReferrals)
	if err := s.DB.SetUserLang(context.Background(), aiko.ID, "ja"); err != nil {
		t.Fatal(err)
	}
	for _, who := range []struct{ email, lang string }{{"sam@example.com", "en"}, {"aiko@example.com", "ja"}} {
		t.Run(who.lang, func(t *testing.T) {
			ctx := testkit.Browser(t)
			t.Cleanup(func() { _ = chromedp.Cancel(ctx) })
			s.SignIn(t, ctx, who.email)
			var weekly, today, overflow bool
			err := chromedp.Do(ctx,
				chromedp.EmulateViewport(1366, 900),
				chromedp.Navigate(s.URL+"/settings"),
				chromedp.WaitVisible(chromedp.CSS(`#scheduled-mails`)),
				chromedp.Click(chromedp.CSS(`#scheduled-mails input[name=weekly_summary]`)),
				chromedp.Click(chromedp.CSS(`#scheduled-mails input[name=today]`)),
				chromedp.Click(chromedp.CSS(`#scheduled-mails button[type=submit]`)),
				chromedp.WaitVisible(chromedp.CSS(`.flash`)),
				chromedp.WaitVisible(chromedp.CSS(`#scheduled-mails`)),
				testkit.Eval(`document.querySelector('#scheduled-mails input[name=weekly_summary]').checked`, &weekly),
				testkit.Eval(`document.querySelector('#scheduled-mails input[name=today]').checked`, &today),
			)
			if err != nil {
				t.Fatal(err)
			}
			if weekly || !today {
				t.Errorf("after saving: weekly summary %v, morning mail %v; want off and on", weekly, today)
			}
			testkit.Screenshot(t, ctx, "settings-mails-"+who.lang+"-1366")
			err = chromedp.Do(ctx,
				chromedp.EmulateViewport(390, 844),
				chromedp.Navigate(s.URL+"/settings"),
				chromedp.WaitVisible(chromedp.CSS(`#scheduled-mails`)),
				testkit.Eval(`document.documentElement.scrollWidth > document.documentElement.clientWidth`, &overflow),
			)
			if err != nil {
				t.Fatal(err)
			}
			if overflow {
				t.Error("the Settings page scrolls sideways at 390 px")
			}
			testkit.Screenshot(t, ctx, "settings-mails-"+who.lang+"-390")
		})
	}
}
