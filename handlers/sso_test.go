package handlers_test

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/oauth2-proxy/mockoidc"

	"leaddesk/config"
	"leaddesk/db"
	"leaddesk/internal/testkit"
)

// oidcServer starts a real OpenID Connect provider on loopback and points the app's generic OIDC
// provider at it.
func oidcServer(t *testing.T) (*testkit.Server, *mockoidc.MockOIDC) {
	t.Helper()
	m, err := mockoidc.Run()
	if err != nil {
		t.Fatalf("start mock OpenID Connect provider: %v", err)
	}
	t.Cleanup(func() { m.Shutdown() })
	s := testkit.NewServer(t)
	cfg := m.Config()
	s.Cfg.OIDC = config.Provider{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Issuer: m.Issuer(), Name: "Contoso ID"}
	return s, m
}

// idp is the browser's trip through the provider: it answers the authorization request with a
// redirect back to our callback, which we do not follow automatically.
var idp = &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// startSSO begins a sign-in on c and returns the provider's redirect back to our callback (a path).
func startSSO(t *testing.T, s *testkit.Server, c *testkit.Client, m *mockoidc.MockOIDC, u *mockoidc.MockUser) string {
	t.Helper()
	m.QueueUser(u)
	res := c.Get("/auth/oidc?next=/settings")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), m.Issuer()) {
		t.Fatalf("/auth/oidc: %d → %q\n%s", res.StatusCode, res.Header.Get("Location"), res.Body)
	}
	back, err := idp.Get(res.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	back.Body.Close()
	cb := back.Header.Get("Location")
	if back.StatusCode != http.StatusFound || !strings.HasPrefix(cb, s.URL+"/auth/oidc/callback?") {
		t.Fatalf("provider answered %d → %q", back.StatusCode, cb)
	}
	return strings.TrimPrefix(cb, s.URL)
}

func mockUser(sub, email string, verified bool) *mockoidc.MockUser {
	return &mockoidc.MockUser{Subject: sub, Email: email, EmailVerified: verified, PreferredUsername: sub}
}

func TestOpenIDConnectRoundTripSignsInAKnownEmail(t *testing.T) {
	s, m := oidcServer(t)
	u := s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals)
	c := s.Client()
	if res := c.Get("/login"); !strings.Contains(res.Body, `href="/auth/oidc?next=%2fleads"`) || !strings.Contains(res.Body, "Sign in with Contoso ID") {
		t.Fatalf("no provider button on the sign-in page:\n%s", res.Body)
	}
	res := c.Get(startSSO(t, s, c, m, mockUser("sub-aiko", "Aiko@Example.com", true)))
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/settings" {
		t.Fatalf("callback: %d → %q\n%s", res.StatusCode, res.Header.Get("Location"), res.Body)
	}
	if res := c.Get("/settings"); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "Aiko Tanaka") {
		t.Fatalf("not signed in as Aiko after the round trip: %d", res.StatusCode)
	}
	// The identity is linked: the next sign-in finds Aiko by subject even if the provider's email changed.
	linked, err := s.DB.UserByIdentity(t.Context(), "oidc", "sub-aiko")
	if err != nil || linked.ID != u.ID {
		t.Fatalf("identity not linked: %v %v", linked, err)
	}
	c2 := s.Client()
	if res := c2.Get(startSSO(t, s, c2, m, mockUser("sub-aiko", "aiko.tanaka@example.com", true))); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("second sign-in by subject: %d", res.StatusCode)
	}
	got, _ := s.DB.UserByID(t.Context(), u.ID)
	if got.LastSignIn == nil {
		t.Error("last sign-in not recorded")
	}
}

func TestOpenIDConnectRefusesAnUnknownOrUnverifiedEmail(t *testing.T) {
	s, m := oidcServer(t)
	s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals)
	for name, mu := range map[string]*mockoidc.MockUser{
		"unknown":    mockUser("sub-eve", "eve@elsewhere.example", true),
		"unverified": mockUser("sub-fake", "aiko@example.com", false),
	} {
		c := s.Client()
		res := c.Get(startSSO(t, s, c, m, mu))
		if res.StatusCode != http.StatusForbidden || !strings.Contains(res.Body, "cannot sign in to Leaddesk") {
			t.Errorf("%s email: %d\n%s", name, res.StatusCode, res.Body)
		}
		if signedIn(t, c) {
			t.Errorf("%s email got signed in", name)
		}
	}
	if n, _ := s.DB.CountUsers(t.Context()); n != 1 {
		t.Errorf("users = %d, want no new user", n)
	}
}

