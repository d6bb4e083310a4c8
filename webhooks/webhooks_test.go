package webhooks_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"leaddesk/config"
	"leaddesk/db"
	"leaddesk/internal/clock"
	"leaddesk/internal/secretkey"
	"leaddesk/internal/testkit"
	"leaddesk/lead"
	"leaddesk/leads"
	"leaddesk/lifecycle"
	"leaddesk/mail"
	"leaddesk/webhooks"
)

// verifyStandardWebhook checks a request as a receiver following the Standard Webhooks specification
// would, written from the specification and not from the package: the key is the base64 part of
// the whsec_ secret; the signed content is "<webhook-id>.<webhook-timestamp>.<body>"; the header
// holds space-separated "v1,<base64 HMAC-SHA256>" signatures; the timestamp must be within five
// minutes of the receiver's clock.
func verifyStandardWebhook(secret string, h http.Header, body []byte, now time.Time) error {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return fmt.Errorf("secret: %v", err)
	}
	id, ts, sigs := h.Get("webhook-id"), h.Get("webhook-timestamp"), h.Get("webhook-signature")
	if id == "" || ts == "" || sigs == "" {
		return fmt.Errorf("missing headers: id %q ts %q sig %q", id, ts, sigs)
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("timestamp %q", ts)
	}
	if d := now.Sub(time.Unix(sec, 0)); d > 5*time.Minute || d < -5*time.Minute {
		return fmt.Errorf("timestamp %s too far from %s", time.Unix(sec, 0), now)
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + ts + "." + string(body)))
	want := mac.Sum(nil)
	for _, s := range strings.Fields(sigs) {
		version, b64, ok := strings.Cut(s, ",")
		if !ok || version != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(b64)
		if err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return fmt.Errorf("no valid v1 signature in %q", sigs)
}

// hit is one request a receiver got.
type hit struct {
	header http.Header
	body   []byte
}

// receiver is a real HTTP server on loopback that answers with whatever answer says for the n-th
// request (from 1).
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	hits   []hit
	answer func(n int, w http.ResponseWriter, r *http.Request)
}

func newReceiver(t *testing.T, answer func(n int, w http.ResponseWriter, r *http.Request)) *receiver {
	rc := &receiver{answer: answer}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.hits = append(rc.hits, hit{r.Header.Clone(), body})
		n := len(rc.hits)
		rc.mu.Unlock()
		if rc.answer != nil {
			rc.answer(n, w, r)
		}
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) got() []hit {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]hit(nil), rc.hits...)
}

func ok200(int, http.ResponseWriter, *http.Request) {}

type fixture struct {
	d      *db.DB
	clk    *clock.Fake
	store  *webhooks.Store
	svc    *leads.Service
	sender *webhooks.Sender
	admin  lead.Actor
	owner  *db.User
}

func shape(l *lead.Lead) any {
	return map[string]any{"id": l.ID, "leadStatus": l.Status, "outcome": l.Outcome, "version": l.Version, "ownerId": l.OwnerID}
}

