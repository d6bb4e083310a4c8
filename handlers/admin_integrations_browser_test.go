package handlers_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"leaddesk/db"
	"leaddesk/internal/secretkey"
	"leaddesk/internal/testkit"
	"leaddesk/lead"
	"leaddesk/webhooks"
)

// TestBrowserAdminIntegrations: Admin › Integrations and an endpoint's delivery log, in English and
// Japanese, on a laptop and a phone: every state reads in words (active, failing, stopped; delivered,
// queued with its next try, given up), and nothing is wider than the phone's screen.
func TestBrowserAdminIntegrations(t *testing.T) {
	s := testkit.NewServer(t, withWebhooks)
	ctx := context.Background()
	en := s.CreateUser("aya@example.com", "Aya Mori", db.RoleAccount)
	ja := s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleAccount)
	if err := s.DB.SetUserLang(ctx, ja.ID, "ja"); err != nil {
		t.Fatal(err)
	}
	good := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"ok":true}`) }))
	defer good.Close()
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, `{"error":"crm database unavailable"}`)
	}))
	defer bad.Close()
	master, err := secretkey.Load(ctx, s.Cfg, s.DB)
	if err != nil {
		t.Fatal(err)
	}
	seals, _ := secretkey.NewSealer(master)
	st := &webhooks.Store{DB: s.DB, Seals: seals}
	crm, _, _ := st.Create(ctx, webhooks.NewEndpoint{Name: "Dynamics 365 sync", URL: good.URL + "/hooks/leaddesk?key=secret", Events: webhooks.EventTypes}, en.ID, s.Clock.Now())
	flow, _, _ := st.Create(ctx, webhooks.NewEndpoint{Name: "Power Automate flow", URL: bad.URL + "/flow", Events: []string{"lead.created", "lead.won"}}, en.ID, s.Clock.Now())
	old, _, _ := st.Create(ctx, webhooks.NewEndpoint{Name: "Old intranet", URL: bad.URL + "/old", Events: []string{"lead.accepted"}}, en.ID, s.Clock.Now())
	if _, err := st.CreateChannel(ctx, webhooks.NewChannel{Kind: "teams", Name: "Sales channel", URL: good.URL + "/workflows/x?sig=secret", Events: []string{"flame", "won"}, Lang: "ja"}, en.ID, s.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB.Exec(`UPDATE webhook_endpoints SET disabled_at = ?, disabled_reason = 'HTTP 500' WHERE id = ?`, s.Clock.Now().Unix(), old.ID); err != nil {
		t.Fatal(err)
	}
	for i, company := range []string{"Fabrikam", "Contoso KK", "Northwind"} {
		if _, _, err := s.Leads.Receive(ctx, lead.Actor{Label: "marketplace"}, &lead.Lead{Tab: "marketplace", LeadType: "offer", CTA: "contact_me",
			Source: "appsource", OfferID: fmt.Sprint("crm", i), CustomerCompany: company, ContactFirstName: "Mei", ContactEmail: fmt.Sprintf("mei%d@example.com", i)}); err != nil {
			t.Fatal(err)
		}
	}
	sender, err := webhooks.NewSenderFor(s.Cfg, s.DB, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if err := sender.Run(ctx, s.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	_ = crm

	b := testkit.Browser(t)
	for _, who := range []struct{ email, lang, want string }{{"aya@example.com", "en", "Failing since"}, {"aiko@example.com", "ja", "から失敗中"}} {
		if who.lang == "ja" {
			b = testkit.Browser(t)
		}
		s.SignIn(t, b, who.email)
		for _, page := range []struct{ path, name, want string }{
			{"/admin/integrations", "list", who.want},
			{fmt.Sprintf("/admin/integrations/%d", flow.ID), "log", map[string]string{"en": "Queued", "ja": "送信待ち"}[who.lang]},
		} {
			for _, w := range []int64{1366, 390} {
				var text string
				var overflow bool
				err := chromedp.Do(b,
					chromedp.EmulateViewport(w, 900),
					chromedp.Navigate(s.URL+page.path),
					chromedp.WaitVisible(chromedp.CSS(`main h1`)),
					testkit.Into(chromedp.Text(chromedp.CSS(`main`)), &text),
					testkit.Eval(`document.documentElement.scrollWidth > window.innerWidth`, &overflow),
				)
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(text, page.want) {
					t.Errorf("%s %s: page lacks %q", who.lang, page.path, page.want)
				}
				if strings.Contains(text, "=secret") {
					t.Errorf("%s %s shows the target URL's query", who.lang, page.path)
				}
				if overflow {
					t.Errorf("%s %s at %d px is wider than the screen", who.lang, page.path, w)
				}
				testkit.Screenshot(t, b, fmt.Sprintf("integrations-%s-%s-%d", page.name, who.lang, w))
			}
		}
	}
	_ = time.Second
}