func TestOpenIDConnectRefusesAStateMismatch(t *testing.T) {
	s, m := oidcServer(t)
	s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals)

	// A callback carried to another browser (login CSRF): that browser never started a sign-in.
	victim, attacker := s.Client(), s.Client()
	cb := startSSO(t, s, attacker, m, mockUser("sub-aiko", "aiko@example.com", true))
	res := victim.Get(cb)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.Body, "expired or was started in another browser") {
		t.Fatalf("callback in another browser: %d\n%s", res.StatusCode, res.Body)
	}
	if signedIn(t, victim) {
		t.Fatal("the other browser got signed in")
	}

	// The right browser with the state changed.
	c := s.Client()
	cb = startSSO(t, s, c, m, mockUser("sub-aiko", "aiko@example.com", true))
	u, _ := url.Parse(cb)
	q := u.Query()
	q.Set("state", "forged-state")
	u.RawQuery = q.Encode()
	if res := c.Get(u.String()); res.StatusCode != http.StatusBadRequest {
		t.Fatalf("forged state: %d", res.StatusCode)
	}
	// The state is single use: after the refusal even the genuine callback is refused.
	if res := c.Get(cb); res.StatusCode != http.StatusBadRequest || signedIn(t, c) {
		t.Fatalf("genuine callback after a forged one: %d", res.StatusCode)
	}
}

func TestOpenIDConnectCancelledConsentAndProviderErrorsArePlainPages(t *testing.T) {
	s, m := oidcServer(t)
	c := s.Client()
	m.QueueUser(mockUser("x", "x@example.com", true))
	res := c.Get("/auth/oidc")
	state := func() string { u, _ := url.Parse(res.Header.Get("Location")); return u.Query().Get("state") }()
	res = c.Get("/auth/oidc/callback?error=access_denied&error_description=user+cancelled&state=" + url.QueryEscape(state))
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(res.Body, "Sign-in with Contoso ID was cancelled") {
		t.Errorf("cancelled consent: %d\n%s", res.StatusCode, res.Body)
	}
	if res := c.Get("/auth/oidc/callback?error=server_error"); res.StatusCode != http.StatusBadGateway || !strings.Contains(res.Body, "did not complete") {
		t.Errorf("provider error: %d", res.StatusCode)
	}
	if res := c.Get("/auth/github"); res.StatusCode != http.StatusNotFound {
		t.Errorf("provider that is not set up: %d", res.StatusCode)
	}
	// A code the provider does not know fails at the token exchange: a clear page, not a 500.
	c2 := s.Client()
	cb := startSSO(t, s, c2, m, mockUser("x", "x@example.com", true))
	u, _ := url.Parse(cb)
	q := u.Query()
	q.Set("code", "not-a-code")
	u.RawQuery = q.Encode()
	if res := c2.Get(u.String()); res.StatusCode != http.StatusBadGateway || !strings.Contains(res.Body, "did not complete") {
		t.Errorf("bad code: %d\n%s", res.StatusCode, res.Body)
	}
}

