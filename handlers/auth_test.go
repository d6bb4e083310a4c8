package handlers_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"leaddesk/config"
	"leaddesk/db"
	"leaddesk/handlers"
	"leaddesk/internal/testkit"
)

// signedIn reports whether the client's session still opens the workspace.
func signedIn(t *testing.T, c *testkit.Client) bool {
	t.Helper()
	res := c.Get("/settings")
	switch {
	case res.StatusCode == http.StatusOK:
		return true
	case res.StatusCode == http.StatusSeeOther && strings.HasPrefix(res.Header.Get("Location"), "/login"):
		return false
	}
	t.Fatalf("/settings: unexpected %d → %q", res.StatusCode, res.Header.Get("Location"))
	return false
}

func TestSessionEndsAfterEightIdleHours(t *testing.T) {
	s := testkit.NewServer(t)
	s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals)
	c := s.Client()
	c.Login("aiko@example.com")
	// Working every 7 hours keeps the session alive well past 8 hours.
	for i := 0; i < 3; i++ {
		s.Clock.Advance(7 * time.Hour)
		if !signedIn(t, c) {
			t.Fatalf("signed out after %d active 7-hour steps", i+1)
		}
	}
	s.Clock.Advance(8*time.Hour + time.Minute)
	if signedIn(t, c) {
		t.Fatal("still signed in after 8 idle hours")
	}
	if res := c.Get("/login"); !strings.Contains(res.Body, "Your session ended") {
		t.Errorf("no 'session ended' notice on the sign-in page:\n%s", res.Body)
	}
}

func TestSessionEndsSevenDaysAfterSignInEvenWhenActive(t *testing.T) {
	s := testkit.NewServer(t)
	s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals)
	c := s.Client()
	c.Login("aiko@example.com")
	start := s.Clock.Now()
	for s.Clock.Now().Sub(start) < 7*24*time.Hour-6*time.Hour {
		s.Clock.Advance(6 * time.Hour)
		if !signedIn(t, c) {
			t.Fatalf("signed out %s after sign-in despite activity", s.Clock.Now().Sub(start))
		}
	}
	s.Clock.Advance(7 * time.Hour) // now past 7 days
	if signedIn(t, c) {
		t.Fatalf("still signed in %s after sign-in", s.Clock.Now().Sub(start))
	}
}

func TestTamperedSessionCookieIsRefused(t *testing.T) {
	s := testkit.NewServer(t)
	s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals)
	c := s.Client()
	c.Login("aiko@example.com")
	u, _ := url.Parse(s.URL)
	var sess *http.Cookie
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "leaddesk" {
			sess = ck
		}
	}
	if sess == nil {
		t.Fatal("no session cookie after sign-in")
	}
	// Flip one character in the middle of the signed value.
	v := []byte(sess.Value)
	i := len(v) / 2
	if v[i] == 'A' {
		v[i] = 'B'
	} else {
		v[i] = 'A'
	}
	c.Jar.SetCookies(u, []*http.Cookie{{Name: "leaddesk", Value: string(v), Path: "/"}})
	res := c.Get("/leads")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Fatalf("tampered cookie: %d → %q, want a redirect to sign in", res.StatusCode, res.Header.Get("Location"))
	}
	// A cookie made up from scratch fares no better.
	c.Jar.SetCookies(u, []*http.Cookie{{Name: "leaddesk", Value: "MTcwMDAwMDAwMHxmb3JnZWR8", Path: "/"}})
	if signedIn(t, c) {
		t.Fatal("forged cookie was accepted")
	}
}

func TestSignOutEverywhereEndsOtherSessionsButNotThisOne(t *testing.T) {
	s := testkit.NewServer(t)
	s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals)
	laptop, phone := s.Client(), s.Client()
	laptop.Login("aiko@example.com")
	phone.Login("aiko@example.com")
	laptop.Get("/settings")
	res := laptop.PostForm("/settings/sign-out-everywhere", nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out everywhere: %d\n%s", res.StatusCode, res.Body)
	}
	if res := laptop.Get("/settings"); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "signed out on every other browser") {
		t.Errorf("the browser that asked: %d, or no confirmation shown", res.StatusCode)
	}
	if signedIn(t, phone) {
		t.Error("the other browser is still signed in")
	}
}