// newFixture builds the leads service with the mail notifier and the webhooks subscriber, as main.go
// does, and a sender that may reach loopback (the receivers) and waits timeout per request.
func newFixture(t *testing.T, d *db.DB, timeout time.Duration) *fixture {
	t.Helper()
	if d == nil {
		d = testkit.NewDB(t)
	}
	clk := clock.NewFake(testkit.Epoch)
	seals, err := secretkey.NewSealer([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	st := &webhooks.Store{DB: d, Seals: seals}
	notify := mail.NewNotifier(&config.Config{BaseURL: "https://leads.example.com", Location: time.UTC})
	cfg := &config.Config{BaseURL: "https://leads.example.com", Location: time.UTC}
	sub, err := webhooks.NewSubscriber(cfg, shape)
	if err != nil {
		t.Fatal(err)
	}
	svc := leads.New(d, clk, notify, sub)
	sender := webhooks.NewSender(st, webhooks.Guard{AllowLoopback: true}, timeout, slog.New(slog.NewTextHandler(io.Discard, nil)))
	sender.BaseURL = "https://leads.example.com"
	var owner *db.User
	if u, err := d.UserByEmail(context.Background(), "aki@example.com"); err == nil {
		owner = u
	} else {
		owner = testkit.CreateUser(t, d, "aki@example.com", "Aki", db.RoleAccount, db.RoleReferrals)
	}
	return &fixture{d: d, clk: clk, store: st, svc: svc, sender: sender, admin: owner.LeadActor(), owner: owner}
}

func (f *fixture) endpoint(t *testing.T, url string, events ...string) (*webhooks.Endpoint, string) {
	t.Helper()
	if len(events) == 0 {
		events = webhooks.EventTypes
	}
	e, secret, err := f.store.Create(context.Background(), webhooks.NewEndpoint{Name: "CRM", URL: url, Events: events}, f.owner.ID, f.clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	return e, secret
}

func (f *fixture) receive(t *testing.T, company string) int64 {
	t.Helper()
	l := &lead.Lead{Tab: "marketplace", LeadType: "offer", CTA: "contact_me", Source: "appsource", OfferID: "crm", OfferTitle: "Contoso CRM",
		CustomerCompany: company, ContactFirstName: "Mei", ContactLastName: "Sato", ContactEmail: "mei@" + company + ".example",
		EmailValidity: "valid", CustomerConsent: true}
	id, created, err := f.svc.Receive(context.Background(), lead.Actor{Label: "marketplace"}, l)
	if err != nil || !created {
		t.Fatalf("receive: %v %v", created, err)
	}
	return id
}

func (f *fixture) accept(t *testing.T, id int64) {
	t.Helper()
	if _, err := f.svc.Accept(context.Background(), f.admin, id, 0, lifecycle.Deal{Name: "Deal", Value: 100000, Currency: "JPY"}, nil, nil); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) run(t *testing.T) {
	t.Helper()
	if err := f.sender.Run(context.Background(), f.clk.Now()); err != nil {
		t.Fatal(err)
	}
}

func payloadOf(t *testing.T, h hit) webhooks.Payload {
	t.Helper()
	var p webhooks.Payload
	if err := json.Unmarshal(h.body, &p); err != nil {
		t.Fatalf("body %s: %v", h.body, err)
	}
	return p
}

// A new lead and its acceptance reach the receiver as two signed POSTs that an independent
// Standard Webhooks verifier accepts, in order, with the lead in the body; the log shows them sent.
func TestDeliverySignedAndVerifiable(t *testing.T) {
	f := newFixture(t, nil, 5*time.Second)
	rc := newReceiver(t, ok200)
	e, secret := f.endpoint(t, rc.URL+"/hooks?k=1")
	if !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("secret %q lacks whsec_", secret)
	}
	id := f.receive(t, "fabrikam")
	f.accept(t, id)
	if len(rc.got()) != 0 {
		t.Fatal("delivered before the sender ran")
	}
	f.run(t)
	hits := rc.got()
	if len(hits) != 2 {
		t.Fatalf("receiver got %d requests, want 2", len(hits))
	}
	for i, want := range []string{"lead.created", "lead.accepted"} {
		if err := verifyStandardWebhook(secret, hits[i].header, hits[i].body, f.clk.Now()); err != nil {
			t.Errorf("delivery %d does not verify: %v", i, err)
		}
		if err := verifyStandardWebhook(webhooks.NewSecret(), hits[i].header, hits[i].body, f.clk.Now()); err == nil {
			t.Errorf("delivery %d verifies with another secret", i)
		}
		p := payloadOf(t, hits[i])
		lead, _ := p.Data.Lead.(map[string]any)
		if p.Type != want || p.ID != hits[i].header.Get("webhook-id") || lead["id"] != float64(id) {
			t.Errorf("delivery %d: type %q id %q (header %q) lead %v", i, p.Type, p.ID, hits[i].header.Get("webhook-id"), lead)
		}
	}
	log, err := f.store.Deliveries(context.Background(), e.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 2 || log[0].Status != "sent" || log[0].LastStatus != 200 || log[1].Status != "sent" {
		t.Fatalf("log: %+v", log)
	}
	var sealed string
	if err := f.d.QueryRow(`SELECT secret_sealed FROM webhook_endpoints WHERE id = ?`, e.ID).Scan(&sealed); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sealed, strings.TrimPrefix(secret, "whsec_")) {
		t.Fatal("the secret is stored in clear")
	}
}

// An endpoint that wants only lead.won hears nothing of arrivals.
func TestOnlySubscribedEvents(t *testing.T) {
	f := newFixture(t, nil, 5*time.Second)
	rc := newReceiver(t, ok200)
	f.endpoint(t, rc.URL, "lead.won")
	id := f.receive(t, "fabrikam")
	f.accept(t, id)
	if _, err := f.svc.Won(context.Background(), f.admin, id, 0); err != nil {
		t.Fatal(err)
	}
	f.run(t)
	hits := rc.got()
	if len(hits) != 1 || payloadOf(t, hits[0]).Type != "lead.won" {
		t.Fatalf("got %d deliveries", len(hits))
	}
}

// A receiver that answers 500 and then hangs gets the same delivery again, after the backoff on the
// injected clock, until it answers 200; meanwhile the lead's later change waits behind it.
func TestRetriesAfter500AndTimeoutInOrder(t *testing.T) {
	f := newFixture(t, nil, 300*time.Millisecond)
	rc := newReceiver(t, func(n int, w http.ResponseWriter, r *http.Request) {
		switch n {
		case 1:
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, "database down")
		case 2:
			<-r.Context().Done() // hangs until the sender gives up
		}
	})
	e, _ := f.endpoint(t, rc.URL)
	id := f.receive(t, "fabrikam")
	f.accept(t, id)

	f.run(t) // 500
	if n := len(rc.got()); n != 1 {
		t.Fatalf("first run: %d requests, want 1 (the acceptance must wait behind the arrival)", n)
	}
	log, _ := f.store.Deliveries(context.Background(), e.ID, 10)
	first := log[1]
	if first.Status != "queued" || first.LastStatus != 500 || first.LastResponse != "database down" || !first.NextAt.Equal(f.clk.Now().Add(30*time.Second)) {
		t.Fatalf("after 500: %+v", first)
	}
	f.run(t) // not due yet
	if n := len(rc.got()); n != 1 {
		t.Fatalf("retried before the backoff: %d", n)
	}
	f.clk.Advance(30 * time.Second)
	f.run(t) // hangs → timeout
	log, _ = f.store.Deliveries(context.Background(), e.ID, 10)
	if log[1].Status != "queued" || log[1].LastStatus != 0 || !strings.Contains(log[1].LastError, "Timeout") && !strings.Contains(log[1].LastError, "deadline") {
		t.Fatalf("after a hang: %+v", log[1])
	}
	f.clk.Advance(time.Minute)
	f.run(t)
	hits := rc.got()
	if len(hits) != 4 {
		t.Fatalf("%d requests, want 4", len(hits))
	}
	if hits[0].header.Get("webhook-id") != hits[2].header.Get("webhook-id") || payloadOf(t, hits[2]).Type != "lead.created" || payloadOf(t, hits[3]).Type != "lead.accepted" {
		t.Fatal("retries changed the id or the order")
	}
	log, _ = f.store.Deliveries(context.Background(), e.ID, 10)
	if log[0].Status != "sent" || log[1].Status != "sent" || log[1].Attempts != 3 {
		t.Fatalf("log: %+v %+v", log[0], log[1])
	}
}

// Deliveries queued before a restart all go out after it, each once; one left 'sending' by a sender
// that died mid-request goes again (same webhook-id) only once its lease ran out.
func TestRestartLosesNothing(t *testing.T) {
	path := t.TempDir() + "/leaddesk.db"
	d1, err := db.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, d1, 5*time.Second)
	rc := newReceiver(t, ok200)
	f.endpoint(t, rc.URL)
	for _, c := range []string{"a", "b", "c"} {
		f.receive(t, c)
	}
	// The dead sender had claimed the first delivery with a two-minute lease.
	if _, err := d1.Exec(`UPDATE webhook_deliveries SET status = 'sending', attempts = 1, next_at = ? WHERE id = (SELECT min(id) FROM webhook_deliveries)`,
		f.clk.Now().Add(2*time.Minute).Unix()); err != nil {
		t.Fatal(err)
	}
	d1.Close()

	d2, err := db.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	g := newFixture(t, d2, 5*time.Second)
	g.clk.Set(f.clk.Now())
	g.run(t)
	if n := len(rc.got()); n != 2 {
		t.Fatalf("after restart: %d deliveries, want the 2 not in flight", n)
	}
	g.clk.Advance(2 * time.Minute)
	g.run(t)
	g.run(t)
	seen := map[string]int{}
	for _, h := range rc.got() {
		seen[h.header.Get("webhook-id")]++
	}
	if len(seen) != 3 {
		t.Fatalf("distinct deliveries %d, want 3: %v", len(seen), seen)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s sent %d times", id, n)
		}
	}
}

