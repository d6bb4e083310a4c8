package pcsim

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"leaddesk/partnercenter"
)

// authCode is an authorization code waiting to be redeemed.
type authCode struct {
	clientID    string
	redirectURI string
	challenge   string
	expires     time.Time
}

// codeTTL is how long an authorization code may wait (Entra: about 10 minutes).
const codeTTL = 10 * time.Minute

// authorize is the Entra v2 authorize endpoint; the simulated admin signs in with MFA and consents
// at once, and the browser is sent back with a code.
func (s *Sim) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if !s.tenantOK(r.PathValue("tenant")) {
		http.Error(w, "AADSTS90002: Tenant not found.", http.StatusBadRequest)
		return
	}
	redirect := q.Get("redirect_uri")
	ru, err := url.Parse(redirect)
	if q.Get("client_id") != s.opts.ClientID || redirect == "" || err != nil || !ru.IsAbs() {
		// Entra shows an error page rather than redirecting to an unverified URI.
		http.Error(w, "AADSTS700016 / AADSTS50011: unknown application or redirect URI.", http.StatusBadRequest)
		return
	}
	back := func(v url.Values) {
		if st := q.Get("state"); st != "" {
			v.Set("state", st)
		}
		ru.RawQuery = v.Encode()
		http.Redirect(w, r, ru.String(), http.StatusFound)
	}
	switch {
	case q.Get("response_type") != "code":
		back(url.Values{"error": {"unsupported_response_type"}})
		return
	case q.Get("code_challenge") == "" || q.Get("code_challenge_method") != "S256":
		back(url.Values{"error": {"invalid_request"}, "error_description": {"AADSTS9002325: Proof Key for Code Exchange (S256) is required."}})
		return
	case !strings.Contains(q.Get("scope"), "offline_access"):
		back(url.Values{"error": {"invalid_scope"}, "error_description": {"offline_access is required for a refresh token."}})
		return
	}
	code := randomID(24)
	s.mu.Lock()
	s.codes[code] = authCode{clientID: q.Get("client_id"), redirectURI: redirect, challenge: q.Get("code_challenge"),
		expires: s.opts.Clock.Now().Add(codeTTL)}
	s.mu.Unlock()
	back(url.Values{"code": {code}})
}

func (s *Sim) tenantOK(t string) bool {
	return t == s.opts.Tenant || t == "organizations" || t == "common"
}

// tokenError is Entra's error answer.
type tokenError struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
	ErrorCodes       []int  `json:"error_codes,omitempty"`
}

// token is the Entra v2 token endpoint: authorization_code (with PKCE) and refresh_token grants.
// Every refresh rotates the refresh token: the old one stops working.
func (s *Sim) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, tokenError{"invalid_request", "AADSTS900144: malformed request body.", nil})
		return
	}
	f := r.PostForm
	id, secret := f.Get("client_id"), f.Get("client_secret")
	if u, p, ok := r.BasicAuth(); ok {
		id, secret = u, p
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.TokenCalls++
	if !s.tenantOK(r.PathValue("tenant")) {
		writeJSON(w, http.StatusBadRequest, tokenError{"invalid_request", "AADSTS90002: Tenant not found.", []int{90002}})
		return
	}
	if id != s.opts.ClientID || subtle.ConstantTimeCompare([]byte(secret), []byte(s.opts.ClientSecret)) != 1 {
		writeJSON(w, http.StatusUnauthorized, tokenError{"invalid_client", "AADSTS7000215: Invalid client secret provided.", []int{7000215}})
		return
	}
	if !strings.Contains(f.Get("scope"), partnercenterResource) {
		writeJSON(w, http.StatusBadRequest, tokenError{"invalid_scope", "AADSTS70011: The provided scope is not valid for Partner Center.", []int{70011}})
		return
	}
	now := s.opts.Clock.Now()
	switch f.Get("grant_type") {
	case "authorization_code":
		c, ok := s.codes[f.Get("code")]
		delete(s.codes, f.Get("code")) // a code is redeemed once, even when the attempt fails
		switch {
		case !ok || now.After(c.expires) || c.clientID != id:
			writeJSON(w, http.StatusBadRequest, tokenError{"invalid_grant", "AADSTS70008: The provided authorization code or refresh token has expired or was already used.", []int{70008}})
			return
		case c.redirectURI != f.Get("redirect_uri"):
			writeJSON(w, http.StatusBadRequest, tokenError{"invalid_grant", "AADSTS500112: The reply address does not match the one of the authorization request.", []int{500112}})
			return
		case partnercenter.PKCEChallenge(f.Get("code_verifier")) != c.challenge:
			writeJSON(w, http.StatusBadRequest, tokenError{"invalid_grant", "AADSTS501481: The Code_Verifier does not match the code_challenge supplied in the authorization request.", []int{501481}})
			return
		}
	case "refresh_token":
		rt := f.Get("refresh_token")
		if !s.refresh[rt] {
			writeJSON(w, http.StatusBadRequest, tokenError{"invalid_grant", "AADSTS50173: The provided grant has expired due to it being revoked, a fresh auth token is needed.", []int{50173}})
			return
		}
		delete(s.refresh, rt)
	default:
		writeJSON(w, http.StatusBadRequest, tokenError{"unsupported_grant_type", "AADSTS70003: The grant type is not supported.", []int{70003}})
		return
	}
	access, refresh := "sim-at-"+randomID(20), "sim-rt-"+randomID(32)
	s.access[access] = now.Add(s.opts.AccessTokenTTL)
	s.refresh[refresh] = true
	writeJSON(w, http.StatusOK, map[string]any{
		"token_type": "Bearer", "scope": partnercenterResource + "/user_impersonation",
		"expires_in": int(s.opts.AccessTokenTTL / time.Second), "ext_expires_in": int(s.opts.AccessTokenTTL / time.Second),
		"access_token": access, "refresh_token": refresh,
	})
}

const partnercenterResource = "https://api.partner.microsoft.com"

// Revoke withdraws every grant, as when an admin revokes the app's consent or the refresh token
// expires: access tokens stop working and refreshing answers invalid_grant.
func (s *Sim) Revoke() {
	s.mu.Lock()
	clear(s.refresh)
	clear(s.access)
	s.mu.Unlock()
}

// ExpireAccessTokens makes every issued access token invalid while grants stay, so the next call
// gets a 401 and must refresh.
func (s *Sim) ExpireAccessTokens() {
	s.mu.Lock()
	clear(s.access)
	s.mu.Unlock()
}

// Consent plays the admin's browser on an authorization URL: it follows nothing and returns the code
// and state the simulator redirects back with, or the error it sent.
func Consent(client *http.Client, authURL string) (code, state string, err error) {
	c := *client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Get(authURL)
	if err != nil {
		return "", "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		return "", "", fmt.Errorf("pcsim: authorize answered %d", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		return "", "", err
	}
	q := loc.Query()
	if e := q.Get("error"); e != "" {
		return "", q.Get("state"), errors.New("pcsim: authorize: " + e + ": " + q.Get("error_description"))
	}
	return q.Get("code"), q.Get("state"), nil
}