func TestRoleChangeAndDisablingTakeEffectOnTheNextRequest(t *testing.T) {
	s := testkit.NewServer(t)
	s.CreateUser("admin@example.com", "Ada Admin", db.RoleAccount)
	u := s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals)
	admin, aiko := s.Client(), s.Client()
	admin.Login("admin@example.com")
	aiko.Login("aiko@example.com")
	if res := aiko.Get("/admin/users"); res.StatusCode != http.StatusForbidden {
		t.Fatalf("referrals admin on /admin/users: %d", res.StatusCode)
	}
	admin.Get("/admin/users/" + itoa(u.ID))
	res := admin.PostForm("/admin/users/"+itoa(u.ID)+"/roles", url.Values{"roles": {db.RoleReferrals, db.RoleAccount}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("set roles: %d\n%s", res.StatusCode, res.Body)
	}
	if res := aiko.Get("/admin/users"); res.StatusCode != http.StatusOK {
		t.Fatalf("after being made Account admin: %d", res.StatusCode)
	}
	res = admin.PostForm("/admin/users/"+itoa(u.ID)+"/disable", nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable: %d\n%s", res.StatusCode, res.Body)
	}
	if signedIn(t, aiko) {
		t.Fatal("a disabled user is still signed in")
	}
	// And cannot sign in again, with the same message as a wrong password.
	aiko.Get("/login")
	res = aiko.PostForm("/login", url.Values{"email": {"aiko@example.com"}, "password": {testkit.TestPassword}})
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(res.Body, "The email or password is not right") {
		t.Fatalf("disabled user signing in: %d", res.StatusCode)
	}
	// The audit log has both changes, newest first, with old → new.
	res = admin.Get("/admin/audit")
	dis, roles := strings.Index(res.Body, "user.disable"), strings.Index(res.Body, "user.roles")
	if dis < 0 || roles < 0 || dis > roles {
		t.Fatalf("audit log lacks the changes or is not newest first:\n%s", res.Body)
	}
	if !strings.Contains(res.Body, "roles: referrals-admin → referrals-admin, account-admin") || !strings.Contains(res.Body, "disabled: false → true") {
		t.Errorf("audit details do not show old → new:\n%s", res.Body)
	}
}

func TestTheLastAccountAdminStaysAndNobodyDisablesThemselves(t *testing.T) {
	s := testkit.NewServer(t)
	me := s.CreateUser("admin@example.com", "Ada Admin", db.RoleAccount)
	c := s.Client()
	c.Login("admin@example.com")
	res := c.PostForm("/admin/users/"+itoa(me.ID)+"/roles", url.Values{"roles": {db.RoleReferrals}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "At least one active Account admin must remain") {
		t.Fatalf("removing the last Account admin: %d\n%s", res.StatusCode, res.Body)
	}
	res = c.PostForm("/admin/users/"+itoa(me.ID)+"/disable", nil)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "cannot disable your own account") {
		t.Fatalf("disabling yourself: %d\n%s", res.StatusCode, res.Body)
	}
	got, _ := s.DB.UserByID(t.Context(), me.ID)
	if !got.Has(db.RoleAccount) || got.Disabled {
		t.Fatalf("the refused change was written: %+v", got)
	}
}

