// Package testkit is the test harness every feature's tests use: a fresh temp-file database from the
// migrations, the real router behind an httptest server, a browser-like client with a cookie jar and a
// CSRF helper, demo users, and (browser.go) headless Chromium driven through chromedp.
package testkit

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"leaddesk/config"
	"leaddesk/db"
	"leaddesk/handlers"
	"leaddesk/internal/clock"
	"leaddesk/internal/password"
	"leaddesk/leads"
	"leaddesk/mail"

	"golang.org/x/crypto/bcrypt"
)

// Epoch is the fake clock's default start: a fixed Monday morning, so tests are repeatable.
var Epoch = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

// NewDB opens a fresh database file with every migration applied, closed when the test ends.
func NewDB(t testing.TB) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), filepath.Join(t.TempDir(), db.FileName))
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// Config returns test settings: the fake timezone Asia/Tokyo (so day boundaries are not UTC's) and a
// loopback base URL.
func Config(t testing.TB) *config.Config {
	t.Helper()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.Timezone = "Asia/Tokyo"
	cfg.DNS = "off" // no outside resolver in tests; a DNS test passes its loopback server's Resolver
	if err := cfg.Validate(); err != nil {
		t.Fatalf("test config: %v", err)
	}
	return cfg
}

// Server is the app behind an httptest server.
type Server struct {
	*httptest.Server
	T       testing.TB
	DB      *db.DB
	Cfg     *config.Config
	Clock   *clock.Fake
	Handler *handlers.Handler
	Leads   *leads.Service // the server's domain service, for jobs and set-ups that change leads
	Notify  *mail.Notifier // its subscriber for mail and the Action Center
}

// Option changes a test server before it starts.
type Option func(*handlers.Deps)

// NewServer starts the real router on a fresh database with a fake clock at Epoch.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	cfg := Config(t)
	d := NewDB(t)
	clk := clock.NewFake(Epoch)
	notify := mail.NewNotifier(cfg)
	deps := handlers.Deps{Cfg: cfg, DB: d, Clock: clk, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Leads: leads.New(d, clk, notify)}
	for _, o := range opts {
		o(&deps)
	}
	e, h, err := handlers.New(deps)
	if err != nil {
		t.Fatalf("build server: %v", err)
	}
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	cfg.BaseURL = srv.URL
	return &Server{Server: srv, T: t, DB: d, Cfg: cfg, Clock: clk, Handler: h, Leads: deps.Leads, Notify: notify}
}

// TestPassword is every test user's password.
const TestPassword = "correct horse battery"

// CreateUser adds a user with roles and TestPassword (hashed cheaply), returning it.
func (s *Server) CreateUser(email, name string, roles ...string) *db.User {
	s.T.Helper()
	return CreateUser(s.T, s.DB, email, name, roles...)
}

// CreateUser adds a user with roles and TestPassword to d.
func CreateUser(t testing.TB, d *db.DB, email, name string, roles ...string) *db.User {
	t.Helper()
	hash, err := password.HashWithCost(TestPassword, bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	u := &db.User{Email: email, Name: name, PasswordHash: hash, Roles: roles}
	if err := d.CreateUser(context.Background(), u); err != nil {
		t.Fatalf("create user %s: %v", email, err)
	}
	return u
}

// Client is a browser-like HTTP client: it keeps cookies, does not follow redirects, and remembers
// the CSRF token of the last page it read.
type Client struct {
	*http.Client
	T    testing.TB
	Base string
	csrf string
}

// Client returns a new client with an empty cookie jar.
func (s *Server) Client() *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{
		Client: &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}},
		T: s.T, Base: s.URL,
	}
}

// Response is a finished response with its body read.
type Response struct {
	*http.Response
	Body string
}

var csrfInput = regexp.MustCompile(`name="csrf-token" content="([^"]+)"|name="csrf" value="([^"]+)"`)

// Do sends req and reads the whole answer; it remembers the page's CSRF token.
func (c *Client) Do(req *http.Request) *Response {
	c.T.Helper()
	res, err := c.Client.Do(req)
	if err != nil {
		c.T.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.T.Fatalf("%s %s: read body: %v", req.Method, req.URL, err)
	}
	body := string(b)
	if m := csrfInput.FindStringSubmatch(body); m != nil {
		c.csrf = m[1] + m[2]
	}
	return &Response{Response: res, Body: body}
}

// Get fetches path. Extra headers come as name, value pairs.
func (c *Client) Get(path string, headers ...string) *Response {
	c.T.Helper()
	req, err := http.NewRequest(http.MethodGet, c.Base+path, nil)
	if err != nil {
		c.T.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return c.Do(req)
}

// CSRF returns the token of the last page read, fetching /login first when no page was read yet.
func (c *Client) CSRF() string {
	c.T.Helper()
	if c.csrf == "" {
		c.Get("/login")
	}
	if c.csrf == "" {
		c.T.Fatal("no CSRF token found on /login")
	}
	return c.csrf
}

// PostForm posts form values with the CSRF token added (unless the form already has one).
func (c *Client) PostForm(path string, form url.Values, headers ...string) *Response {
	c.T.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", c.CSRF())
	}
	return c.PostRaw(path, form, headers...)
}

// PostRaw posts form values exactly as given (for CSRF tests).
func (c *Client) PostRaw(path string, form url.Values, headers ...string) *Response {
	c.T.Helper()
	req, err := http.NewRequest(http.MethodPost, c.Base+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.T.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return c.Do(req)
}

// Login signs in with email and TestPassword and fails the test unless it worked.
func (c *Client) Login(email string) {
	c.T.Helper()
	c.Get("/login")
	res := c.PostForm("/login", url.Values{"email": {email}, "password": {TestPassword}})
	if res.StatusCode != http.StatusSeeOther {
		c.T.Fatalf("sign in as %s: status %d, body:\n%s", email, res.StatusCode, res.Body)
	}
	c.csrf = "" // the token rotates at sign-in
	c.Get("/leads")
}
