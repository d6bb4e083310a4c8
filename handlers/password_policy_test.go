package handlers_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"leaddesk/db"
	"leaddesk/internal/testkit"
)

// A new password needs 12 characters and must not be a common password, a repeat, a keyboard run or
// the user's own name or address; the message says so in the user's language. A few unrelated words
// pass.
func TestNewPasswordsRefuseCommonAndRepeatedPatterns(t *testing.T) {
	s := testkit.NewServer(t)
	s.CreateUser("aiko.tanaka@example.com", "Aiko Tanaka", db.RoleReferrals)
	c := s.Client()
	c.Login("aiko.tanaka@example.com")
	change := func(pw string) *testkit.Response {
		c.Get("/settings")
		return c.PostForm("/settings/password", url.Values{"current": {testkit.TestPassword}, "password": {pw}, "confirm": {pw}})
	}
	if res := change("short pw"); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "at least 12 characters") {
		t.Errorf("11 characters: %d", res.StatusCode)
	}
	for _, pw := range []string{"password1234", "Password123!", "aaaaaaaaaaaa", "abcabcabcabc", "123456789012", "qwertyuiopas", "iloveyou1234", "aikotanaka12", "aiko.tanaka@example.com"} {
		if res := change(pw); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "too easy to guess") {
			t.Errorf("%q: %d, want 422 saying it is too easy to guess", pw, res.StatusCode)
		}
	}
	c.Get("/settings")
	c.PostForm("/lang", url.Values{"lang": {"ja"}})
	if res := change("password1234"); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "推測されやすい") {
		t.Errorf("in Japanese: %d", res.StatusCode)
	}
	if res := change("plum velvet orbit canyon"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("four unrelated words: %d\n%.500s", res.StatusCode, res.Body)
	}

	// The same rule at a reset link.
	s.CreateUser("admin@example.com", "Ada Admin", db.RoleAccount)
	admin := s.Client()
	admin.Login("admin@example.com")
	ken := s.CreateUser("ken@example.com", "Ken Sato", db.RoleReferrals)
	admin.Get("/admin/users/" + itoa(ken.ID))
	path := regexp.MustCompile(`/reset/[A-Za-z0-9_-]{20,}`).FindString(admin.PostForm("/admin/users/"+itoa(ken.ID)+"/reset", nil).Body)
	anon := s.Client()
	anon.Get(path)
	if res := anon.PostForm(path, url.Values{"password": {"kensato12345"}}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "too easy to guess") {
		t.Errorf("reset to a name and digits: %d", res.StatusCode)
	}
}
