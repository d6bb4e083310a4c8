package partnercenter_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"leaddesk/internal/clock"
	"leaddesk/partnercenter"
	"leaddesk/partnercenter/pcsim"
)

// rig is a simulator on loopback and a client connected to it the way an admin connects.
type rig struct {
	sim    *pcsim.Sim
	srv    *httptest.Server
	client *partnercenter.Client
	mu     sync.Mutex
	stored []string // refresh tokens handed to OnRefreshToken, as the app would store them
}

func (r *rig) lastStored() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.stored) == 0 {
		return ""
	}
	return r.stored[len(r.stored)-1]
}

func newClient(t testing.TB, sim *pcsim.Sim, srv *httptest.Server, r *rig, edit func(*partnercenter.Config)) *partnercenter.Client {
	t.Helper()
	o := sim.Options()
	cfg := partnercenter.Config{
		Tenant: o.Tenant, ClientID: o.ClientID, ClientSecret: o.ClientSecret,
		RedirectURL: "http://127.0.0.1:1/admin/partnercenter/callback",
		Authority:   srv.URL + "/{tenant}", APIBase: srv.URL, HTTPClient: srv.Client(),
		OnRefreshToken: func(_ context.Context, tok string) error {
			r.mu.Lock()
			r.stored = append(r.stored, tok)
			r.mu.Unlock()
			return nil
		},
	}
	if edit != nil {
		edit(&cfg)
	}
	c, err := partnercenter.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// connect starts a simulator and connects a client: authorize with PKCE, consent, code exchange.
func connect(t testing.TB, simOpts pcsim.Options, edit func(*partnercenter.Config)) *rig {
	t.Helper()
	sim, srv := pcsim.NewServer(simOpts)
	t.Cleanup(srv.Close)
	r := &rig{sim: sim, srv: srv}
	r.client = newClient(t, sim, srv, r, edit)
	ar, err := r.client.StartAuth()
	if err != nil {
		t.Fatal(err)
	}
	code, state, err := pcsim.Consent(srv.Client(), ar.URL)
	if err != nil {
		t.Fatal(err)
	}
	if !partnercenter.StateMatches(ar.State, state) {
		t.Fatalf("state came back as %q, want %q", state, ar.State)
	}
	if err := r.client.Exchange(context.Background(), code, ar.Verifier); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestConnectWithPKCE(t *testing.T) {
	r := connect(t, pcsim.Options{}, nil)
	if r.lastStored() == "" || !r.client.Connected() {
		t.Fatal("after the code exchange no refresh token was handed over for storage")
	}
	if _, err := r.client.Get(context.Background(), "missing"); !errors.Is(err, partnercenter.ErrNotFound) {
		t.Fatalf("an authenticated call to a missing referral: got %v, want ErrNotFound", err)
	}

	ar, err := r.client.StartAuth()
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(ar.URL)
	q := u.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") != partnercenter.PKCEChallenge(ar.Verifier) ||
		q.Get("state") != ar.State || !strings.Contains(q.Get("scope"), "offline_access") || strings.Contains(ar.URL, ar.Verifier) {
		t.Fatalf("authorize URL %s does not carry an S256 challenge, the state and offline_access (or leaks the verifier)", ar.URL)
	}
	code, _, err := pcsim.Consent(r.srv.Client(), ar.URL)
	if err != nil {
		t.Fatal(err)
	}
	err = r.client.Exchange(context.Background(), code, "a-verifier-that-is-not-the-one-of-this-request-0123456789")
	if err == nil || !strings.Contains(err.Error(), "Code_Verifier") {
		t.Fatalf("a wrong PKCE verifier: got %v, want the refusal", err)
	}
	if strings.Contains(err.Error(), r.sim.Options().ClientSecret) || strings.Contains(err.Error(), code) {
		t.Fatalf("error %q shows a secret", err)
	}
}

func TestRefreshTokenRotatesAndOldOneDies(t *testing.T) {
	r := connect(t, pcsim.Options{}, nil)
	first := r.lastStored()
	r.sim.ExpireAccessTokens() // the next call gets a 401 and must refresh once
	r.sim.Seed(1, 1)
	for page, err := range r.client.List(context.Background(), time.Time{}) {
		if err != nil {
			t.Fatalf("after a 401 the client should refresh and retry: %v", err)
		}
		if len(page.Referrals) != 1 {
			t.Fatalf("got %d referrals, want 1", len(page.Referrals))
		}
	}
	second := r.lastStored()
	if second == "" || second == first {
		t.Fatal("the rotated refresh token was not handed over for storage")
	}
	// A client restarted with the superseded token must reconnect; with the stored one it works.
	stale := newClient(t, r.sim, r.srv, r, func(c *partnercenter.Config) { c.RefreshToken = first })
	if _, err := stale.Get(context.Background(), "x"); !errors.Is(err, partnercenter.ErrGrantRevoked) {
		t.Fatalf("the superseded refresh token: got %v, want ErrGrantRevoked", err)
	}
	fresh := newClient(t, r.sim, r.srv, r, func(c *partnercenter.Config) { c.RefreshToken = second })
	if _, err := fresh.Get(context.Background(), "x"); !errors.Is(err, partnercenter.ErrNotFound) {
		t.Fatalf("the stored refresh token: got %v, want a working call (404)", err)
	}
}

func TestAccessTokenCachedUntilShortlyBeforeExpiry(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	r := connect(t, pcsim.Options{Clock: clk, AccessTokenTTL: time.Hour}, func(c *partnercenter.Config) { c.Clock = clk })
	ctx := context.Background()
	base := r.sim.Stats().TokenCalls
	for range 5 {
		_, _ = r.client.Get(ctx, "x")
	}
	if got := r.sim.Stats().TokenCalls - base; got != 0 {
		t.Fatalf("%d token calls for five API calls within the token's life, want 0", got)
	}
	clk.Set(clk.Now().Add(59 * time.Minute)) // within the last two minutes: replaced before it expires
	_, _ = r.client.Get(ctx, "x")
	if got := r.sim.Stats().TokenCalls - base; got != 1 {
		t.Fatalf("%d token calls near expiry, want 1", got)
	}
}

func TestRevokedGrantIsReconnect(t *testing.T) {
	var logMu sync.Mutex
	var logs []partnercenter.CallLog
	r := connect(t, pcsim.Options{}, func(c *partnercenter.Config) {
		c.OnCall = func(l partnercenter.CallLog) { logMu.Lock(); logs = append(logs, l); logMu.Unlock() }
	})
	r.sim.Revoke()
	_, err := r.client.Get(context.Background(), "x")
	if !errors.Is(err, partnercenter.ErrGrantRevoked) {
		t.Fatalf("got %v, want ErrGrantRevoked", err)
	}
	if retry, _ := partnercenter.IsRetryable(err); retry {
		t.Fatal("a revoked grant must not be retried")
	}
	logMu.Lock()
	defer logMu.Unlock()
	if len(logs) < 3 || logs[len(logs)-1].Status != http.StatusBadRequest {
		t.Fatalf("call log %+v should hold the authorize exchange and the refused refresh", logs)
	}
	for _, secret := range []string{r.sim.Options().ClientSecret, r.lastStored()} {
		if strings.Contains(err.Error(), secret) {
			t.Fatalf("error %q shows a secret", err)
		}
		for _, l := range logs {
			if strings.Contains(l.Path+l.Err, secret) {
				t.Fatalf("call log %+v shows a secret", l)
			}
		}
	}
}

func TestEveryCallHasATimeout(t *testing.T) {
	r := connect(t, pcsim.Options{}, func(c *partnercenter.Config) { c.Timeout = 100 * time.Millisecond })
	// An API that never answers: the handler waits until the client gives up.
	stuck := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, req *http.Request) { <-req.Context().Done() }))
	defer stuck.Close()
	c := newClient(t, r.sim, r.srv, r, func(c *partnercenter.Config) {
		c.APIBase, c.RefreshToken, c.Timeout = stuck.URL, r.lastStored(), 100*time.Millisecond
	})
	start := time.Now()
	_, err := c.Get(context.Background(), "x")
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
		t.Fatalf("got %v after %s, want a deadline error after about 100ms", err, time.Since(start))
	}
	if retry, _ := partnercenter.IsRetryable(err); !retry {
		t.Fatal("a timeout should be retried later")
	}
}

