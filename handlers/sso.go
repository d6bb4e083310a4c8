package handlers

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/markbates/goth"
	"github.com/markbates/goth/providers/github"
	"github.com/markbates/goth/providers/google"
	"github.com/markbates/goth/providers/openidConnect"

	"leaddesk/db"
)

// Single sign-on through goth, without gothic or goth.UseProviders (both keep package-level state):
// the Handler builds its providers from its own Config, and keeps the state of a sign-in in progress
// in our signed, encrypted session cookie.

// ssoKeys are the providers in button order; the key is the {provider} of /auth/{provider}.
var ssoKeys = []string{"entra", "google", "github", "oidc"}

// ssoStateTTL is how long a started provider sign-in may take.
const ssoStateTTL = 10 * time.Minute

// session keys of a provider sign-in in progress
const (
	sessSSOProvider = "sso_provider"
	sessSSOState    = "sso_state"
	sessSSOData     = "sso_data"
	sessSSONext     = "sso_next"
	sessSSOStarted  = "sso_started"
)

// ssoButton is one "Sign in with …" button on the login page.
type ssoButton struct{ Key, Label string }

// ssoRegistry holds the providers built so far. OpenID Connect discovery needs the network, so
// providers are built on first use rather than at start: an identity provider that is down does not
// stop Leaddesk from starting, and the next sign-in tries again.
type ssoRegistry struct {
	mu    sync.Mutex
	built map[string]goth.Provider
}

func (h *Handler) ssoSettings(key string) (cfgOn bool, label string) {
	switch key {
	case "entra":
		return h.Cfg.Entra.Enabled(), "Microsoft"
	case "google":
		return h.Cfg.Google.Enabled(), "Google"
	case "github":
		return h.Cfg.GitHub.Enabled(), "GitHub"
	case "oidc":
		name := h.Cfg.OIDC.Name
		if name == "" {
			name = "OpenID Connect"
		}
		return h.Cfg.OIDC.Enabled(), name
	}
	return false, ""
}

// ssoButtons lists the configured providers.
func (h *Handler) ssoButtons() []ssoButton {
	var out []ssoButton
	for _, k := range ssoKeys {
		if on, label := h.ssoSettings(k); on {
			out = append(out, ssoButton{Key: k, Label: label})
		}
	}
	return out
}

// ssoProvider returns the configured provider for key, building it on first use.
func (h *Handler) ssoProvider(key string) (goth.Provider, error) {
	h.sso.mu.Lock()
	defer h.sso.mu.Unlock()
	if p, ok := h.sso.built[key]; ok {
		return p, nil
	}
	callback := h.Cfg.BaseURL + "/auth/" + key + "/callback"
	var p goth.Provider
	switch key {
	case "entra":
		e, err := newEntraProvider(h.Cfg, callback, h.Clock.Now)
		if err != nil {
			return nil, err
		}
		p = e
	case "google":
		p = google.New(h.Cfg.Google.ClientID, h.Cfg.Google.ClientSecret, callback, "openid", "email", "profile")
	case "github":
		web, api := h.githubURLs()
		p = github.NewCustomisedURL(h.Cfg.GitHub.ClientID, h.Cfg.GitHub.ClientSecret, callback,
			web+"/login/oauth/authorize", web+"/login/oauth/access_token", api+"/user", api+"/user/emails", "read:user", "user:email")
	case "oidc":
		discovery := strings.TrimRight(h.Cfg.OIDC.Issuer, "/") + "/.well-known/openid-configuration"
		o, err := openidConnect.New(h.Cfg.OIDC.ClientID, h.Cfg.OIDC.ClientSecret, callback, discovery, "openid", "email", "profile")
		if err != nil {
			return nil, fmt.Errorf("openid connect discovery at %s: %w", discovery, err)
		}
		p = o
	default:
		return nil, fmt.Errorf("unknown provider %q", key)
	}
	if h.sso.built == nil {
		h.sso.built = map[string]goth.Provider{}
	}
	h.sso.built[key] = p
	return p, nil
}

