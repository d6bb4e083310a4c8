package handlers_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"leaddesk/db"
	"leaddesk/internal/testkit"
	"leaddesk/partnercenter"
)

// TestBrowserPartnerCenterPages drives Chromium through Admin › Partner Center and a lead in conflict
// with its banner, in English and Japanese, at desktop and phone widths; the screenshots go to
// $LEADDESK_SCREENSHOTS for people to look at.
func TestBrowserPartnerCenterPages(t *testing.T) {
	f := newPCFixture(t)
	f.connect(t)
	refID, leadID := pulledLead(t, f)
	f.accept(t, leadID)
	if _, err := f.sim.ChangeAsMicrosoft(refID, func(r *partnercenter.Referral) {
		v := partnercenter.Decimal("99000")
		r.Status, r.Substatus, r.Details.DealValue, r.Details.Currency = partnercenter.StatusActive, partnercenter.SubstatusAccepted, &v, "USD"
	}); err != nil {
		t.Fatal(err)
	}
	f.runQueue(t)
	f.srv.CreateUser("kanri@example.com", "管理 花子", db.RoleAccount)
	if _, err := f.srv.DB.ExecContext(f.ctx, `UPDATE users SET lang = 'ja' WHERE email = 'kanri@example.com'`); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []struct{ email, code, title, banner, syncFilter string }{
		{"admin@example.com", "en", "Partner Center", "This lead changed in Partner Center too.", "Partner Center sync"},
		{"kanri@example.com", "ja", "パートナー センター", "このリードはパートナー センターでも変更されています。", "パートナー センターとの同期"},
	} {
		ctx := testkit.Browser(t)
		f.srv.SignIn(t, ctx, lang.email)
		for _, width := range []int64{1366, 390} {
			var h1, banner, status string
			var overflow bool
			err := chromedp.Do(ctx,
				chromedp.EmulateViewport(width, 900),
				chromedp.Navigate(f.srv.URL+"/admin/partner-center"),
				chromedp.WaitVisible(chromedp.CSS(`#pc-connection`)),
				testkit.Into(chromedp.Text(chromedp.CSS(`h1`)), &h1),
				testkit.Eval(`document.documentElement.scrollWidth > document.documentElement.clientWidth + 1`, &overflow),
			)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(h1, lang.title) || overflow {
				t.Errorf("%s %dpx admin page: title %q, horizontal overflow %v", lang.code, width, h1, overflow)
			}
			testkit.Screenshot(t, ctx, fmt.Sprintf("pc-admin-%s-%d", lang.code, width))
			err = chromedp.Do(ctx,
				chromedp.Navigate(fmt.Sprintf("%s/leads/%d", f.srv.URL, leadID)),
				chromedp.WaitVisible(chromedp.CSS(`#pc-conflict`)),
				testkit.Into(chromedp.Text(chromedp.CSS(`#pc-conflict`)), &banner),
				testkit.Into(chromedp.Text(chromedp.CSS(`#pc-status`)), &status),
				testkit.Eval(`document.documentElement.scrollWidth > document.documentElement.clientWidth + 1`, &overflow),
			)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(banner, lang.banner) || !strings.Contains(banner, "99,000") || !strings.Contains(status, lang.title) || overflow {
				t.Errorf("%s %dpx conflict banner: %q (overflow %v)", lang.code, width, banner, overflow)
			}
			testkit.Screenshot(t, ctx, fmt.Sprintf("pc-conflict-%s-%d", lang.code, width))
			// The Qualified tab's filter panel offers the sync state; the lead waits as "conflict".
			var panel string
			err = chromedp.Do(ctx,
				chromedp.Navigate(f.srv.URL+"/leads?tab=qualified&sync=conflict"),
				chromedp.WaitVisible(chromedp.CSS(`#results`)),
				chromedp.Click(chromedp.CSS(`.ws-filter-menu > summary`)),
				chromedp.WaitVisible(chromedp.CSS(`.ws-filter-panel input[name="sync"][value="conflict"]`)),
				chromedp.ScrollIntoView(chromedp.CSS(`.ws-filter-panel input[name="sync"][value="conflict"]`)),
				testkit.Into(chromedp.Text(chromedp.CSS(`.ws-filter-panel`)), &panel),
			)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(panel, lang.syncFilter) {
				t.Errorf("%s %dpx filter panel lacks %q", lang.code, width, lang.syncFilter)
			}
			testkit.Screenshot(t, ctx, fmt.Sprintf("pc-sync-filter-%s-%d", lang.code, width))
		}
	}
}