// pullAll drains List and returns the referrals, the invalid ones and the number of pages.
func pullAll(t testing.TB, c *partnercenter.Client, since time.Time) ([]partnercenter.Referral, []partnercenter.InvalidReferral, int) {
	t.Helper()
	var refs []partnercenter.Referral
	var bad []partnercenter.InvalidReferral
	pages := 0
	for page, err := range c.List(context.Background(), since) {
		if err != nil {
			t.Fatal(err)
		}
		pages++
		refs = append(refs, page.Referrals...)
		bad = append(bad, page.Invalid...)
	}
	return refs, bad, pages
}

func TestPullThousandReferralsOverPages(t *testing.T) {
	r := connect(t, pcsim.Options{}, nil)
	r.sim.Seed(1000, 7)
	refs, bad, pages := pullAll(t, r.client, time.Time{})
	if len(refs) != 1000 || len(bad) != 0 || pages != 10 {
		t.Fatalf("got %d referrals (%d invalid) on %d pages, want 1000 on 10", len(refs), len(bad), pages)
	}
	seen := map[string]bool{}
	leads := 0
	for i, ref := range refs {
		if seen[ref.ID] {
			t.Fatalf("referral %s came twice", ref.ID)
		}
		seen[ref.ID] = true
		if i > 0 && !ref.UpdatedDateTime.After(refs[i-1].UpdatedDateTime.Time) {
			t.Fatalf("referral %d is not later than the one before: the watermark would miss changes", i)
		}
		if partnercenter.IsQualifiedLead(ref) {
			leads++
		}
	}
	if leads < 800 || leads == 1000 {
		t.Fatalf("%d of 1000 seeded referrals are qualified leads; the seed should mix in co-sell and marketplace ones", leads)
	}

	// An incremental pull from the last watermark brings exactly what changed since.
	mark := refs[len(refs)-1].UpdatedDateTime.Time
	changed, err := r.sim.ChangeAsMicrosoft(refs[10].ID, func(ref *partnercenter.Referral) {
		ref.Status, ref.Substatus = partnercenter.StatusActive, partnercenter.SubstatusAccepted
	})
	if err != nil {
		t.Fatal(err)
	}
	again, _, _ := pullAll(t, r.client, mark)
	if len(again) != 1 || again[0].ID != changed.ID || again[0].Status != partnercenter.StatusActive || again[0].ETag == refs[10].ETag {
		t.Fatalf("incremental pull got %+v, want only %s, now Active with a new eTag", again, changed.ID)
	}
}

