package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"leaddesk/db"
	"leaddesk/internal/testkit"
)

// Invalid UTF-8 in any field of any browser form is refused with 422 naming the field, before the
// handler stores anything; valid text in any script goes through.
func TestInvalidUTF8InAnyFormFieldIsRefusedNamingTheField(t *testing.T) {
	s := testkit.NewServer(t)
	s.CreateUser("admin@example.com", "Ada Admin", db.RoleAccount, db.RoleProfile, db.RoleReferrals)
	c := s.Client()
	c.Login("admin@example.com")
	const bad = "Contoso\xff\xfe"
	for _, tc := range []struct {
		name, path, field string
		form              url.Values
	}{
		{"company profile", "/profile/company", "company_name", url.Values{"company_name": {bad}, "description": {"ok"}, "website": {""}}},
		{"location", "/profile/locations", "name", url.Values{"name": {bad}, "country": {"JP"}}},
		{"API token name", "/admin/tokens", "name", url.Values{"name": {bad}, "scopes": {"intake"}}},
		{"decline note", "/leads/1/decline", "notes", url.Values{"reason": {"other"}, "notes": {"gut\xc3"}}},
		{"bulk decline note", "/leads/bulk/decline", "notes", url.Values{"ids": {"1"}, "reason": {"other"}, "notes": {"\xe3\x81"}}},
		{"invited address", "/admin/users/invite", "email", url.Values{"email": {"ken\xff@example.com"}, "roles": {db.RoleReferrals}}},
		{"new user's name at an invitation", "/invite/some-token", "name", url.Values{"name": {"Ken \xff"}, "password": {"x"}}},
		{"a field name itself", "/profile/company", "\uFFFD", url.Values{"\xff": {"x"}, "company_name": {"Contoso"}}},
	} {
		c.Get("/settings") // a fresh CSRF token
		res := c.PostForm(tc.path, tc.form)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "“"+tc.field+"”") || !strings.Contains(res.Body, "not valid text") {
			t.Errorf("%s: %d, want 422 naming %q\n%.600s", tc.name, res.StatusCode, tc.field, res.Body)
		}
	}
	if p, err := s.DB.Profile(t.Context()); err != nil || strings.Contains(p.CompanyName, "Contoso") {
		t.Errorf("the profile was saved: %+v %v", p, err)
	}
	if toks, _ := s.DB.ListTokens(t.Context()); len(toks) != 0 {
		t.Errorf("%d tokens created", len(toks))
	}
	// A search in the address bar is a form field too.
	if res := c.Get("/leads?q=%FF"); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "“q”") {
		t.Errorf("search: %d", res.StatusCode)
	}

	// Japanese text is valid text, and the message comes in Japanese for a Japanese user.
	c.Get("/settings")
	if res := c.PostForm("/profile/company", url.Values{"company_name": {"コントソ株式会社"}, "description": {"クラウド移行の支援"}, "website": {""}}); res.StatusCode >= 400 {
		t.Fatalf("Japanese company name: %d\n%s", res.StatusCode, res.Body)
	}
	if p, _ := s.DB.Profile(t.Context()); p.CompanyName != "コントソ株式会社" {
		t.Errorf("company name = %q", p.CompanyName)
	}
	c.Get("/settings")
	c.PostForm("/lang", url.Values{"lang": {"ja"}})
	c.Get("/settings")
	if res := c.PostForm("/profile/company", url.Values{"company_name": {bad}}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "「company_name」欄") {
		t.Errorf("in Japanese: %d\n%.600s", res.StatusCode, res.Body)
	}
}
