package handlers_test

import (
	"net/http"
	"net/url"
	"testing"

	"leaddesk/db"
	"leaddesk/internal/testkit"
)

// Every form that takes an address we may send mail to checks it the same way (contact.EmailSyntaxOK):
// an address one form refused used to pass another.
func TestEmailFieldsShareOneCheck(t *testing.T) {
	s := testkit.NewServer(t)
	s.CreateUser("kim@example.com", "Kim Admin", db.RoleAccount, db.RoleReferrals)
	c := s.Client()
	c.Login("kim@example.com")
	forms := map[string]func(email string) *testkit.Response{
		"notification address": func(e string) *testkit.Response {
			return c.PostForm("/settings/notifications", url.Values{"email": {e}, "enabled": {"1"}, "mode": {"single"}})
		},
		"invitation": func(e string) *testkit.Response {
			return c.PostForm("/admin/users/invite", url.Values{"email": {e}, "roles": {db.RoleReferrals}})
		},
	}
	for name, post := range forms {
		for _, bad := range []string{"ken@localhost", "ken@exa_mple.com", "ken@example.c", "Ken <ken@example.com>", "ken@@example.com"} {
			if res := post(bad); res.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("%s %q: %d, want 422", name, bad, res.StatusCode)
			}
		}
	}
	if res := forms["notification address"]("ken.ito@example.co.jp"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("a good notification address: %d", res.StatusCode)
	}
	if res := forms["invitation"]("ken.ito@example.co.jp"); res.StatusCode >= 300 {
		t.Errorf("a good invitation address: %d", res.StatusCode)
	}
}
