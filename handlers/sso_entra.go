package handlers

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/markbates/goth"
	"github.com/markbates/goth/providers/openidConnect"
	"golang.org/x/oauth2"

	"leaddesk/config"
)

// Microsoft Entra ID sign-in as OpenID Connect against the configured tenant (issue 11, "nOAuth").
// goth's azureadv2 provider reads the user from Microsoft Graph, whose `mail` is set by whoever runs
// the user's tenant: anyone can create a tenant and a user there with a victim's address. So the
// id_token decides instead: its tenant (tid) must be an allowed one, and the address used is the one
// Microsoft vouches for (see entraVerifiedEmail).

// entraProvider is a goth.Provider for one Entra ID tenant (or "organizations" with an allow-list).
type entraProvider struct {
	oidc     *openidConnect.Provider // authorize and token endpoints only: no discovery, no userinfo
	clientID string
	issuer   string // authority, e.g. https://login.microsoftonline.com; an id_token's iss is issuer/{tid}/v2.0
	tenants  []string
	now      func() time.Time
}

func newEntraProvider(cfg *config.Config, callback string, now func() time.Time) (*entraProvider, error) {
	authority := strings.TrimRight(cfg.EntraAuthority, "/")
	if authority == "" {
		authority = "https://login.microsoftonline.com"
	}
	tenant := strings.TrimSpace(cfg.Entra.Tenant)
	if tenant == "" {
		tenant = "organizations"
	}
	base := authority + "/" + url.PathEscape(tenant) + "/oauth2/v2.0/"
	o, err := openidConnect.NewCustomisedURL(cfg.Entra.ClientID, cfg.Entra.ClientSecret, callback,
		base+"authorize", base+"token", "", "", "", "openid", "profile", "email")
	if err != nil {
		return nil, err
	}
	o.SkipUserInfoRequest = true
	o.SetName("entra")
	return &entraProvider{oidc: o, clientID: cfg.Entra.ClientID, issuer: authority, tenants: cfg.EntraTenants(), now: now}, nil
}

// entraSession is the OpenID Connect session, authorised against the inner provider.
type entraSession struct {
	*openidConnect.Session
	p *openidConnect.Provider
}

func (s entraSession) Authorize(_ goth.Provider, params goth.Params) (string, error) {
	return s.Session.Authorize(s.p, params)
}

func (p *entraProvider) Name() string                { return "entra" }
func (p *entraProvider) SetName(string)              {}
func (p *entraProvider) Debug(bool)                  {}
func (p *entraProvider) RefreshTokenAvailable() bool { return false }
func (p *entraProvider) RefreshToken(string) (*oauth2.Token, error) {
	return nil, errors.New("entra: no refresh tokens")
}

func (p *entraProvider) BeginAuth(state string) (goth.Session, error) {
	s, err := p.oidc.BeginAuth(state)
	if err != nil {
		return nil, err
	}
	return entraSession{Session: s.(*openidConnect.Session), p: p.oidc}, nil
}

func (p *entraProvider) UnmarshalSession(data string) (goth.Session, error) {
	s, err := p.oidc.UnmarshalSession(data)
	if err != nil {
		return nil, err
	}
	return entraSession{Session: s.(*openidConnect.Session), p: p.oidc}, nil
}

// FetchUser reads the id_token that came straight from the token endpoint over TLS with our client
// secret (OpenID Connect Core §3.1.3.7: that channel vouches for the issuer, so the signature need
// not be checked again). It must be for us, current, and issued by an allowed tenant; the user is the
// tenant's object id (oid), which never changes, unlike names and addresses.
func (p *entraProvider) FetchUser(session goth.Session) (goth.User, error) {
	s, ok := session.(entraSession)
	if !ok || s.IDToken == "" {
		return goth.User{}, errors.New("entra: no id_token in the token response")
	}
	claims, err := jwtClaims(s.IDToken)
	if err != nil {
		return goth.User{}, err
	}
	str := func(k string) string { v, _ := claims[k].(string); return v }
	tid := strings.ToLower(str("tid"))
	switch {
	case !audienceIs(claims["aud"], p.clientID):
		return goth.User{}, errors.New("entra: id_token is for another application")
	case !expiresAfter(claims["exp"], p.now()):
		return goth.User{}, errors.New("entra: id_token expired")
	case str("iss") != p.issuer+"/"+tid+"/v2.0":
		return goth.User{}, fmt.Errorf("entra: id_token issuer %q does not match its tenant %q", str("iss"), tid)
	case str("oid") == "":
		return goth.User{}, errors.New("entra: id_token without oid")
	}
	u := goth.User{Provider: "entra", UserID: str("oid"), Name: str("name"), RawData: claims, IDToken: s.IDToken,
		AccessToken: s.AccessToken, ExpiresAt: s.ExpiresAt}
	if slices.Contains(p.tenants, tid) {
		u.Email = entraVerifiedEmail(claims)
	}
	return u, nil
}

// entraVerifiedEmail is the address Microsoft vouches for in an allowed tenant's id_token, or "":
//   - the email claim only with xms_edov true (the optional claim saying the address's domain is
//     verified by its tenant; without it the claim is the unverified mail attribute), or
//   - the sign-in name (upn, else preferred_username) of a member of the tenant: its domain must be
//     one the tenant has verified. A guest's (idp other than the tenant, or #EXT#) is refused.
func entraVerifiedEmail(claims map[string]any) string {
	str := func(k string) string { v, _ := claims[k].(string); return strings.ToLower(strings.TrimSpace(v)) }
	if email := str("email"); email != "" && (claims["xms_edov"] == true || claims["xms_edov"] == "true" || claims["xms_edov"] == "1") {
		return email
	}
	if idp := str("idp"); idp != "" && idp != str("iss") && idp != "https://sts.windows.net/"+str("tid")+"/" {
		return "" // a guest, signed in by another tenant or a consumer account
	}
	name := str("upn")
	if name == "" {
		name = str("preferred_username")
	}
	if strings.Contains(name, "#ext#") {
		return ""
	}
	return name
}

// jwtClaims decodes a JWT's payload.
func jwtClaims(token string) (map[string]any, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, errors.New("entra: id_token is not a JWT")
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return nil, fmt.Errorf("entra: id_token: %w", err)
	}
	var claims map[string]any
	if err := json.Unmarshal(b, &claims); err != nil {
		return nil, fmt.Errorf("entra: id_token: %w", err)
	}
	return claims, nil
}

func audienceIs(aud any, clientID string) bool {
	switch a := aud.(type) {
	case string:
		return a == clientID
	case []any:
		return slices.Contains(a, any(clientID))
	}
	return false
}

func expiresAfter(exp any, now time.Time) bool {
	f, ok := exp.(float64)
	return ok && time.Unix(int64(f), 0).Add(10*time.Second).After(now)
}
