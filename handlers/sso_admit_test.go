package handlers

import (
	"testing"

	"github.com/markbates/goth"
)

func TestSSOVerifiedEmailTrustsOnlyVerifiedAddresses(t *testing.T) {
	for _, tc := range []struct {
		name, provider string
		user           goth.User
		want           string
	}{
		{"oidc verified", "oidc", goth.User{Email: "Aiko@Example.com", RawData: map[string]any{"email_verified": true}}, "aiko@example.com"},
		{"oidc verified as text", "oidc", goth.User{Email: "aiko@example.com", RawData: map[string]any{"email_verified": "true"}}, "aiko@example.com"},
		{"oidc unverified", "oidc", goth.User{Email: "aiko@example.com", RawData: map[string]any{"email_verified": false}}, ""},
		{"oidc silent", "oidc", goth.User{Email: "aiko@example.com", RawData: map[string]any{}}, ""},
		{"google verified", "google", goth.User{Email: "aiko@example.com", RawData: map[string]any{"verified_email": true}}, "aiko@example.com"},
		{"google unverified", "google", goth.User{Email: "aiko@example.com", RawData: map[string]any{"verified_email": false}}, ""},
		// The Entra provider sets Email only from a verified claim of an allowed tenant (sso_entra_test.go).
		{"entra", "entra", goth.User{Email: "Aiko@Contoso.com"}, "aiko@contoso.com"},
		{"entra, nothing verified", "entra", goth.User{RawData: map[string]any{"email": "aiko@contoso.com"}}, ""},
		{"github", "github", goth.User{Email: "aiko@example.com"}, "aiko@example.com"},
		{"no address", "github", goth.User{Email: "aiko"}, ""},
	} {
		if got := ssoVerifiedEmail(tc.provider, tc.user); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}
