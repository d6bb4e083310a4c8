// Package pcsim is an in-process Partner Center for tests and demos: the Referrals API subset
// Leaddesk uses (OData $filter on the date-times, $orderby, $top, @odata.nextLink with $skiptoken,
// eTags that change on every write, 412 on a stale If-Match, the status transition table with 400 on
// an illegal move, 429 bursts with Retry-After), webhook calls to a registered receiver, and a fake
// Entra v2 sign-in (authorize with PKCE, authorization code and rotating refresh tokens, revocation).
// Helpers play the Microsoft side: seeding referrals and a seller changing one.
package pcsim

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"leaddesk/internal/clock"
	"leaddesk/partnercenter"
)

// Options configure a simulator; zero values get the defaults shown.
type Options struct {
	Tenant       string // "contoso-tenant"
	ClientID     string // "leaddesk-app"
	ClientSecret string // "leaddesk-secret"
	// BaseURL is scheme://host the simulator is reached at, for ResourceUri in webhook events;
	// NewServer sets it.
	BaseURL        string
	Clock          clock.Clock   // system clock
	MaxPageSize    int           // 100: a larger $top is capped, as OData services do
	AccessTokenTTL time.Duration // 1h
	// WebhookClient delivers webhook events (http.Client with a 10 s timeout).
	WebhookClient *http.Client
}

// Sim is the simulated Partner Center and Entra. It is an http.Handler.
type Sim struct {
	opts Options
	mux  *http.ServeMux

	mu        sync.Mutex
	referrals map[string]*partnercenter.Referral
	lastWrite time.Time
	codes     map[string]authCode
	refresh   map[string]bool      // live refresh tokens
	access    map[string]time.Time // live access tokens → expiry
	throttle  throttle
	webhook   string
	nextBase  string
	stats     Stats
}

// Stats counts what the simulator served.
type Stats struct {
	TokenCalls   int
	APICalls     int
	Pages        int
	Patches      int
	Throttled    int
	WebhookCalls int
}

type throttle struct {
	left       int
	status     int
	retryAfter time.Duration
	asDate     bool
}

// New returns a simulator with no referrals.
func New(o Options) *Sim {
	if o.Tenant == "" {
		o.Tenant = "contoso-tenant"
	}
	if o.ClientID == "" {
		o.ClientID = "leaddesk-app"
	}
	if o.ClientSecret == "" {
		o.ClientSecret = "leaddesk-secret"
	}
	if o.Clock == nil {
		o.Clock = clock.System{}
	}
	if o.MaxPageSize <= 0 {
		o.MaxPageSize = 100
	}
	if o.AccessTokenTTL <= 0 {
		o.AccessTokenTTL = time.Hour
	}
	if o.WebhookClient == nil {
		o.WebhookClient = &http.Client{Timeout: 10 * time.Second}
	}
	s := &Sim{opts: o, mux: http.NewServeMux(), referrals: map[string]*partnercenter.Referral{},
		codes: map[string]authCode{}, refresh: map[string]bool{}, access: map[string]time.Time{}}
	s.mux.HandleFunc("GET /{tenant}/oauth2/v2.0/authorize", s.authorize)
	s.mux.HandleFunc("POST /{tenant}/oauth2/v2.0/token", s.token)
	s.mux.HandleFunc("GET "+partnercenter.ReferralsPath, s.api(s.listReferrals))
	s.mux.HandleFunc("GET "+partnercenter.ReferralsPath+"/{id}", s.api(s.getReferral))
	s.mux.HandleFunc("PATCH "+partnercenter.ReferralsPath+"/{id}", s.api(s.patchReferral))
	s.mux.HandleFunc("POST /webhooks/v1/registration", s.api(s.registerWebhook))
	return s
}

// NewServer starts a simulator on a loopback httptest server; close the server when done.
func NewServer(o Options) (*Sim, *httptest.Server) {
	s := New(o)
	srv := httptest.NewServer(s)
	s.mu.Lock()
	s.opts.BaseURL = srv.URL
	s.mu.Unlock()
	return s, srv
}

// ServeHTTP implements http.Handler.
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Options returns the simulator's options with their defaults filled in (tenant, client id and
// secret to configure a client with).
func (s *Sim) Options() Options {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.opts
}

// Stats returns the counters.
func (s *Sim) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// Throttle makes the next n API calls fail with status (429 or 503) and Retry-After: retryAfter,
// written as delay-seconds, or as an HTTP date when asDate is set.
func (s *Sim) Throttle(n, status int, retryAfter time.Duration, asDate bool) {
	s.mu.Lock()
	s.throttle = throttle{left: n, status: status, retryAfter: retryAfter, asDate: asDate}
	s.mu.Unlock()
}

// SetNextLinkBase makes @odata.nextLink point at another scheme://host (to test that clients refuse
// to follow it); "" restores the simulator's own.
func (s *Sim) SetNextLinkBase(base string) {
	s.mu.Lock()
	s.nextBase = strings.TrimRight(base, "/")
	s.mu.Unlock()
}

// RegisterWebhook sets the receiver URL for referral-created and referral-updated ("" removes it);
// the API's POST /webhooks/v1/registration does the same.
func (s *Sim) RegisterWebhook(url string) {
	s.mu.Lock()
	s.webhook = url
	s.mu.Unlock()
}

// api wraps the Partner Center endpoints: throttling first, then the bearer token.
func (s *Sim) api(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.stats.APICalls++
		th := s.throttle
		if s.throttle.left > 0 {
			s.throttle.left--
			s.stats.Throttled++
		}
		now := s.opts.Clock.Now()
		tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		exp, ok := s.access[tok]
		s.mu.Unlock()
		if th.left > 0 {
			if th.asDate {
				w.Header().Set("Retry-After", now.Add(th.retryAfter).UTC().Format(http.TimeFormat))
			} else {
				w.Header().Set("Retry-After", itoa(int(th.retryAfter/time.Second)))
			}
			writeError(w, th.status, "TooManyRequests", "Rate limit is exceeded. Try again later.")
			return
		}
		if tok == "" || !ok || !now.Before(exp) {
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			writeError(w, http.StatusUnauthorized, "Unauthorized", "The access token is missing, invalid or expired.")
			return
		}
		h(w, r)
	}
}

// apiError is the error body the simulator writes.
type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, apiError{Code: code, Message: msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