func TestInvalidReferralIsSetAsideRestContinues(t *testing.T) {
	r := connect(t, pcsim.Options{}, nil)
	ids := r.sim.Seed(5, 3)
	if _, err := r.sim.ChangeAsMicrosoft(ids[2], func(ref *partnercenter.Referral) { ref.Status = "Frozen" }); err != nil {
		t.Fatal(err)
	}
	refs, bad, _ := pullAll(t, r.client, time.Time{})
	if len(refs) != 4 || len(bad) != 1 || bad[0].ID != ids[2] {
		t.Fatalf("got %d good and %+v bad, want 4 good and %s set aside", len(refs), bad, ids[2])
	}
	var fe *partnercenter.FieldError
	if !errors.As(bad[0].Err, &fe) || fe.Field != "status" || !strings.Contains(bad[0].Err.Error(), `"Frozen"`) {
		t.Fatalf("error %v should name the field status and the value", bad[0].Err)
	}
}

func TestGetAndPatchWithETag(t *testing.T) {
	r := connect(t, pcsim.Options{}, nil)
	ctx := context.Background()
	id := r.sim.Seed(1, 11)[0]
	ref, err := r.client.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if ref.ETag == "" || ref.Status != partnercenter.StatusNew {
		t.Fatalf("got eTag %q status %q", ref.ETag, ref.Status)
	}
	accept := []partnercenter.PatchOp{
		{Op: "replace", Path: "/details/dealValue", Value: "12500.50"},
		{Op: "replace", Path: "/status", Value: "Active"},
		{Op: "replace", Path: "/substatus", Value: "Accepted"},
		partnercenter.AddTeamMember(partnercenter.Member{FirstName: "Aiko", LastName: "Sato", Email: "aiko@partner.example"}),
	}
	got, err := r.client.Patch(ctx, id, ref.ETag, accept)
	if err != nil {
		t.Fatal(err)
	}
	held, _ := r.sim.Referral(id)
	if got.ETag == ref.ETag || got.ETag != held.ETag || held.Status != "Active" || held.Substatus != "Accepted" ||
		string(*held.Details.DealValue) != "12500.50" || held.Team[len(held.Team)-1].Email != "aiko@partner.example" {
		t.Fatalf("after the patch Partner Center holds %+v (eTag %q, returned %q)", held, held.ETag, got.ETag)
	}

	// The eTag read before the patch is stale now: someone else's write would be overwritten.
	_, err = r.client.Patch(ctx, id, ref.ETag, []partnercenter.PatchOp{{Op: "replace", Path: "/details/currency", Value: "EUR"}})
	if !errors.Is(err, partnercenter.ErrStale) {
		t.Fatalf("a stale If-Match: got %v, want ErrStale", err)
	}
	if retry, _ := partnercenter.IsRetryable(err); retry {
		t.Fatal("a 412 must be re-read, not retried as is")
	}
	if now, _ := r.sim.Referral(id); now.Details.Currency == "EUR" {
		t.Fatal("a stale patch was applied")
	}
}