func TestRepeatedFailedSignInsAreThrottledWithoutRevealingAccounts(t *testing.T) {
	s := testkit.NewServer(t)
	s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals)
	c := s.Client()
	c.Get("/login")
	try := func(email, pw string) *testkit.Response {
		return c.PostForm("/login", url.Values{"email": {email}, "password": {pw}})
	}
	for _, email := range []string{"aiko@example.com", "nobody@example.com"} {
		for i := 0; i < 5; i++ {
			if res := try(email, "not the password"); res.StatusCode != http.StatusUnauthorized {
				t.Fatalf("%s failure %d: %d", email, i+1, res.StatusCode)
			}
		}
	}
	// Now even the right password waits, and an unknown email gets exactly the same answer.
	known, unknown := try("aiko@example.com", testkit.TestPassword), try("nobody@example.com", "whatever password")
	for name, res := range map[string]*testkit.Response{"known": known, "unknown": unknown} {
		if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
			t.Fatalf("%s email after 5 failures: %d, Retry-After %q", name, res.StatusCode, res.Header.Get("Retry-After"))
		}
	}
	msg := regexp.MustCompile(`(?s)<div class="banner banner-danger" role="alert">.*?</div>`)
	if m := msg.FindString(known.Body); m == "" || m != msg.FindString(unknown.Body) || !strings.Contains(m, "Too many sign-in attempts") {
		t.Errorf("throttle messages differ or are missing:\n%s\n%s", m, msg.FindString(unknown.Body))
	}
	if known.Header.Get("Retry-After") != unknown.Header.Get("Retry-After") {
		t.Errorf("Retry-After differs: %q vs %q", known.Header.Get("Retry-After"), unknown.Header.Get("Retry-After"))
	}
	// After the window the right password works, and success resets the count.
	s.Clock.Advance(15*time.Minute + time.Second)
	if res := try("aiko@example.com", testkit.TestPassword); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("after waiting: %d", res.StatusCode)
	}
	c.PostForm("/logout", nil)
	c.Get("/login")
	for i := 0; i < 4; i++ {
		try("aiko@example.com", "not the password")
	}
	if res := try("aiko@example.com", testkit.TestPassword); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("4 failures after a success should not throttle: %d", res.StatusCode)
	}

	// One client address trying many accounts slows down too (after 20 failures in the window).
	s.Clock.Advance(time.Hour)
	c.PostForm("/logout", nil)
	c.Get("/login")
	for i := 0; i < 20; i++ {
		if res := try("guess"+strconv.Itoa(i)+"@example.com", "not the password"); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("address failure %d: %d", i+1, res.StatusCode)
		}
	}
	if res := try("aiko@example.com", testkit.TestPassword); res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("after 20 failures from one address: %d", res.StatusCode)
	}
}

func TestFirstRunSetupLinkCreatesTheFirstAccountAdminOnce(t *testing.T) {
	s := testkit.NewServer(t)
	link, err := handlers.FirstRunLink(t.Context(), s.DB, s.URL, s.Clock.Now())
	if err != nil || !strings.HasPrefix(link, s.URL+"/setup/") {
		t.Fatalf("link %q, err %v", link, err)
	}
	path := strings.TrimPrefix(link, s.URL)
	c := s.Client()
	if res := c.Get(path); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "Set up Leaddesk") {
		t.Fatalf("setup page: %d", res.StatusCode)
	}
	res := c.PostForm(path, url.Values{"name": {""}, "email": {"not-an-email"}, "password": {"short"}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad setup form: %d", res.StatusCode)
	}
	for _, want := range []string{"Enter your name.", "Enter an email address", "Use at least 12 characters."} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("bad setup form lacks %q", want)
		}
	}
	res = c.PostForm(path, url.Values{"name": {"Ada Admin"}, "email": {"ada@example.com"}, "password": {"a long enough password"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/users" {
		t.Fatalf("setup: %d → %q\n%s", res.StatusCode, res.Header.Get("Location"), res.Body)
	}
	if res := c.Get("/admin/users"); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "ada@example.com") {
		t.Fatalf("the new Account admin cannot manage users: %d", res.StatusCode)
	}
	// The link works once, and with a user present no new link is made.
	other := s.Client()
	if res := other.Get(path); res.StatusCode != http.StatusGone || !strings.Contains(res.Body, "expired or was already used") {
		t.Errorf("reused setup link: %d", res.StatusCode)
	}
	if res := other.PostForm(path, url.Values{"name": {"Mallory"}, "email": {"m@example.com"}, "password": {"a long enough password"}}); res.StatusCode != http.StatusGone {
		t.Errorf("reused setup link (post): %d", res.StatusCode)
	}
	if again, _ := handlers.FirstRunLink(t.Context(), s.DB, s.URL, s.Clock.Now()); again != "" {
		t.Errorf("a setup link was made although a user exists: %s", again)
	}
}