// An endpoint that fails for 24 hours is stopped, its owner gets a mail through the outbox, and
// later changes are held (not sent) until it is resumed; then they go out.
func TestEndpointStoppedAfter24HoursOwnerTold(t *testing.T) {
	f := newFixture(t, nil, 5*time.Second)
	failing := true
	var mu sync.Mutex
	rc := newReceiver(t, func(n int, w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if failing {
			w.WriteHeader(http.StatusBadGateway)
		}
	})
	e, _ := f.endpoint(t, rc.URL)
	f.receive(t, "fabrikam")
	start := f.clk.Now()
	for f.clk.Now().Sub(start) <= 25*time.Hour {
		f.run(t)
		f.clk.Advance(10 * time.Minute)
	}
	got, err := f.store.Endpoint(context.Background(), e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.DisabledAt == nil || !strings.Contains(got.DisabledReason, "502") {
		t.Fatalf("endpoint not stopped: %+v", got)
	}
	tries := len(rc.got())
	if tries < 10 || tries > 25 {
		t.Errorf("%d attempts in 24 hours; the backoff should give 10–25", tries)
	}
	var to, kind, params string
	if err := f.d.QueryRow(`SELECT to_email, kind, params FROM outbox WHERE kind = 'webhook_disabled'`).Scan(&to, &kind, &params); err != nil {
		t.Fatalf("owner not told: %v", err)
	}
	if to != "aki@example.com" || !strings.Contains(params, "CRM") || strings.Contains(params, rc.URL) {
		t.Fatalf("mail to %s params %s", to, params)
	}
	log, _ := f.store.Deliveries(context.Background(), e.ID, 10)
	if log[0].Status != "failed" {
		t.Fatalf("the delivery should be given up after 24 hours: %+v", log[0])
	}

	mu.Lock()
	failing = false
	mu.Unlock()
	f.receive(t, "contoso")
	f.run(t)
	if len(rc.got()) != tries {
		t.Fatal("a stopped endpoint got a delivery")
	}
	if err := f.store.Enable(context.Background(), e.ID, f.owner.ID, f.clk.Now()); err != nil {
		t.Fatal(err)
	}
	f.run(t)
	hits := rc.got()
	if len(hits) != tries+1 || payloadOf(t, hits[len(hits)-1]).Type != "lead.created" {
		t.Fatalf("held delivery not sent after resuming: %d", len(hits))
	}
	// Redeliver the given-up one.
	if err := f.store.Redeliver(context.Background(), e.ID, log[0].ID, f.clk.Now()); err != nil {
		t.Fatal(err)
	}
	f.run(t)
	if len(rc.got()) != tries+2 {
		t.Fatal("redeliver sent nothing")
	}
}

// Private, loopback, link-local and metadata targets are refused when saved; a target that passes
// but dials a loopback address (as DNS rebinding would make it) is refused at dial time and the
// failure recorded; a redirect is not followed; a huge answer is cut to the excerpt.
func TestSSRFGuard(t *testing.T) {
	ctx := context.Background()
	strict := webhooks.Guard{}
	for _, u := range []string{"http://example.com/hook", "https://127.0.0.1/x", "https://localhost/x", "https://10.1.2.3/x",
		"https://192.168.0.10/x", "https://169.254.169.254/latest/meta-data", "https://[::1]/x", "https://[fd00:ec2::254]/x",
		"https://100.100.100.200/x", "https://[::ffff:10.0.0.1]/x", "ftp://example.com/x", "https://user:pw@example.com/x", "/relative"} {
		if err := strict.CheckURL(ctx, u); err == nil {
			t.Errorf("%s accepted", u)
		}
	}
	dev := webhooks.Guard{AllowLoopback: true}
	if err := dev.CheckURL(ctx, "http://127.0.0.1:8080/x"); err != nil {
		t.Errorf("loopback refused with loopback allowed: %v", err)
	}
	if err := dev.CheckURL(ctx, "http://10.0.0.1/x"); err == nil {
		t.Error("plain http to a private address accepted")
	}

	f := newFixture(t, nil, 5*time.Second)
	f.sender = webhooks.NewSender(f.store, strict, 5*time.Second, slog.New(slog.NewTextHandler(io.Discard, nil)))
	rc := newReceiver(t, ok200)
	e, _ := f.endpoint(t, strings.Replace(rc.URL, "http://", "https://", 1))
	f.receive(t, "fabrikam")
	f.run(t)
	log, _ := f.store.Deliveries(ctx, e.ID, 1)
	if len(rc.got()) != 0 || log[0].Status != "queued" || !strings.Contains(log[0].LastError, "loopback") {
		t.Fatalf("dial-time guard: hits %d, log %+v", len(rc.got()), log[0])
	}

	g := newFixture(t, nil, 5*time.Second)
	target := newReceiver(t, ok200)
	redirect := newReceiver(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL, http.StatusTemporaryRedirect)
	})
	huge := newReceiver(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Repeat("é", 1<<20))
	})
	re, _ := g.endpoint(t, redirect.URL)
	he, _ := g.endpoint(t, huge.URL)
	g.receive(t, "fabrikam")
	g.run(t)
	rl, _ := g.store.Deliveries(ctx, re.ID, 1)
	if len(target.got()) != 0 || rl[0].Status != "queued" || rl[0].LastStatus != 307 || !strings.Contains(rl[0].LastError, "redirect") {
		t.Fatalf("redirect: target hits %d, log %+v", len(target.got()), rl[0])
	}
	hl, _ := g.store.Deliveries(ctx, he.ID, 1)
	if hl[0].Status != "sent" || len(hl[0].LastResponse) > webhooks.ResponseExcerpt || !strings.HasPrefix(hl[0].LastResponse, "éé") {
		t.Fatalf("huge answer: status %s, excerpt %d bytes", hl[0].Status, len(hl[0].LastResponse))
	}
}