func TestIllegalTransitionIsPermanentWithTheAnswer(t *testing.T) {
	r := connect(t, pcsim.Options{}, nil)
	ctx := context.Background()
	id := r.sim.Seed(1, 12)[0]
	ref, _ := r.client.Get(ctx, id)
	ref, err := r.client.Patch(ctx, id, ref.ETag, []partnercenter.PatchOp{
		{Op: "replace", Path: "/status", Value: "Closed"}, {Op: "replace", Path: "/substatus", Value: "Declined"},
		{Op: "replace", Path: "/statusReason", Value: "Not a customer"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.client.Patch(ctx, id, ref.ETag, []partnercenter.PatchOp{
		{Op: "replace", Path: "/status", Value: "Active"}, {Op: "replace", Path: "/substatus", Value: "Accepted"}})
	var ae *partnercenter.APIError
	if !errors.As(err, &ae) || ae.StatusCode != http.StatusBadRequest || !strings.Contains(ae.Body, "cannot move from Closed to Active") {
		t.Fatalf("reopening a declined referral: got %v, want a 400 carrying Partner Center's answer", err)
	}
	if retry, _ := partnercenter.IsRetryable(err); retry {
		t.Fatal("a 400 must not be retried")
	}
}

func TestThrottlingCarriesRetryAfter(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	r := connect(t, pcsim.Options{Clock: clk}, func(c *partnercenter.Config) { c.Clock = clk })
	ctx := context.Background()
	id := r.sim.Seed(1, 13)[0]
	cases := []struct {
		name   string
		status int
		asDate bool
		want   time.Duration
	}{
		{"429 with delay-seconds", http.StatusTooManyRequests, false, 7 * time.Second},
		{"429 with an HTTP date", http.StatusTooManyRequests, true, 30 * time.Second},
		{"503 with delay-seconds", http.StatusServiceUnavailable, false, 120 * time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r.sim.Throttle(2, tc.status, tc.want, tc.asDate)
			for range 2 { // a burst: each call answers with the wait, the caller decides when to come back
				_, err := r.client.Get(ctx, id)
				retry, wait := partnercenter.IsRetryable(err)
				var ae *partnercenter.APIError
				if !errors.As(err, &ae) || ae.StatusCode != tc.status || !retry || wait != tc.want {
					t.Fatalf("got %v (retry %v, wait %s), want a retryable %d asking for %s", err, retry, wait, tc.status, tc.want)
				}
			}
			if _, err := r.client.Get(ctx, id); err != nil {
				t.Fatalf("after the burst: %v", err)
			}
		})
	}
}

func TestForeignNextLinkIsNotFollowed(t *testing.T) {
	var evilHits atomic.Int32
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		evilHits.Add(1)
		_, _ = w.Write([]byte(`{"value":[]}`))
	}))
	defer evil.Close()
	r := connect(t, pcsim.Options{}, func(c *partnercenter.Config) { c.PageSize = 10 })
	r.sim.Seed(25, 4)
	for _, base := range []string{evil.URL, r.srv.URL + "/elsewhere"} {
		r.sim.SetNextLinkBase(base)
		pages := 0
		var last error
		for _, err := range r.client.List(context.Background(), time.Time{}) {
			if err != nil {
				last = err
				break
			}
			pages++
		}
		if !errors.Is(last, partnercenter.ErrForeignLink) || evilHits.Load() != 0 {
			t.Fatalf("next link on %s: got %v and %d requests to the other host, want ErrForeignLink and none", base, last, evilHits.Load())
		}
		if pages != 0 {
			t.Fatalf("%d pages were handed over from a listing whose next link leaves the API; want 0", pages)
		}
	}
}

