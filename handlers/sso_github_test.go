package handlers_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"leaddesk/config"
	"leaddesk/db"
	"leaddesk/internal/testkit"
)

// githubServer is a GitHub Enterprise Server's OAuth and REST endpoints on loopback: it signs in the
// queued account and answers /api/v3/user and /api/v3/user/emails for its token.
type githubServer struct {
	*httptest.Server
	mu   sync.Mutex
	next githubAccount
}

type githubAccount struct {
	ID          int
	Login       string
	PublicEmail string // the profile's "email", shown to everyone
	Emails      []map[string]any
}

func startGitHub(t *testing.T) *githubServer {
	g := &githubServer{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login/oauth/authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		http.Redirect(w, r, q.Get("redirect_uri")+"?code=the-code&state="+url.QueryEscape(q.Get("state")), http.StatusFound)
	})
	mux.HandleFunc("POST /login/oauth/access_token", func(w http.ResponseWriter, r *http.Request) {
		if r.FormValue("code") != "the-code" {
			http.Error(w, "bad code", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"access_token": "gho_token", "token_type": "bearer", "scope": "read:user,user:email"})
	})
	account := func(w http.ResponseWriter, r *http.Request) (githubAccount, bool) {
		if r.Header.Get("Authorization") != "Bearer gho_token" {
			http.Error(w, "no token", http.StatusUnauthorized)
			return githubAccount{}, false
		}
		g.mu.Lock()
		defer g.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		return g.next, true
	}
	mux.HandleFunc("GET /api/v3/user", func(w http.ResponseWriter, r *http.Request) {
		if a, ok := account(w, r); ok {
			json.NewEncoder(w).Encode(map[string]any{"id": a.ID, "login": a.Login, "name": a.Login, "email": a.PublicEmail})
		}
	})
	mux.HandleFunc("GET /api/v3/user/emails", func(w http.ResponseWriter, r *http.Request) {
		if a, ok := account(w, r); ok {
			json.NewEncoder(w).Encode(a.Emails)
		}
	})
	g.Server = httptest.NewServer(mux)
	t.Cleanup(g.Close)
	return g
}

// signIn takes a browser through the loopback GitHub as a and returns our callback's answer.
func (g *githubServer) signIn(t *testing.T, s *testkit.Server, a githubAccount) (*testkit.Client, *testkit.Response) {
	t.Helper()
	g.mu.Lock()
	g.next = a
	g.mu.Unlock()
	c := s.Client()
	res := c.Get("/auth/github")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), g.URL+"/login/oauth/authorize?") {
		t.Fatalf("/auth/github: %d → %q", res.StatusCode, res.Header.Get("Location"))
	}
	back, err := idp.Get(res.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	back.Body.Close()
	return c, c.Get(strings.TrimPrefix(back.Header.Get("Location"), s.URL))
}

// GitHub admits by the verified primary address only, never by the profile's public email.
func TestGitHubAdmitsByTheVerifiedPrimaryEmailOnly(t *testing.T) {
	s := testkit.NewServer(t)
	g := startGitHub(t)
	s.Cfg.GitHub = config.Provider{ClientID: "gh-app", ClientSecret: "gh-secret"}
	s.Cfg.GitHubURL = g.URL
	aiko := s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals)

	// Someone shows Aiko's address on their profile, unverified; their own primary address is verified.
	c, res := g.signIn(t, s, githubAccount{ID: 666, Login: "eve", PublicEmail: "aiko@example.com", Emails: []map[string]any{
		{"email": "eve@elsewhere.example", "primary": true, "verified": true},
		{"email": "aiko@example.com", "primary": false, "verified": false},
	}})
	if res.StatusCode != http.StatusForbidden || signedIn(t, c) {
		t.Fatalf("public unverified address: %d", res.StatusCode)
	}
	// A primary address that is not verified is not enough either.
	c, res = g.signIn(t, s, githubAccount{ID: 667, Login: "mallory", Emails: []map[string]any{{"email": "aiko@example.com", "primary": true, "verified": false}}})
	if res.StatusCode == http.StatusSeeOther || signedIn(t, c) {
		t.Fatalf("unverified primary address: %d", res.StatusCode)
	}

	c, res = g.signIn(t, s, githubAccount{ID: 42, Login: "aiko", PublicEmail: "aiko.public@example.net", Emails: []map[string]any{
		{"email": "aiko.public@example.net", "primary": false, "verified": true},
		{"email": "Aiko@Example.com", "primary": true, "verified": true},
	}})
	if res.StatusCode != http.StatusSeeOther || !signedIn(t, c) {
		t.Fatalf("verified primary address: %d\n%s", res.StatusCode, res.Body)
	}
	if u, err := s.DB.UserByIdentity(t.Context(), "github", "42"); err != nil || u.ID != aiko.ID {
		t.Errorf("identity: %v %v", u, err)
	}
	if n, _ := s.DB.CountUsers(t.Context()); n != 1 {
		t.Errorf("users = %d", n)
	}
}
