package handlers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"leaddesk/db"
	"leaddesk/internal/testkit"
	"leaddesk/lead"
)

// TestBrowserAdminPrivacy: Admin › Privacy in English and Japanese, on a laptop and a phone, with a
// person found: the preview names what happens to each record, the retention rules and the mail
// setting read in words, and nothing is wider than the phone's screen.
func TestBrowserAdminPrivacy(t *testing.T) {
	s := testkit.NewServer(t)
	ctx := context.Background()
	s.CreateUser("aya@example.com", "Aya Mori", db.RoleAccount)
	ja := s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleAccount)
	if err := s.DB.SetUserLang(ctx, ja.ID, "ja"); err != nil {
		t.Fatal(err)
	}
	for i, company := range []string{"Fabrikam", "Contoso KK"} {
		if _, _, err := s.Leads.Receive(ctx, lead.Actor{Label: "marketplace"}, &lead.Lead{Tab: "marketplace", LeadType: "offer", CTA: "contact_me",
			Source: "appsource", OfferID: fmt.Sprint("crm", i), CustomerCompany: company, Country: "JP", ContactFirstName: "Mei",
			ContactEmail: "mei.sato@customer.example"}); err != nil {
			t.Fatal(err)
		}
	}
	b := testkit.Browser(t)
	for _, who := range []struct{ email, lang, want string }{{"aya@example.com", "en", "Anonymised"}, {"aiko@example.com", "ja", "匿名化"}} {
		if who.lang == "ja" {
			b = testkit.Browser(t)
		}
		s.SignIn(t, b, who.email)
		for _, w := range []int64{1366, 390} {
			var text string
			var overflow bool
			err := chromedp.Do(b,
				chromedp.EmulateViewport(w, 900),
				chromedp.Navigate(s.URL+"/admin/privacy"),
				chromedp.WaitVisible(chromedp.CSS(`#privacy-email`)),
				chromedp.SendKeys(chromedp.CSS(`#privacy-email`), "mei.sato@customer.example"),
				chromedp.Submit(chromedp.CSS(`#privacy-email`)),
				chromedp.WaitVisible(chromedp.CSS(`#privacy-preview`)),
				testkit.Into(chromedp.Text(chromedp.CSS(`main`)), &text),
				testkit.Eval(`document.documentElement.scrollWidth > window.innerWidth`, &overflow),
			)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(text, who.want) || !strings.Contains(text, "Contoso KK") || strings.Contains(text, "⟦") {
				t.Errorf("%s at %d: the preview lacks %q or a lead", who.lang, w, who.want)
			}
			if overflow {
				t.Errorf("%s Admin › Privacy at %d px is wider than the screen", who.lang, w)
			}
			testkit.Screenshot(t, b, fmt.Sprintf("privacy-%s-%d", who.lang, w))
		}
	}
}