func TestOversizedPageIsAnError(t *testing.T) {
	r := connect(t, pcsim.Options{}, func(c *partnercenter.Config) { c.MaxBodyBytes = 32 << 10 })
	r.sim.Seed(100, 5) // ~100 referrals of ~1 kB: more than 32 kB on one page
	var got error
	for _, err := range r.client.List(context.Background(), time.Time{}) {
		got = err
		break
	}
	if !errors.Is(got, partnercenter.ErrTooLarge) {
		t.Fatalf("got %v, want ErrTooLarge", got)
	}
}

func TestWebhookEventLeadsToTheReferral(t *testing.T) {
	r := connect(t, pcsim.Options{}, nil)
	fetched := make(chan partnercenter.Referral, 1)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body := make([]byte, partnercenter.MaxEventBytes)
		n, _ := req.Body.Read(body)
		ev, err := r.client.ParseEvent(body[:n])
		if err != nil || ev.ReferralID == "" {
			http.Error(w, "bad event", http.StatusBadRequest)
			return
		}
		ref, err := r.client.Get(req.Context(), ev.ReferralID)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		fetched <- ref
	}))
	defer receiver.Close()
	r.sim.RegisterWebhook(receiver.URL + "/intake/partnercenter/s3cret")
	created, err := r.sim.Create(pcsim.NewQualifiedLead(42))
	if err != nil {
		t.Fatal(err)
	}
	if got := <-fetched; got.ID != created.ID || got.ETag != created.ETag {
		t.Fatalf("the receiver fetched %s, want %s", got.ID, created.ID)
	}
	if _, err := r.sim.ChangeAsMicrosoft(created.ID, func(ref *partnercenter.Referral) {
		ref.Status, ref.Substatus = partnercenter.StatusClosed, partnercenter.SubstatusExpired
	}); err != nil {
		t.Fatal(err)
	}
	if got := <-fetched; got.Substatus != partnercenter.SubstatusExpired {
		t.Fatalf("after the update event the receiver saw %s/%s", got.Status, got.Substatus)
	}
}

