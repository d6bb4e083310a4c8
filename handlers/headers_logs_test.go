package handlers_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"syscall"
	"testing"

	"leaddesk/db"
	"leaddesk/handlers"
	"leaddesk/internal/testkit"
)

// Pages and API answers that show customer data, one-time links or tokens are never stored by a
// browser or proxy cache; static files stay cacheable for a year.
func TestPagesWithCustomerDataAreNotCached(t *testing.T) {
	s := testkit.NewServer(t)
	s.CreateUser("acc@example.com", "Aki Account", db.RoleAccount)
	c := s.Client()
	c.Login("acc@example.com")
	for _, path := range []string{"/leads", "/leads/import", "/admin/users", "/admin/tokens", "/settings", "/reset/some-link-secret", "/healthz", "/no/such/page"} {
		if res := c.Get(path); !strings.Contains(res.Header.Get("Cache-Control"), "no-store") {
			t.Errorf("%s (%d): Cache-Control %q", path, res.StatusCode, res.Header.Get("Cache-Control"))
		}
	}
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/v1/leads", nil)
	req.Header.Set("Authorization", "Bearer "+newToken(t, s, "read"))
	if res := c.Do(req); res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Cache-Control"), "no-store") {
		t.Errorf("API: %d, Cache-Control %q", res.StatusCode, res.Header.Get("Cache-Control"))
	}
	if res := s.Client().Get("/login"); !strings.Contains(res.Header.Get("Cache-Control"), "no-store") {
		t.Errorf("sign-in page: Cache-Control %q", res.Header.Get("Cache-Control"))
	}
}

// With an https base URL every answer carries HSTS, even when the request reached us over plain HTTP
// (a TLS-terminating proxy in front); with an http base URL none does.
func TestHSTSFollowsTheBaseURL(t *testing.T) {
	s := testkit.NewServer(t)
	if res := s.Client().Get("/login"); res.Header.Get("Strict-Transport-Security") != "" {
		t.Errorf("http base URL: HSTS %q", res.Header.Get("Strict-Transport-Security"))
	}
	s.Cfg.BaseURL = "https://leads.example.com"
	for _, path := range []string{"/login", "/healthz", "/no/such/page"} {
		if res := s.Client().Get(path); !strings.Contains(res.Header.Get("Strict-Transport-Security"), "max-age=31536000") {
			t.Errorf("https base URL, plain request for %s: HSTS %q", path, res.Header.Get("Strict-Transport-Security"))
		}
	}
}

// Each request is logged exactly once, after it is answered: a client's mistake (404, 403, 401) at
// INFO, a server failure at ERROR with its detail.
func TestEachRequestIsLoggedOnceAtItsLevel(t *testing.T) {
	var logs syncBuffer
	s := testkit.NewServer(t, func(d *handlers.Deps) { d.Log = slog.New(slog.NewJSONHandler(&logs, nil)) })
	s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals)
	c := s.Client()
	c.Login("aiko@example.com")
	anon := s.Client()
	type sent struct {
		what  string
		res   *testkit.Response
		level string
	}
	var reqs []sent
	add := func(what string, res *testkit.Response, level string) { reqs = append(reqs, sent{what, res, level}) }
	add("page", c.Get("/leads"), "INFO")
	add("not found", c.Get("/no/such/page"), "INFO")
	add("forged form", anon.PostRaw("/login", map[string][]string{"email": {"x@example.com"}}), "INFO")
	add("signed out", anon.PostRaw("/leads/1/favorite", nil), "INFO")
	add("wrong password", anon.PostForm("/login", map[string][]string{"email": {"aiko@example.com"}, "password": {"nope nope"}}), "INFO")
	s.DB.Close()
	add("database gone", c.Get("/leads"), "ERROR")

	lines := map[string][]map[string]any{}
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		if id, _ := m["request_id"].(string); id != "" {
			lines[id] = append(lines[id], m)
		}
	}
	for _, r := range reqs {
		id := r.res.Header.Get("X-Request-Id")
		got := lines[id]
		if len(got) != 1 {
			t.Errorf("%s (%d): %d log lines, want 1: %v", r.what, r.res.StatusCode, len(got), got)
			continue
		}
		if got[0]["level"] != r.level || got[0]["status"] != float64(r.res.StatusCode) {
			t.Errorf("%s (%d): logged %v, want level %s", r.what, r.res.StatusCode, got[0], r.level)
		}
		if r.level == "ERROR" && got[0]["err"] == nil {
			t.Errorf("%s: the error detail is not logged: %v", r.what, got[0])
		}
	}
}

// A database that still answers reads but cannot be written (here every file write fails, as on a full
// disk: the process's file size limit is set to zero) is reported unhealthy, with the reason; it is
// healthy again once writes work.
func TestHealthzReportsADatabaseThatCannotBeWritten(t *testing.T) {
	s := testkit.NewServer(t)
	c := s.Client()
	if res := c.Get("/healthz"); res.StatusCode != http.StatusOK {
		t.Fatalf("healthy: %d %s", res.StatusCode, res.Body)
	}
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		t.Fatal(err)
	}
	// Go ignores SIGXFSZ, so a write past the limit fails with EFBIG instead of ending the process.
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: 0, Max: old.Max}); err != nil {
		t.Fatal(err)
	}
	res := c.Get("/healthz")
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		t.Fatal(err)
	}
	var body map[string]string
	json.Unmarshal([]byte(res.Body), &body)
	if res.StatusCode != http.StatusServiceUnavailable || body["database"] != "not writable" || !strings.Contains(body["reason"], "file size limit") {
		t.Errorf("with every write refused: %d %s", res.StatusCode, res.Body)
	}
	if res := c.Get("/healthz"); res.StatusCode != http.StatusOK {
		t.Errorf("writes work again: %d %s", res.StatusCode, res.Body)
	}
}
