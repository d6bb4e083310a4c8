package handlers_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/oauth2-proxy/mockoidc"

	"leaddesk/config"
	"leaddesk/db"
	"leaddesk/internal/testkit"
)

const (
	contosoTID  = "3fa85f64-5717-4562-b3fc-2c963f66afa6" // our tenant
	attackerTID = "9b2d6c3e-0000-4bad-8bad-000000000bad" // anyone's own tenant
)

// entraUser is a user as Microsoft Entra ID describes one in a v2.0 id_token: tenant (tid), object id
// (oid), the mail attribute as `email` (with the optional xms_edov claim when the app asks for it),
// the sign-in name as preferred_username, and idp for guests.
type entraUser struct {
	TID, OID, Email, UPN, IdP, Name string
	EmailDomainVerified             *bool // xms_edov; nil = not in the token
	issuer                          string
}

func (u *entraUser) ID() string { return u.OID }
func (u *entraUser) Userinfo([]string) ([]byte, error) {
	return json.Marshal(map[string]string{"sub": u.OID})
}
func (u *entraUser) Claims(_ []string, base *mockoidc.IDTokenClaims) (jwt.Claims, error) {
	c := jwt.MapClaims{"aud": base.Audience, "exp": base.ExpiresAt, "iat": base.IssuedAt, "nbf": base.NotBefore,
		"sub": "pairwise-" + u.OID, "nonce": base.Nonce, "ver": "2.0",
		"iss": u.issuer + "/" + u.TID + "/v2.0", "tid": u.TID, "oid": u.OID, "name": u.Name, "preferred_username": u.UPN}
	if u.Email != "" {
		c["email"] = u.Email
	}
	if u.EmailDomainVerified != nil {
		c["xms_edov"] = *u.EmailDomainVerified
	}
	if u.IdP != "" {
		c["idp"] = u.IdP
	}
	return c, nil
}

// entraServer is a real OpenID Connect provider on loopback (mockoidc) behind Entra ID's URL layout,
// {authority}/{tenant}/oauth2/v2.0/authorize and …/token, issuing id_tokens with Entra's claims.
type entraServer struct {
	*mockoidc.MockOIDC
	URL string
}

func startEntra(t *testing.T) *entraServer {
	t.Helper()
	m, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Shutdown() })
	target, _ := url.Parse(m.Addr())
	route := regexp.MustCompile(`^/[^/]+/oauth2/v2\.0/(authorize|token)$`)
	front := httptest.NewServer(&httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(target)
		if p := route.FindStringSubmatch(r.In.URL.Path); p != nil {
			r.Out.URL.Path = "/oidc/" + p[1]
		}
	}})
	t.Cleanup(front.Close)
	return &entraServer{MockOIDC: m, URL: front.URL}
}

// entraApp is Leaddesk with Microsoft sign-in for Contoso's tenant, pointed at the loopback Entra.
func entraApp(t *testing.T) (*testkit.Server, *entraServer) {
	s := testkit.NewServer(t)
	e := startEntra(t)
	s.Cfg.Entra = config.Provider{ClientID: e.ClientID, ClientSecret: e.ClientSecret, Tenant: contosoTID}
	s.Cfg.EntraAuthority = e.URL
	return s, e
}

// entraSignIn is one browser's trip through the loopback Entra ID with u, ending at our callback.
func entraSignIn(t *testing.T, s *testkit.Server, e *entraServer, u *entraUser) (*testkit.Client, *testkit.Response) {
	t.Helper()
	u.issuer = e.URL
	e.QueueUser(u)
	c := s.Client()
	res := c.Get("/auth/entra")
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, e.URL+"/"+contosoTID+"/oauth2/v2.0/authorize?") {
		t.Fatalf("/auth/entra: %d → %q", res.StatusCode, loc)
	}
	back, err := idp.Get(loc)
	if err != nil {
		t.Fatal(err)
	}
	back.Body.Close()
	cb := back.Header.Get("Location")
	if !strings.HasPrefix(cb, s.URL+"/auth/entra/callback?") {
		t.Fatalf("Entra answered %d → %q", back.StatusCode, cb)
	}
	return c, c.Get(strings.TrimPrefix(cb, s.URL))
}

func yes() *bool { b := true; return &b }
func no() *bool  { b := false; return &b }

// nOAuth: a user of another tenant whose mail attribute is set to a Leaddesk user's address, or one of
// our own tenant whose mail is unverified, is refused; the victim's account is untouched.
func TestEntraRefusesTheUnverifiedMailClaimAndOtherTenants(t *testing.T) {
	s, e := entraApp(t)
	s.Cfg.SignInDomains = []string{"contoso.com"}
	s.CreateUser("aiko@contoso.com", "Aiko Tanaka", db.RoleReferrals)
	for name, u := range map[string]*entraUser{
		"another tenant, mail set to Aiko's":              {TID: attackerTID, OID: "oid-eve", Email: "aiko@contoso.com", UPN: "eve@evil.onmicrosoft.com"},
		"another tenant, even claiming a verified domain": {TID: attackerTID, OID: "oid-eve", Email: "aiko@contoso.com", EmailDomainVerified: yes(), UPN: "aiko@contoso.com"},
		"our tenant, unverified mail, UPN elsewhere":      {TID: contosoTID, OID: "oid-mal", Email: "aiko@contoso.com", EmailDomainVerified: no(), UPN: "mallory@contoso.onmicrosoft.com"},
		"our tenant, mail without xms_edov":               {TID: contosoTID, OID: "oid-mal", Email: "aiko@contoso.com", UPN: "mallory@contoso.onmicrosoft.com"},
		"a guest in our tenant":                           {TID: contosoTID, OID: "oid-guest", UPN: "aiko@contoso.com", IdP: "https://sts.windows.net/" + attackerTID + "/"},
		"a guest whose UPN is the #EXT# form":             {TID: contosoTID, OID: "oid-guest2", UPN: "aiko_contoso.com#EXT#@contoso.onmicrosoft.com"},
		"a new address in an admitted domain, unverified": {TID: contosoTID, OID: "oid-new", Email: "new@contoso.com", UPN: "x@contoso.onmicrosoft.com"},
	} {
		c, res := entraSignIn(t, s, e, u)
		if res.StatusCode != http.StatusForbidden || !strings.Contains(res.Body, "cannot sign in to Leaddesk") {
			t.Errorf("%s: %d\n%s", name, res.StatusCode, res.Body)
		}
		if signedIn(t, c) {
			t.Errorf("%s: signed in", name)
		}
	}
	if n, _ := s.DB.CountUsers(t.Context()); n != 1 {
		t.Errorf("users = %d, want no new user", n)
	}
	if _, err := s.DB.UserByIdentity(t.Context(), "entra", "oid-eve"); err == nil {
		t.Error("the other tenant's identity got linked to Aiko")
	}
}