// Teams and Slack channels get compact cards — a flame lead, a lead about to expire, a won deal —
// in their own format and language, with a link to the lead, unsigned, and without the customer's
// contact details unless the channel was given them; informational leads post nothing.
func TestChannelCards(t *testing.T) {
	f := newFixture(t, nil, 5*time.Second)
	teams := newReceiver(t, func(_ int, w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusAccepted) })
	slack := newReceiver(t, func(_ int, w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") })
	ctx := context.Background()
	// The channel's own contact setting counts only with "mail without personal data" off.
	if err := f.d.SavePrivacySettings(ctx, db.PrivacySettings{MailWithoutPersonalData: false}, 0, f.clk.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.CreateChannel(ctx, webhooks.NewChannel{Kind: "teams", Name: "Sales", URL: teams.URL, Events: webhooks.ChannelEvents, Lang: "ja"}, f.owner.ID, f.clk.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.CreateChannel(ctx, webhooks.NewChannel{Kind: "slack", Name: "#deals", URL: slack.URL, Events: []string{"flame", "won"}, Lang: "en", IncludeContact: true}, f.owner.ID, f.clk.Now()); err != nil {
		t.Fatal(err)
	}
	flame := f.receive(t, "Fabrikam <!channel>")
	if _, _, err := f.svc.Receive(ctx, lead.Actor{Label: "marketplace"}, &lead.Lead{Tab: "marketplace", LeadType: "offer", CTA: "free_trial",
		Source: "appsource", OfferID: "crm", CustomerCompany: "Quiet Co", ContactEmail: "q@quiet.example"}); err != nil {
		t.Fatal(err)
	}
	f.accept(t, flame)
	if _, err := f.svc.Won(ctx, f.admin, flame, 0); err != nil {
		t.Fatal(err)
	}
	other := f.receive(t, "Contoso")
	answered := f.receive(t, "Northwind")
	// Two days before their expiry both are reminded; their cards wait for 24 hours before it.
	f.clk.Advance(12*24*time.Hour + time.Hour)
	if n, err := f.svc.RemindExpiring(ctx, f.clk.Now()); err != nil || n != 2 {
		t.Fatalf("reminded %d, %v", n, err)
	}
	f.run(t)
	if len(teams.got()) != 4 || len(slack.got()) != 4 {
		t.Fatalf("before the 24 hours: teams %d posts (want 3 flames and a won deal), slack %d", len(teams.got()), len(slack.got()))
	}
	f.accept(t, answered)
	f.clk.Advance(23 * time.Hour)
	f.run(t)

	th, sh := teams.got(), slack.got()
	if len(th) != 5 || len(sh) != 4 {
		t.Fatalf("teams got %d posts (want 3 flames, won, 1 expiring), slack %d (want 3 flames, won)", len(th), len(sh))
	}
	for _, h := range append(th, sh...) {
		if h.header.Get("webhook-signature") != "" {
			t.Error("a channel post is signed with a webhook secret")
		}
	}
	if strings.Contains(string(th[4].body), "Northwind") {
		t.Error("an answered lead was posted as expiring")
	}
	var skipped int
	f.d.QueryRow(`SELECT count(*) FROM webhook_deliveries WHERE status = 'skipped' AND lead_id = ?`, answered).Scan(&skipped)
	if skipped != 1 {
		t.Errorf("the answered lead's expiry card is not marked skipped in the log (%d)", skipped)
	}
	var card struct {
		Type        string `json:"type"`
		Attachments []struct {
			ContentType string `json:"contentType"`
			Content     struct {
				Type    string `json:"type"`
				Body    []map[string]any
				Actions []map[string]any
			} `json:"content"`
		} `json:"attachments"`
	}
	if err := json.Unmarshal(th[0].body, &card); err != nil || card.Type != "message" || card.Attachments[0].ContentType != "application/vnd.microsoft.card.adaptive" ||
		card.Attachments[0].Content.Type != "AdaptiveCard" {
		t.Fatalf("not an Adaptive Card message: %s", th[0].body)
	}
	if title := card.Attachments[0].Content.Body[0]["text"].(string); !strings.Contains(title, "Fabrikam") || !strings.Contains(title, "連絡の希望") {
		t.Errorf("Japanese flame title: %q", title)
	}
	if url := card.Attachments[0].Content.Actions[0]["url"]; url != fmt.Sprintf("https://leads.example.com/leads/%d", flame) {
		t.Errorf("link %v", url)
	}
	if strings.Contains(string(th[0].body), "mei@") {
		t.Error("Teams card shows the contact's email without being allowed to")
	}
	find := func(hits []hit, want string) string {
		for _, h := range hits {
			if strings.Contains(string(h.body), want) {
				return string(h.body)
			}
		}
		t.Fatalf("no post contains %q", want)
		return ""
	}
	if exp := find(th, "期限切れ"); !strings.Contains(exp, fmt.Sprint("/leads/", other)) {
		t.Errorf("expiring card: %s", exp)
	}
	var msg struct {
		Text   string           `json:"text"`
		Blocks []map[string]any `json:"blocks"`
	}
	if err := json.Unmarshal(sh[0].body, &msg); err != nil || len(msg.Blocks) != 3 || msg.Blocks[2]["type"] != "actions" {
		t.Fatalf("not a Block Kit message: %s", sh[0].body)
	}
	if !strings.Contains(msg.Text, "Fabrikam &lt;!channel&gt;") || !strings.Contains(string(sh[0].body), "mei@") {
		t.Errorf("Slack card: the mention must be escaped, the contact shown as allowed: %s", sh[0].body)
	}
	if won := find(sh, "Deal won"); !strings.Contains(won, "JPY 100,000") {
		t.Errorf("won card: %s", won)
	}
}

// TestChannelCardsWithoutPersonalData: with "mail without personal data" on (a new install), a
// channel allowed to show the contact still gets cards with the company and the link only.
func TestChannelCardsWithoutPersonalData(t *testing.T) {
	f := newFixture(t, nil, 5*time.Second)
	slack := newReceiver(t, func(_ int, w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") })
	ctx := context.Background()
	if _, err := f.store.CreateChannel(ctx, webhooks.NewChannel{Kind: "slack", Name: "#deals", URL: slack.URL, Events: []string{"flame"}, Lang: "en", IncludeContact: true}, f.owner.ID, f.clk.Now()); err != nil {
		t.Fatal(err)
	}
	id := f.receive(t, "Fabrikam")
	f.run(t)
	got := slack.got()
	if len(got) != 1 {
		t.Fatalf("%d posts, want 1", len(got))
	}
	body := string(got[0].body)
	if strings.Contains(body, "mei@") || !strings.Contains(body, "Fabrikam") || !strings.Contains(body, fmt.Sprint("/leads/", id)) {
		t.Errorf("card with personal data off: %s", body)
	}
}

// Assigning an owner reaches an endpoint that asked for lead.assigned, with the new owner in the lead.
func TestOwnerChangeIsSentAsLeadAssigned(t *testing.T) {
	f := newFixture(t, nil, 5*time.Second)
	rc := newReceiver(t, ok200)
	f.endpoint(t, rc.URL, "lead.assigned")
	id := f.receive(t, "fabrikam")
	if _, err := f.svc.AssignOwner(context.Background(), f.admin, id, 0, f.owner.ID); err != nil {
		t.Fatal(err)
	}
	f.run(t)
	hits := rc.got()
	if len(hits) != 1 {
		t.Fatalf("got %d deliveries, want the one lead.assigned", len(hits))
	}
	p := payloadOf(t, hits[0])
	l, _ := p.Data.Lead.(map[string]any)
	if p.Type != "lead.assigned" || l["ownerId"] != float64(f.owner.ID) {
		t.Fatalf("delivery: type %q, lead %v", p.Type, l)
	}
}