func TestSetupLinkExpiresAfterADayAndOnlyTheNewestWorks(t *testing.T) {
	s := testkit.NewServer(t)
	first, _ := handlers.FirstRunLink(t.Context(), s.DB, s.URL, s.Clock.Now())
	second, _ := handlers.FirstRunLink(t.Context(), s.DB, s.URL, s.Clock.Now())
	c := s.Client()
	if res := c.Get(strings.TrimPrefix(first, s.URL)); res.StatusCode != http.StatusGone {
		t.Errorf("an older setup link still works: %d", res.StatusCode)
	}
	if res := c.Get(strings.TrimPrefix(second, s.URL)); res.StatusCode != http.StatusOK {
		t.Errorf("the newest setup link: %d", res.StatusCode)
	}
	s.Clock.Advance(24*time.Hour + time.Minute)
	if res := c.Get(strings.TrimPrefix(second, s.URL)); res.StatusCode != http.StatusGone {
		t.Errorf("setup link after 24 h: %d", res.StatusCode)
	}
}

var (
	inviteLink = regexp.MustCompile(`/invite/[A-Za-z0-9_-]{20,}`)
	resetLink  = regexp.MustCompile(`/reset/[A-Za-z0-9_-]{20,}`)
)

func outboxCount(t *testing.T, s *testkit.Server, kind, to string) int {
	t.Helper()
	var n int
	if err := s.DB.QueryRow(`SELECT COUNT(*) FROM outbox WHERE kind = ? AND to_email = ?`, kind, to).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestInvitationCreatesAUserWithTheRolesOnce(t *testing.T) {
	s := testkit.NewServer(t)
	s.CreateUser("admin@example.com", "Ada Admin", db.RoleAccount)
	admin := s.Client()
	admin.Login("admin@example.com")
	admin.Get("/admin/users/invite")
	res := admin.PostForm("/admin/users/invite", url.Values{"email": {"admin@example.com"}, "roles": {db.RoleReferrals}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "already a user") {
		t.Fatalf("inviting an existing user: %d", res.StatusCode)
	}
	res = admin.PostForm("/admin/users/invite", url.Values{"email": {"ken@example.com"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "Choose at least one role") {
		t.Fatalf("inviting with no role: %d", res.StatusCode)
	}
	res = admin.PostForm("/admin/users/invite", url.Values{"email": {"ken@example.com"}, "roles": {db.RoleReferrals, db.RoleProfile}})
	path := inviteLink.FindString(res.Body)
	if res.StatusCode != http.StatusOK || path == "" {
		t.Fatalf("invite: %d, no link shown\n%s", res.StatusCode, res.Body)
	}
	if n := outboxCount(t, s, "invitation", "ken@example.com"); n != 1 {
		t.Errorf("invitation mails queued: %d", n)
	}
	ken := s.Client()
	if res := ken.Get(path); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "ken@example.com") || !strings.Contains(res.Body, "Business profile admin") {
		t.Fatalf("invitation page: %d\n%s", res.StatusCode, res.Body)
	}
	res = ken.PostForm(path, url.Values{"name": {"Ken Sato"}, "password": {"a long enough password"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept invitation: %d\n%s", res.StatusCode, res.Body)
	}
	got, err := s.DB.UserByEmail(t.Context(), "ken@example.com")
	if err != nil || got.Name != "Ken Sato" || !got.Has(db.RoleReferrals) || !got.Has(db.RoleProfile) || got.Has(db.RoleAccount) {
		t.Fatalf("invited user: %+v, %v", got, err)
	}
	if !signedIn(t, ken) {
		t.Error("the invited user is not signed in after accepting")
	}
	if res := s.Client().Get(path); res.StatusCode != http.StatusGone {
		t.Errorf("reused invitation: %d", res.StatusCode)
	}
}

func TestResetLinkSetsANewPasswordAndEndsOldSessions(t *testing.T) {
	s := testkit.NewServer(t)
	s.CreateUser("admin@example.com", "Ada Admin", db.RoleAccount)
	u := s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals)
	admin, aiko := s.Client(), s.Client()
	admin.Login("admin@example.com")
	aiko.Login("aiko@example.com")
	admin.Get("/admin/users/" + itoa(u.ID))
	res := admin.PostForm("/admin/users/"+itoa(u.ID)+"/reset", nil)
	path := resetLink.FindString(res.Body)
	if res.StatusCode != http.StatusOK || path == "" {
		t.Fatalf("reset link: %d, none shown", res.StatusCode)
	}
	if n := outboxCount(t, s, "password_reset", "aiko@example.com"); n != 1 {
		t.Errorf("reset mails queued: %d", n)
	}
	anon := s.Client()
	anon.Get(path)
	if res := anon.PostForm(path, url.Values{"password": {"short"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("short password: %d", res.StatusCode)
	}
	if res := anon.PostForm(path, url.Values{"password": {"my brand new password"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("reset: %d\n%s", res.StatusCode, res.Body)
	}
	if signedIn(t, aiko) {
		t.Error("the old session survived the password reset")
	}
	anon.Get("/login")
	if res := anon.PostForm("/login", url.Values{"email": {"aiko@example.com"}, "password": {"my brand new password"}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("sign in with the new password: %d", res.StatusCode)
	}
	if res := s.Client().Get(path); res.StatusCode != http.StatusGone {
		t.Errorf("reused reset link: %d", res.StatusCode)
	}
}

func TestChangePasswordChecksTheCurrentOneAndSignsOutOtherBrowsers(t *testing.T) {
	s := testkit.NewServer(t)
	s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals)
	c, other := s.Client(), s.Client()
	c.Login("aiko@example.com")
	other.Login("aiko@example.com")
	c.Get("/settings")
	res := c.PostForm("/settings/password", url.Values{"current": {"wrong"}, "password": {"a new long password"}, "confirm": {"a new long password"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "not your current password") {
		t.Fatalf("wrong current password: %d", res.StatusCode)
	}
	res = c.PostForm("/settings/password", url.Values{"current": {testkit.TestPassword}, "password": {"a new long password"}, "confirm": {"a different one!!"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "The two new passwords differ") {
		t.Fatalf("mismatch: %d", res.StatusCode)
	}
	res = c.PostForm("/settings/password", url.Values{"current": {testkit.TestPassword}, "password": {"a new long password"}, "confirm": {"a new long password"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("change: %d\n%s", res.StatusCode, res.Body)
	}
	if !signedIn(t, c) || signedIn(t, other) {
		t.Error("want this browser signed in and the other signed out")
	}
}

func TestMyStateChangingRoutesRefuseAMissingCSRFToken(t *testing.T) {
	s := testkit.NewServer(t)
	u := s.CreateUser("admin@example.com", "Ada Admin", db.RoleAccount, db.RoleReferrals)
	c := s.Client()
	c.Login("admin@example.com")
	for _, path := range []string{"/settings/password", "/settings/sign-out-everywhere", "/admin/users/invite",
		"/admin/users/" + itoa(u.ID) + "/roles", "/admin/users/" + itoa(u.ID) + "/disable", "/admin/users/" + itoa(u.ID) + "/reset",
		"/setup/x", "/invite/x", "/reset/x", "/logout"} {
		if res := c.PostRaw(path, url.Values{"roles": {db.RoleReferrals}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("POST %s without CSRF token: %d", path, res.StatusCode)
		}
	}
	if !signedIn(t, c) {
		t.Error("a forged request changed something")
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// The session keys are generated once and kept in the database, so a restarted server (a new Handler
// on the same database) keeps everyone signed in; a server with another key does not accept them.
func TestSessionsSurviveARestartButNotAnotherKey(t *testing.T) {
	s := testkit.NewServer(t)
	s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals)
	c := s.Client()
	c.Login("aiko@example.com")

	restart := func(cfg *config.Config) string {
		e, _, err := handlers.New(handlers.Deps{Cfg: cfg, DB: s.DB, Clock: s.Clock, Log: slog.New(slog.DiscardHandler), Leads: s.Leads})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(e)
		t.Cleanup(srv.Close)
		return srv.URL
	}
	c.Base = restart(s.Cfg) // cookies for 127.0.0.1 go to every port
	if !signedIn(t, c) {
		t.Fatal("signed out by a restart")
	}
	other := *s.Cfg
	other.SessionKey = strings.Repeat("ab", 64)
	c.Base = restart(&other)
	if signedIn(t, c) {
		t.Fatal("a server with another session key accepted the cookie")
	}
}

func TestAuditLogIsPagedNewestFirst(t *testing.T) {
	s := testkit.NewServer(t)
	s.CreateUser("admin@example.com", "Ada Admin", db.RoleAccount)
	for i := 1; i <= 60; i++ {
		at := s.Clock.Now().Add(time.Duration(i) * time.Minute)
		if err := db.Audit(t.Context(), s.DB, at, 0, "job", "test.entry", "target-"+strconv.Itoa(i), `{"n": [0, `+strconv.Itoa(i)+`]}`); err != nil {
			t.Fatal(err)
		}
	}
	c := s.Client()
	c.Login("admin@example.com")
	first := c.Get("/admin/audit")
	targets := regexp.MustCompile(`<td>target-(\d+)</td>`)
	got := targets.FindAllStringSubmatch(first.Body, -1)
	if len(got) != 50 || got[0][1] != "60" || got[49][1] != "11" {
		t.Fatalf("page 1: %d rows, want 50 from target-60 down to target-11", len(got))
	}
	if !strings.Contains(first.Body, "1–50 of 60") || !strings.Contains(first.Body, `href="/admin/audit?page=2"`) || !strings.Contains(first.Body, "n: 0 → 60") {
		t.Errorf("page 1 lacks the range, the next link or the old → new details")
	}
	second := c.Get("/admin/audit?page=2")
	got = targets.FindAllStringSubmatch(second.Body, -1)
	if len(got) != 10 || got[0][1] != "10" || got[9][1] != "1" {
		t.Fatalf("page 2: %d rows", len(got))
	}
	if res := c.Get("/admin/audit?page=-3"); res.StatusCode != http.StatusOK {
		t.Errorf("a bad page number: %d", res.StatusCode)
	}
}

func TestSessionCookieIsSecureBehindHTTPS(t *testing.T) {
	s := testkit.NewServer(t, func(d *handlers.Deps) { d.Cfg.BaseURL = "https://leads.example.com" })
	s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals)
	c := s.Client()
	c.Get("/login")
	res := c.PostForm("/login", url.Values{"email": {"aiko@example.com"}, "password": {testkit.TestPassword}})
	var found bool
	for _, ck := range res.Cookies() {
		if ck.Name == "leaddesk" && ck.Value != "" {
			found = true
			if !ck.Secure || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
				t.Errorf("session cookie: Secure=%v HttpOnly=%v SameSite=%v", ck.Secure, ck.HttpOnly, ck.SameSite)
			}
		}
	}
	if !found {
		t.Fatalf("no session cookie set at sign-in (%d)", res.StatusCode)
	}
}

// BenchmarkSignedInRequest measures what every signed-in page pays for sessions: decoding the cookie,
// re-reading the user and roles (so role changes apply at once), and rendering a small page.
func BenchmarkSignedInRequest(b *testing.B) {
	s := testkit.NewServer(b)
	s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals)
	c := s.Client()
	c.Login("aiko@example.com")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if res := c.Get("/settings"); res.StatusCode != http.StatusOK {
			b.Fatalf("status %d", res.StatusCode)
		}
	}
}
