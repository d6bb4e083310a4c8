package handlers

import "testing"

// The request log must not hold the secrets some paths carry: a logged, unused reset or invitation
// link would let whoever reads the log take the account.
func TestLogPathHidesLinkSecrets(t *testing.T) {
	for path, want := range map[string]string{
		"/reset/Zm9vYmFyc2VjcmV0":            "/reset/…",
		"/invite/Zm9vYmFyc2VjcmV0":           "/invite/…",
		"/setup/Zm9vYmFyc2VjcmV0":            "/setup/…",
		"/intake/marketplace/ld_secrettoken": "/intake/…",
		"/leads/42":                          "/leads/42",
		"/settings/password":                 "/settings/password",
	} {
		if got := logPath(path); got != want {
			t.Errorf("logPath(%q) = %q, want %q", path, got, want)
		}
	}
}