func TestOpenIDConnectAdmitsInvitationsAndListedDomains(t *testing.T) {
	s, m := oidcServer(t)
	s.Cfg.SignInDomains = []string{"contoso.example"}
	err := s.DB.InTx(context.Background(), func(tx *sql.Tx) error {
		_, err := db.CreateAuthTokenTx(t.Context(), tx, &db.AuthToken{Kind: db.TokenInvite, Email: "ken@partner.example",
			Roles: []string{db.RoleProfile}, CreatedAt: s.Clock.Now(), ExpiresAt: s.Clock.Now().Add(time.Hour)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	c := s.Client()
	if res := c.Get(startSSO(t, s, c, m, mockUser("sub-ken", "ken@partner.example", true))); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("invited: %d\n%s", res.StatusCode, res.Body)
	}
	ken, err := s.DB.UserByEmail(t.Context(), "ken@partner.example")
	if err != nil || !ken.Has(db.RoleProfile) || len(ken.Roles) != 1 {
		t.Fatalf("invited user: %+v %v", ken, err)
	}
	if _, err := s.DB.OpenInvitation(t.Context(), "ken@partner.example", s.Clock.Now()); err == nil {
		t.Error("the invitation is still open after use")
	}

	d := s.Client()
	if res := d.Get(startSSO(t, s, d, m, mockUser("sub-mia", "mia@contoso.example", true))); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("listed domain: %d", res.StatusCode)
	}
	mia, err := s.DB.UserByEmail(t.Context(), "mia@contoso.example")
	if err != nil || len(mia.Roles) != 0 {
		t.Fatalf("domain user: %+v %v", mia, err)
	}
	if res := d.Get("/leads"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/no-role") {
		t.Errorf("a user with no role on /leads: %d → %q", res.StatusCode, res.Header.Get("Location"))
	}
	if res := d.Get("/no-role"); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "no role has been given to you yet") {
		t.Errorf("/no-role: %d", res.StatusCode)
	}
}

// The other providers need no network to start: each sends the browser to its own sign-in page with
// our callback and a fresh state, and Entra ID to the configured tenant.
func TestEachConfiguredProviderStartsAtItsOwnSignInPage(t *testing.T) {
	s := testkit.NewServer(t)
	s.Cfg.Entra = config.Provider{ClientID: "entra-id", ClientSecret: "x", Tenant: "contoso.onmicrosoft.com"}
	s.Cfg.Google = config.Provider{ClientID: "google-id", ClientSecret: "x"}
	s.Cfg.GitHub = config.Provider{ClientID: "github-id", ClientSecret: "x"}
	page := s.Client().Get("/login").Body
	for _, want := range []string{"Sign in with Microsoft", "Sign in with Google", "Sign in with GitHub"} {
		if !strings.Contains(page, want) {
			t.Errorf("sign-in page lacks %q", want)
		}
	}
	if strings.Contains(page, "/auth/oidc") {
		t.Error("a button for OpenID Connect, which is not set up")
	}
	states := map[string]bool{}
	for key, prefix := range map[string]string{
		"entra":  "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize?",
		"google": "https://accounts.google.com/o/oauth2/auth?",
		"github": "https://github.com/login/oauth/authorize?",
	} {
		res := s.Client().Get("/auth/" + key)
		loc := res.Header.Get("Location")
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, prefix) {
			t.Errorf("%s: %d → %q", key, res.StatusCode, loc)
			continue
		}
		u, _ := url.Parse(loc)
		if got := u.Query().Get("redirect_uri"); got != s.URL+"/auth/"+key+"/callback" {
			t.Errorf("%s: redirect_uri = %q", key, got)
		}
		state := u.Query().Get("state")
		if len(state) < 32 || states[state] {
			t.Errorf("%s: state %q is short or repeated", key, state)
		}
		states[state] = true
	}
}

func TestOpenIDConnectSlowOrUnreachableProviderGetsAPlainPage(t *testing.T) {
	s, m := oidcServer(t)
	s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals)
	// A sign-in left at the provider for more than 10 minutes must start again.
	c := s.Client()
	cb := startSSO(t, s, c, m, mockUser("sub-aiko", "aiko@example.com", true))
	s.Clock.Advance(11 * time.Minute)
	if res := c.Get(cb); res.StatusCode != http.StatusBadRequest || signedIn(t, c) {
		t.Fatalf("callback after 11 minutes: %d", res.StatusCode)
	}

	// An issuer that does not answer discovery: a clear page naming the provider, never a 500.
	down := testkit.NewServer(t)
	down.Cfg.OIDC = config.Provider{ClientID: "x", ClientSecret: "y", Issuer: "http://127.0.0.1:1", Name: "Contoso ID"}
	res := down.Client().Get("/auth/oidc")
	if res.StatusCode != http.StatusBadGateway || !strings.Contains(res.Body, "Sign-in with Contoso ID is not available right now") {
		t.Fatalf("unreachable issuer: %d\n%s", res.StatusCode, res.Body)
	}
}