// Admitted: a member of our tenant by the sign-in name the tenant verified, or by an email whose
// domain Entra marks verified (xms_edov); afterwards the tenant's object id finds the user.
func TestEntraAdmitsOurTenantByAVerifiedClaim(t *testing.T) {
	s, e := entraApp(t)
	aiko := s.CreateUser("aiko@contoso.com", "Aiko Tanaka", db.RoleReferrals)
	ken := s.CreateUser("ken@contoso.co.jp", "Ken Sato", db.RoleReferrals)
	for name, tc := range map[string]struct {
		u  *entraUser
		id int64
	}{
		"by UPN":              {&entraUser{TID: contosoTID, OID: "oid-aiko", UPN: "Aiko@Contoso.com", Name: "Aiko"}, aiko.ID},
		"by verified email":   {&entraUser{TID: contosoTID, OID: "oid-ken", Email: "ken@contoso.co.jp", EmailDomainVerified: yes(), UPN: "ken@contoso.onmicrosoft.com"}, ken.ID},
		"by oid, UPN renamed": {&entraUser{TID: contosoTID, OID: "oid-aiko", UPN: "aiko.tanaka@contoso.com"}, aiko.ID},
	} {
		c, res := entraSignIn(t, s, e, tc.u)
		if res.StatusCode != http.StatusSeeOther || !signedIn(t, c) {
			t.Fatalf("%s: %d\n%s", name, res.StatusCode, res.Body)
		}
		if got, err := s.DB.UserByIdentity(t.Context(), "entra", tc.u.OID); err != nil || got.ID != tc.id {
			t.Errorf("%s: identity %s → %v %v", name, tc.u.OID, got, err)
		}
	}

}

// LEADDESK_ENTRA_ALLOWED_TENANTS admits a second tenant (a subsidiary), still only by verified claims.
func TestEntraAllowListAdmitsASecondTenant(t *testing.T) {
	s, e := entraApp(t)
	const subsidiary = "5d1c9a8e-1111-4c2f-9a3b-222222222222"
	s.Cfg.EntraAllowedTenants = []string{subsidiary}
	mia := s.CreateUser("mia@fabrikam.com", "Mia Ito", db.RoleReferrals)
	if c, res := entraSignIn(t, s, e, &entraUser{TID: subsidiary, OID: "oid-mia", UPN: "mia@fabrikam.com"}); res.StatusCode != http.StatusSeeOther || !signedIn(t, c) {
		t.Fatalf("allowed second tenant: %d", res.StatusCode)
	}
	if got, _ := s.DB.UserByIdentity(t.Context(), "entra", "oid-mia"); got == nil || got.ID != mia.ID {
		t.Error("the allowed tenant's user is not linked")
	}
	if c, res := entraSignIn(t, s, e, &entraUser{TID: subsidiary, OID: "oid-x", Email: "mia@fabrikam.com", UPN: "x@fabrikam.onmicrosoft.com"}); res.StatusCode != http.StatusForbidden || signedIn(t, c) {
		t.Errorf("allowed tenant, unverified mail: %d", res.StatusCode)
	}
}

// An id_token that names a tenant but was issued for another (iss and tid disagree) is refused.
func TestEntraRefusesATokenWhoseIssuerIsNotItsTenant(t *testing.T) {
	s, e := entraApp(t)
	s.CreateUser("aiko@contoso.com", "Aiko Tanaka", db.RoleReferrals)
	u := &forgedIssuer{entraUser{TID: contosoTID, OID: "oid-aiko", UPN: "aiko@contoso.com"}}
	u.issuer = e.URL
	e.QueueUser(u)
	c := s.Client()
	res := c.Get("/auth/entra")
	back, err := idp.Get(res.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	back.Body.Close()
	res = c.Get(strings.TrimPrefix(back.Header.Get("Location"), s.URL))
	if res.StatusCode == http.StatusSeeOther || signedIn(t, c) {
		t.Fatalf("forged issuer: %d", res.StatusCode)
	}
}

type forgedIssuer struct{ entraUser }

func (u *forgedIssuer) Claims(scope []string, base *mockoidc.IDTokenClaims) (jwt.Claims, error) {
	c, _ := u.entraUser.Claims(scope, base)
	c.(jwt.MapClaims)["iss"] = u.issuer + "/" + attackerTID + "/v2.0"
	return c, nil
}