// ssoBegin sends the browser to the provider, remembering a random state in the session.
func (h *Handler) ssoBegin(c echo.Context) error {
	key := c.Param("provider")
	on, label := h.ssoSettings(key)
	if !on {
		return echo.NewHTTPError(http.StatusNotFound, h.T(c, "auth.sso_unknown"))
	}
	p, err := h.ssoProvider(key)
	if err != nil {
		h.Log.Warn("single sign-on unavailable", "provider", key, "err", err)
		return h.ssoRefuse(c, http.StatusBadGateway, h.T(c, "auth.sso_unavailable", label))
	}
	state := db.NewSecretToken()
	gs, err := p.BeginAuth(state)
	if err != nil {
		h.Log.Warn("single sign-on begin", "provider", key, "err", err)
		return h.ssoRefuse(c, http.StatusBadGateway, h.T(c, "auth.sso_unavailable", label))
	}
	authURL, err := gs.GetAuthURL()
	if err != nil {
		h.Log.Warn("single sign-on begin", "provider", key, "err", err)
		return h.ssoRefuse(c, http.StatusBadGateway, h.T(c, "auth.sso_unavailable", label))
	}
	s := h.session(c)
	s.Values[sessSSOProvider] = key
	s.Values[sessSSOState] = state
	s.Values[sessSSOData] = gs.Marshal()
	s.Values[sessSSONext] = safeNext(c.QueryParam("next"), "/leads")
	s.Values[sessSSOStarted] = h.Clock.Now().Unix()
	if err := s.Save(c.Request(), c.Response()); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, authURL)
}

// ssoCallback finishes a provider sign-in: the state must be the one this browser started with, the
// provider must vouch for a verified email, and that email must belong to a user (or an invitation,
// or an admitted domain).
func (h *Handler) ssoCallback(c echo.Context) error {
	key := c.Param("provider")
	on, label := h.ssoSettings(key)
	if !on {
		return echo.NewHTTPError(http.StatusNotFound, h.T(c, "auth.sso_unknown"))
	}
	s := h.session(c)
	wantProvider, _ := s.Values[sessSSOProvider].(string)
	wantState, _ := s.Values[sessSSOState].(string)
	data, _ := s.Values[sessSSOData].(string)
	next, _ := s.Values[sessSSONext].(string)
	started, _ := s.Values[sessSSOStarted].(int64)
	// The state is single use: forget it before anything else can fail.
	for _, k := range []string{sessSSOProvider, sessSSOState, sessSSOData, sessSSONext, sessSSOStarted} {
		delete(s.Values, k)
	}
	if err := s.Save(c.Request(), c.Response()); err != nil {
		return err
	}
	q := c.QueryParams()
	if e := q.Get("error"); e != "" {
		// Cancelled consent (access_denied) or another provider error: say so, nothing more.
		h.Log.Info("single sign-on answered with an error", "provider", key, "error", e)
		if e == "access_denied" {
			return h.ssoRefuse(c, http.StatusUnauthorized, h.T(c, "auth.sso_cancelled", label))
		}
		return h.ssoRefuse(c, http.StatusBadGateway, h.T(c, "auth.sso_failed", label))
	}
	got := q.Get("state")
	if wantState == "" || wantProvider != key || got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(wantState)) != 1 ||
		h.Clock.Now().Sub(time.Unix(started, 0)) > ssoStateTTL {
		return h.ssoRefuse(c, http.StatusBadRequest, h.T(c, "auth.sso_state"))
	}
	p, err := h.ssoProvider(key)
	if err != nil {
		h.Log.Warn("single sign-on unavailable", "provider", key, "err", err)
		return h.ssoRefuse(c, http.StatusBadGateway, h.T(c, "auth.sso_unavailable", label))
	}
	gs, err := p.UnmarshalSession(data)
	if err == nil {
		_, err = gs.Authorize(p, q)
	}
	var gu goth.User
	if err == nil {
		gu, err = p.FetchUser(gs)
	}
	if err == nil && key == "github" {
		gu.Email, err = h.githubVerifiedEmail(c.Request().Context(), gu.AccessToken)
	}
	if err != nil {
		h.Log.Warn("single sign-on failed", "provider", key, "err", err)
		return h.ssoRefuse(c, http.StatusBadGateway, h.T(c, "auth.sso_failed", label))
	}
	u, err := h.ssoAdmit(c.Request().Context(), key, gu)
	if errors.Is(err, errNotAdmitted) {
		return h.ssoRefuse(c, http.StatusForbidden, h.T(c, "auth.sso_refused"))
	}
	if err != nil {
		return err
	}
	return h.signIn(c, u, safeNext(next, "/leads"))
}

// ssoRefuse shows the sign-in page with what went wrong.
func (h *Handler) ssoRefuse(c echo.Context, status int, msg string) error {
	return h.renderLogin(c, status, loginData{Next: "/leads", Error: msg})
}
