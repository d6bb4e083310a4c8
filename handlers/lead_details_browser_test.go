package handlers_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"leaddesk/internal/testkit"
	"leaddesk/lead"
)

// TestBrowserDetailsWarningsAndUrgency renders the details page of a spam lead, an invalid one, one
// with 7 hours left and a won one, and the decline dialog, in English and Japanese at desktop and
// phone widths (screenshots in $LEADDESK_SCREENSHOTS). In real Chromium the 7-hour banner is painted
// in the danger colours, a calm deadline is not, and no page is wider than a phone's screen.
func TestBrowserDetailsWarningsAndUrgency(t *testing.T) {
	f := newLCFixture(t)
	now := f.s.Clock.Now()
	spam := f.addLead(t, func(l *lead.Lead) {
		l.CustomerCompany, l.ContactEmail, l.EmailValidity, l.Quality = "Throwaway LLC", "test123@mailinator.com", "spam", "low"
	})
	invalid := f.addLead(t, func(l *lead.Lead) {
		l.CustomerCompany, l.ContactEmail, l.EmailValidity, l.Quality = "Fabrikam GK", "kenji@fabrikam.invalid", "invalid", "low"
		l.ContactPhone, l.PhoneValidity = "12", "invalid"
	})
	urgent := f.addLead(t, func(l *lead.Lead) {
		l.CustomerCompany, l.CustomerRequestedContact = "Northwind Traders", true
		l.CreatedAt = now.Add(-lead.ExpiryWindow + 7*time.Hour)
	})
	calm := f.addLead(t, func(l *lead.Lead) { l.CustomerCompany = "Tailspin Toys" })
	won := f.addLead(t, func(l *lead.Lead) {
		at := now
		l.CustomerCompany, l.Status, l.Outcome, l.ArchivedAt, l.AcceptedAt = "Wide World Importers", "archived", "won", &at, &at
		l.DealName, l.DealValue, l.Currency, l.PurchaseDate = "Wide World rollout", 1250000, "JPY", "2027-01-15"
		l.ExpiresAt = nil
	})
	pages := []struct {
		name string
		id   int64
	}{{"spam", spam.ID}, {"invalid", invalid.ID}, {"7h", urgent.ID}, {"won", won.ID}}

	for _, lang := range []string{"en", "ja"} {
		t.Run(lang, func(t *testing.T) {
			if err := f.s.DB.SetUserLang(t.Context(), f.worker.ID, lang); err != nil {
				t.Fatal(err)
			}
			ctx := testkit.Browser(t)
			f.s.SignIn(t, ctx, "aiko@example.com")
			var urgentBg, dangerBg, calmBg string
			err := chromedp.Do(ctx,
				chromedp.Navigate(fmt.Sprintf("%s/leads/%d", f.s.URL, spam.ID)), htmxReady(),
				testkit.Eval(`getComputedStyle(document.getElementById("spam-banner")).backgroundColor`, &dangerBg),
				chromedp.Navigate(fmt.Sprintf("%s/leads/%d", f.s.URL, urgent.ID)), htmxReady(),
				testkit.Eval(`getComputedStyle(document.getElementById("respond-by")).backgroundColor`, &urgentBg),
				chromedp.Navigate(fmt.Sprintf("%s/leads/%d", f.s.URL, calm.ID)), htmxReady(),
				testkit.Eval(`getComputedStyle(document.getElementById("respond-by")).backgroundColor`, &calmBg),
			)
			if err != nil {
				t.Fatal(err)
			}
			if urgentBg != dangerBg || calmBg == dangerBg {
				t.Errorf("7 hours left is painted %s, 11+ days %s; the danger colour is %s", urgentBg, calmBg, dangerBg)
			}
			for _, width := range []int64{1366, 390} {
				if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 900)); err != nil {
					t.Fatal(err)
				}
				for _, p := range pages {
					var overflow int
					err := chromedp.Do(ctx,
						chromedp.Navigate(fmt.Sprintf("%s/leads/%d", f.s.URL, p.id)), htmxReady(),
						testkit.Eval(`document.documentElement.scrollWidth - window.innerWidth`, &overflow),
					)
					if err != nil {
						t.Fatalf("%s: %v", p.name, err)
					}
					if overflow > 0 {
						var who string
						chromedp.Do(ctx, testkit.Eval(`[...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > window.innerWidth+1).slice(0,8).map(e => e.tagName+"."+e.className+" "+Math.round(e.getBoundingClientRect().width)).join(" | ")`, &who))
						t.Errorf("%s at %d px is %d px wider than the screen: %s", p.name, width, overflow, who)
					}
					testkit.Screenshot(t, ctx, fmt.Sprintf("details-%s-%s-%d", p.name, lang, width))
				}
				err := chromedp.Do(ctx,
					chromedp.Navigate(fmt.Sprintf("%s/leads/%d", f.s.URL, urgent.ID)), htmxReady(),
					chromedp.WaitVisible(chromedp.CSS(`#btn-decline`)),
					chromedp.Click(chromedp.CSS(`#btn-decline`)),
					chromedp.WaitVisible(chromedp.CSS(`dialog[open] #decline-notice`)),
				)
				if err != nil {
					t.Fatalf("decline dialog: %v", err)
				}
				testkit.Screenshot(t, ctx, fmt.Sprintf("decline-dialog-%s-%d", lang, width))
			}
		})
	}
}
