package handlers_test

import (
	"context"
	"encoding/base64"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"leaddesk/db"
	"leaddesk/handlers"
	"leaddesk/internal/testkit"
	"leaddesk/lead"
	"leaddesk/leads"
	"leaddesk/mail"
	"leaddesk/webhooks"
)

// withWebhooks builds the server's leads service with the webhooks subscriber, as main.go does, and
// lets endpoints be loopback receivers (LEADDESK_WEBHOOKS_ALLOW_LOOPBACK=1).
func withWebhooks(deps *handlers.Deps) {
	deps.Cfg.WebhooksAllowLoopback = true
	hooks, err := webhooks.NewSubscriber(deps.Cfg, handlers.APILead)
	if err != nil {
		panic(err)
	}
	deps.Leads = leads.New(deps.DB, deps.Clock, mail.NewNotifier(deps.Cfg), hooks)
}

// hookReceiver is a loopback HTTP receiver that keeps what it got.
type hookReceiver struct {
	*httptest.Server
	mu   sync.Mutex
	ids  []string
	body []string
}

func newHookReceiver(t *testing.T) *hookReceiver {
	rc := &hookReceiver{}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.ids = append(rc.ids, r.Header.Get("webhook-id"))
		rc.body = append(rc.body, string(b))
		rc.mu.Unlock()
		io.WriteString(w, "thanks")
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *hookReceiver) got() ([]string, []string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]string(nil), rc.ids...), append([]string(nil), rc.body...)
}

