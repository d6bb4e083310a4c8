package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"leaddesk/db"
	"leaddesk/handlers"
	"leaddesk/internal/testkit"
)

// guessAccounts creates guess0…guess(n-1)@example.com, so wrong passwords for them are checked against
// cheap test hashes (an unknown email is checked against a full-cost one, which is slow).
func guessAccounts(s *testkit.Server, n int) {
	for i := 0; i < n; i++ {
		s.CreateUser("guess"+strconv.Itoa(i)+"@example.com", "Guess "+strconv.Itoa(i))
	}
}

func signInAs(c *testkit.Client, email, pw string, headers ...string) *testkit.Response {
	c.T.Helper()
	return c.PostRaw("/login", url.Values{"csrf": {c.CSRF()}, "email": {email}, "password": {pw}}, headers...)
}

// 40 wrong passwords sent at once are not all checked: counting an attempt and checking the count
// are one step, so no more than the account's 5 free attempts reach the password check.
func TestParallelWrongPasswordsAreCheckedOnlyUpToTheLimit(t *testing.T) {
	s := testkit.NewServer(t)
	s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals)
	clients := make([]*testkit.Client, 40)
	for i := range clients {
		clients[i] = s.Client()
		clients[i].Get("/login")
	}
	start := make(chan struct{})
	statuses := make([]int, len(clients))
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			statuses[i] = signInAs(c, "aiko@example.com", "not the password "+strconv.Itoa(i)).StatusCode
		}()
	}
	close(start)
	wg.Wait()
	checked, throttled := 0, 0
	for _, st := range statuses {
		switch st {
		case http.StatusUnauthorized:
			checked++
		case http.StatusTooManyRequests:
			throttled++
		}
	}
	if checked > 5 || checked+throttled != len(clients) {
		t.Errorf("%d passwords checked, %d throttled, of %d parallel attempts (limit 5)", checked, throttled, len(clients))
	}
}

// A correct sign-in to one's own account does not clear the client address's failures, so mixing
// in such sign-ins buys no extra guesses at other accounts.
func TestOwnSignInDoesNotResetTheAddressCounter(t *testing.T) {
	s := testkit.NewServer(t)
	s.CreateUser("mallory@example.com", "Mallory", db.RoleReferrals)
	guessAccounts(s, 21)
	c := s.Client()
	c.Get("/login")
	for i := 0; i < 19; i++ {
		if res := signInAs(c, "guess"+strconv.Itoa(i)+"@example.com", "not the password"); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d", i+1, res.StatusCode)
		}
	}
	if res := signInAs(c, "mallory@example.com", testkit.TestPassword); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("own sign-in: %d", res.StatusCode)
	}
	c.PostForm("/logout", nil)
	if res := signInAs(c, "guess19@example.com", "not the password"); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("guess 20: %d", res.StatusCode)
	}
	if res := signInAs(c, "guess20@example.com", "not the password"); res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("guess 21, after 20 failures from one address with a correct sign-in between: %d", res.StatusCode)
	}
}

// Strangers failing at a named account slow down themselves, with a growing wait, but the user who
// holds the right password still signs in from a browser she used before.
func TestStrangersCannotLockOutTheAccountHolder(t *testing.T) {
	s := testkit.NewServer(t)
	s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals)
	aiko := s.Client()
	aiko.Login("aiko@example.com")
	aiko.PostForm("/logout", nil)

	stranger := s.Client()
	stranger.Get("/login")
	for i := 0; i < 5; i++ {
		if res := signInAs(stranger, "aiko@example.com", "guess "+strconv.Itoa(i)); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("stranger's guess %d: %d", i+1, res.StatusCode)
		}
	}
	retryAfter := func(res *testkit.Response) string { return res.Header.Get("Retry-After") }
	if res := signInAs(stranger, "aiko@example.com", "guess 5"); res.StatusCode != http.StatusTooManyRequests || retryAfter(res) != "60" {
		t.Errorf("6th guess: %d, Retry-After %q; want 429 after 60 s", res.StatusCode, retryAfter(res))
	}
	// A new browser, even with the right password, waits like the stranger: no free guesses there.
	fresh := s.Client()
	fresh.Get("/login")
	if res := signInAs(fresh, "aiko@example.com", testkit.TestPassword); res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("right password from a new browser during the delay: %d", res.StatusCode)
	}
	// Aiko's own browser gets in.
	aiko.Get("/login")
	if res := signInAs(aiko, "aiko@example.com", testkit.TestPassword); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("Aiko with the right password on her own browser: %d\n%s", res.StatusCode, res.Body)
	}
	// The stranger's wait grows: 1 minute, then 2.
	s.Clock.Advance(time.Minute)
	if res := signInAs(stranger, "aiko@example.com", "guess 6"); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("guess after the 1-minute wait: %d", res.StatusCode)
	}
	if res := signInAs(stranger, "aiko@example.com", "guess 7"); res.StatusCode != http.StatusTooManyRequests || retryAfter(res) != "120" {
		t.Errorf("next guess: %d, Retry-After %q; want 429 after 120 s", res.StatusCode, retryAfter(res))
	}
}

// Behind a trusted reverse proxy each client is counted by its own address from X-Forwarded-For, so
// one client's failures do not throttle the others; a client cannot pick its address by sending
// the header itself, whether or not a proxy is trusted.
func TestTrustedProxySeparatesClients(t *testing.T) {
	behindProxy := testkit.NewServer(t, func(d *handlers.Deps) {
		d.Cfg.TrustedProxies = "127.0.0.1/32"
		if err := d.Cfg.Validate(); err != nil {
			t.Fatal(err)
		}
	})
	direct := testkit.NewServer(t)
	for name, s := range map[string]*testkit.Server{"trusted proxy": behindProxy, "no proxy": direct} {
		t.Run(name, func(t *testing.T) {
			s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals)
			guessAccounts(s, 21)
			c := s.Client()
			c.Get("/login")
			for i := 0; i < 20; i++ {
				// The attacker prepends a made-up address each time; only the proxy's own entry counts.
				xff := "198.51.100." + strconv.Itoa(i) + ", 203.0.113.5"
				if res := signInAs(c, "guess"+strconv.Itoa(i)+"@example.com", "nope", "X-Forwarded-For", xff); res.StatusCode != http.StatusUnauthorized {
					t.Fatalf("guess %d: %d", i+1, res.StatusCode)
				}
			}
			if res := signInAs(c, "guess20@example.com", "nope", "X-Forwarded-For", "192.0.2.99, 203.0.113.5"); res.StatusCode != http.StatusTooManyRequests {
				t.Errorf("21st failure of one client: %d", res.StatusCode)
			}
			other := s.Client()
			other.Get("/login")
			res := signInAs(other, "aiko@example.com", testkit.TestPassword, "X-Forwarded-For", "203.0.113.77")
			want := http.StatusSeeOther
			if s == direct {
				want = http.StatusTooManyRequests // without a trusted proxy, the header means nothing
			}
			if res.StatusCode != want {
				t.Errorf("another client's correct sign-in: %d, want %d", res.StatusCode, want)
			}
		})
	}
}
