package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"leaddesk/db"
	"leaddesk/internal/testkit"
)

// copyCookies is a second browser holding a copy of c's cookies (as an attacker who copied them, or
// a backup of the browser profile, would).
func copyCookies(t *testing.T, s *testkit.Server, c *testkit.Client) *testkit.Client {
	t.Helper()
	u, _ := url.Parse(s.URL)
	cp := s.Client()
	cp.Jar.SetCookies(u, c.Jar.Cookies(u))
	return cp
}

// Signing out ends the session on the server: a copy of the cookie taken before POST /logout no
// longer signs anyone in (it used to work for up to 7 days, each replay refreshing it).
func TestSignOutEndsTheSessionOnTheServer(t *testing.T) {
	s := testkit.NewServer(t)
	s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals)
	c := s.Client()
	c.Login("aiko@example.com")
	saved := copyCookies(t, s, c)
	if res := saved.Get("/leads"); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "Aiko Tanaka") {
		t.Fatalf("the copied cookie before sign-out: %d", res.StatusCode)
	}
	if res := c.PostForm("/logout", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", res.StatusCode)
	}
	s.Clock.Advance(2 * time.Minute)
	res := saved.Get("/leads")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Errorf("the cookie saved before sign-out still works: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	// Signing in again gives a new session; the old copy stays dead.
	c.Login("aiko@example.com")
	if res := saved.Get("/leads"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("the old cookie after signing in again: %d", res.StatusCode)
	}
	if res := c.Get("/leads"); res.StatusCode != http.StatusOK {
		t.Errorf("the new session: %d", res.StatusCode)
	}
}

// The idle and absolute timeouts still hold, on the server's record of the session.
func TestSessionTimeoutsStillHold(t *testing.T) {
	s := testkit.NewServer(t)
	s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals)
	c := s.Client()
	c.Login("aiko@example.com")
	s.Clock.Advance(8*time.Hour + time.Minute)
	if res := c.Get("/leads"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("after 8 idle hours: %d", res.StatusCode)
	}
	c.Login("aiko@example.com")
	for i := 0; i < 7*4; i++ { // active every 6 hours for a week
		s.Clock.Advance(6 * time.Hour)
		c.Get("/leads")
	}
	s.Clock.Advance(time.Minute)
	if res := c.Get("/leads"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("a week after signing in: %d", res.StatusCode)
	}
	var n int
	s.DB.QueryRow(`SELECT COUNT(*) FROM sessions`).Scan(&n)
	if n != 0 {
		t.Errorf("%d ended sessions still stored", n)
	}
}

// The idle clock is refreshed at most once a minute, by the server's record of the session, even for a
// client that keeps sending the cookie it got at sign-in (a script, a load tester): that used to write
// the session on every request, each write waiting for the lock whenever a job held it.
func TestSessionIsTouchedAtMostOnceAMinute(t *testing.T) {
	s := testkit.NewServer(t)
	s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals)
	c := s.Client()
	c.Login("aiko@example.com")
	first := copyCookies(t, s, c) // never used itself: its cookie stays the one from sign-in
	seen := func() (at int64) {
		t.Helper()
		if err := s.DB.QueryRow(`SELECT seen_at FROM sessions`).Scan(&at); err != nil {
			t.Fatal(err)
		}
		return at
	}
	request := func() {
		t.Helper()
		if res := copyCookies(t, s, first).Get("/leads"); res.StatusCode != http.StatusOK {
			t.Fatalf("signed out: %d", res.StatusCode)
		}
	}
	s.Clock.Advance(2 * time.Minute)
	request()
	touched := s.Clock.Now().Unix()
	if got := seen(); got != touched {
		t.Fatalf("two minutes after sign-in the session was not touched: seen %d, now %d", got, touched)
	}
	s.Clock.Advance(30 * time.Second)
	request()
	if got := seen(); got != touched {
		t.Errorf("touched again 30 seconds later (%d): a write on every request", got)
	}
	s.Clock.Advance(31 * time.Second)
	request()
	if got := seen(); got != s.Clock.Now().Unix() {
		t.Errorf("not touched a minute later: seen %d, now %d", got, s.Clock.Now().Unix())
	}
}