func TestParseEvent(t *testing.T) {
	c, err := partnercenter.New(partnercenter.Config{Tenant: "t", ClientID: "c", ClientSecret: "s", APIBase: "https://pc.test"})
	if err != nil {
		t.Fatal(err)
	}
	prod, err := partnercenter.New(partnercenter.Config{Tenant: "t", ClientID: "c", ClientSecret: "s"})
	if err != nil {
		t.Fatal(err)
	}
	ev := func(name, uri string) string {
		return `{"EventName":"` + name + `","ResourceUri":"` + uri + `","ResourceName":"referral","AuditUri":null,"ResourceChangeUtcDate":"2026-12-01T00:05:39.5485487+00:00"}`
	}
	cases := []struct {
		name    string
		client  *partnercenter.Client
		body    string
		wantID  string
		wantErr error
	}{
		{"created under the API base", c, ev("referral-created", "https://pc.test/v1.0/engagements/referrals/abc-123"), "abc-123", nil},
		{"updated, host in capitals", c, ev("referral-updated", "https://PC.test/v1.0/engagements/referrals/abc-123"), "abc-123", nil},
		{"another host", c, ev("referral-created", "https://evil.example/v1.0/engagements/referrals/abc-123"), "", partnercenter.ErrForeignLink},
		{"http instead of https", c, ev("referral-created", "http://pc.test/v1.0/engagements/referrals/abc-123"), "", partnercenter.ErrForeignLink},
		{"a deeper path", c, ev("referral-updated", "https://pc.test/v1.0/engagements/referrals/abc/../../x"), "", partnercenter.ErrForeignLink},
		{"user info to fool a prefix check", c, ev("referral-updated", "https://pc.test@evil.example/v1.0/engagements/referrals/abc"), "", partnercenter.ErrForeignLink},
		{"test event is ignored", c, ev("test-created", "https://pc.test/webhooks/v1/registration/validationEvents/1"), "", nil},
		{"documented host for the real API", prod, ev("referral-created", "https://api.partnercenter.microsoft.com/engagements/v1/referrals/r-9"), "r-9", nil},
		{"documented host is not accepted for another base", c, ev("referral-created", "https://api.partnercenter.microsoft.com/engagements/v1/referrals/r-9"), "", partnercenter.ErrForeignLink},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.client.ParseEvent([]byte(tc.body))
			if !errors.Is(err, tc.wantErr) || got.ReferralID != tc.wantID {
				t.Fatalf("got id %q, err %v; want %q, %v", got.ReferralID, err, tc.wantID, tc.wantErr)
			}
		})
	}
	for _, body := range []string{`{"EventName":`, `{"ResourceUri":"https://pc.test/v1.0/engagements/referrals/a"}`, `{"EventName":"referral-created"}`} {
		var fe *partnercenter.FieldError
		if _, err := c.ParseEvent([]byte(body)); !errors.As(err, &fe) {
			t.Errorf("event %s: got %v, want a FieldError", body, err)
		}
	}
}

func TestRetryAfterParsing(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	cases := map[string]time.Duration{
		"":                              0,
		"5":                             5 * time.Second,
		"0":                             0,
		"-3":                            0,
		"soon":                          0,
		"Tue, 01 Dec 2026 09:01:30 GMT": 90 * time.Second,
		"Tue, 01 Dec 2026 08:59:00 GMT": 0,
	}
	for in, want := range cases {
		if got := partnercenter.ParseRetryAfter(in, now); got != want {
			t.Errorf("ParseRetryAfter(%q) = %s, want %s", in, got, want)
		}
	}
}

// BenchmarkPull10000Referrals is the initial pull of issue 14 (goal ≤ 20 s): 10,000 referrals from the
// simulator on loopback, 100 a page, decoded and validated.
func BenchmarkPull10000Referrals(b *testing.B) {
	r := connect(b, pcsim.Options{}, nil)
	r.sim.Seed(10000, 99)
	b.ResetTimer()
	for b.Loop() {
		refs, bad, pages := pullAll(b, r.client, time.Time{})
		if len(refs)+len(bad) != 10000 || pages != 100 {
			b.Fatalf("pulled %d on %d pages", len(refs)+len(bad), pages)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/pull")
}