// An Account admin adds an endpoint (bad input answers 422 naming each field, private targets are
// refused), sees its whsec_ secret once, and after a lead arrives sees the delivery in the log with
// its status and the receiver's answer, and can redeliver it; other roles cannot open the page.
func TestAdminIntegrationsEndpointLifecycle(t *testing.T) {
	s := testkit.NewServer(t, withWebhooks)
	s.CreateUser("root@example.com", "Rika Admin", db.RoleAccount)
	s.CreateUser("ref@example.com", "Ren Referrals", db.RoleReferrals)
	c := s.Client()
	c.Login("root@example.com")
	if res := c.Get("/admin/integrations"); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "No endpoints yet") {
		t.Fatalf("empty page: %d", res.StatusCode)
	}
	res := c.PostForm("/admin/integrations", url.Values{"name": {""}, "url": {"http://10.0.0.7/hook"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "Enter a name") ||
		!strings.Contains(res.Body, "private or internal") || !strings.Contains(res.Body, "Choose at least one event") {
		t.Fatalf("bad form: %d\n%s", res.StatusCode, res.Body)
	}
	for _, u := range []string{"https://169.254.169.254/latest/meta-data", "ftp://example.com/x", "not a url"} {
		res := c.PostForm("/admin/integrations", url.Values{"name": {"x"}, "url": {u}, "events": {"lead.created"}})
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d", u, res.StatusCode)
		}
	}
	rc := newHookReceiver(t)
	res = c.PostForm("/admin/integrations", url.Values{"name": {"CRM sync"}, "url": {rc.URL + "/hooks"}, "events": {"lead.created", "lead.won"}})
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d\n%s", res.StatusCode, res.Body)
	}
	m := regexp.MustCompile(`<code id="new-secret">(whsec_[^<]+)</code>`).FindStringSubmatch(res.Body)
	if m == nil {
		t.Fatalf("the secret is not shown:\n%s", res.Body)
	}
	secret := html.UnescapeString(m[1])
	if _, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_")); err != nil {
		t.Fatalf("secret %q is not whsec_ and base64: %v", secret, err)
	}
	list := c.Get("/admin/integrations")
	if strings.Contains(html.UnescapeString(list.Body), secret) || !strings.Contains(list.Body, "CRM sync") || !strings.Contains(list.Body, "Active") {
		t.Fatal("the list shows the secret again, or lacks the endpoint")
	}

	id, _, err := s.Leads.Receive(context.Background(), lead.Actor{Label: "marketplace"}, &lead.Lead{Tab: "marketplace", LeadType: "offer",
		CTA: "contact_me", Source: "appsource", OfferID: "crm", CustomerCompany: "Fabrikam", ContactFirstName: "Mei", ContactEmail: "mei@fabrikam.example"})
	if err != nil {
		t.Fatal(err)
	}
	sender, err := webhooks.NewSenderFor(s.Cfg, s.DB, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if err := sender.Run(context.Background(), s.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	ids, bodies := rc.got()
	if len(ids) != 1 || !strings.Contains(bodies[0], `"type":"lead.created"`) || !strings.Contains(bodies[0], `"customerProfile"`) ||
		!strings.Contains(bodies[0], `"id":`+itoa(id)) {
		t.Fatalf("receiver got %v %v", ids, bodies)
	}
	eps, _ := (&webhooks.Store{DB: s.DB}).Endpoints(context.Background())
	logPage := c.Get("/admin/integrations/" + itoa(eps[0].ID))
	if logPage.StatusCode != http.StatusOK || !strings.Contains(logPage.Body, "Delivered") || !strings.Contains(logPage.Body, ">200<") ||
		!strings.Contains(logPage.Body, "thanks") || !strings.Contains(logPage.Body, ids[0]) {
		t.Fatalf("delivery log:\n%s", logPage.Body)
	}
	redeliver := regexp.MustCompile(`action="(/admin/integrations/\d+/deliveries/\d+/redeliver)"`).FindStringSubmatch(logPage.Body)
	if redeliver == nil {
		t.Fatal("no redeliver button")
	}
	if res := c.PostForm(redeliver[1], nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("redeliver: %d", res.StatusCode)
	}
	if err := sender.Run(context.Background(), s.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	if ids, _ := rc.got(); len(ids) != 2 || ids[1] != ids[0] {
		t.Fatalf("redelivery: %v", ids)
	}

	// A Teams channel: the kind, a language and at least one event are required.
	if res := c.PostForm("/admin/integrations/channels", url.Values{"name": {"Sales"}, "url": {rc.URL}, "lang": {"xx"}}); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(res.Body, "Choose Microsoft Teams or Slack") || !strings.Contains(res.Body, "Choose a language") || !strings.Contains(res.Body, "Choose at least one event") {
		t.Fatalf("bad channel form: %d", res.StatusCode)
	}
	if res := c.PostForm("/admin/integrations/channels", url.Values{"kind": {"teams"}, "name": {"Sales"}, "url": {rc.URL + "/workflows/abc?sig=xyz"},
		"events": {"flame", "won"}, "lang": {"ja"}}); res.StatusCode != http.StatusCreated || !strings.Contains(res.Body, "Channel “Sales” added") ||
		!strings.Contains(res.Body, "Microsoft Teams ·") || strings.Contains(res.Body, "sig=xyz") {
		t.Fatalf("channel: %d", res.StatusCode)
	}

	ja := c.Get("/admin/integrations", "Accept-Language", "ja")
	if !strings.Contains(ja.Body, "外部連携") {
		t.Error("no Japanese page")
	}
	r := s.Client()
	r.Login("ref@example.com")
	if res := r.Get("/admin/integrations"); res.StatusCode != http.StatusForbidden {
		t.Errorf("Referrals admin: %d", res.StatusCode)
	}
	if res := c.PostForm("/admin/integrations/"+itoa(eps[0].ID)+"/delete", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete: %d", res.StatusCode)
	}
	if strings.Contains(c.Get("/admin/integrations").Body, ">CRM sync</a>") {
		t.Error("endpoint not deleted")
	}
	audit := c.Get("/admin/audit").Body
	for _, want := range []string{"webhook.create", "webhook.delete", "CRM sync", "Sales"} {
		if !strings.Contains(audit, want) {
			t.Errorf("the audit log lacks %q", want)
		}
	}
}
