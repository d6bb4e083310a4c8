package handlers_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"leaddesk/db"
	"leaddesk/internal/testkit"
)

func TestHealthzReportsTheDatabase(t *testing.T) {
	s := testkit.NewServer(t)
	res := s.Client().Get("/healthz")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	var body map[string]any
	if err := json.Unmarshal([]byte(res.Body), &body); err != nil {
		t.Fatalf("not JSON: %v: %s", err, res.Body)
	}
	if body["status"] != "ok" || body["database"] != "ok" || body["schema"].(float64) != float64(db.LatestVersion()) {
		t.Errorf("healthz = %v", body)
	}
	s.DB.Close()
	res = s.Client().Get("/healthz")
	if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(res.Body, "unavailable") {
		t.Errorf("with the database closed: %d %s", res.StatusCode, res.Body)
	}
}

func TestSignInShowsTheWorkspaceAndSignOutEndsIt(t *testing.T) {
	s := testkit.NewServer(t)
	s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals)
	c := s.Client()

	res := c.Get("/leads")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login?next=") {
		t.Fatalf("anonymous /leads: %d → %q", res.StatusCode, res.Header.Get("Location"))
	}
	c.Login("aiko@example.com")
	res = c.Get("/leads")
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "Aiko Tanaka") || !strings.Contains(res.Body, "Marketplace leads") {
		t.Fatalf("/leads after sign-in: %d\n%s", res.StatusCode, res.Body)
	}
	res = c.PostForm("/logout", nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", res.StatusCode)
	}
	if res := c.Get("/leads"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("/leads after sign-out: %d", res.StatusCode)
	}
}

func TestWrongPasswordAndUnknownEmailLookTheSame(t *testing.T) {
	s := testkit.NewServer(t)
	s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals)
	c := s.Client()
	a := c.PostForm("/login", url.Values{"email": {"aiko@example.com"}, "password": {"wrong password!"}})
	b := c.PostForm("/login", url.Values{"email": {"nobody@example.com"}, "password": {"wrong password!"}})
	if a.StatusCode != http.StatusUnauthorized || b.StatusCode != http.StatusUnauthorized {
		t.Fatalf("status %d and %d, want 401", a.StatusCode, b.StatusCode)
	}
	msg := regexp.MustCompile(`(?s)<div class="banner banner-danger" role="alert">.*?</div>`)
	if msg.FindString(a.Body) == "" || msg.FindString(a.Body) != msg.FindString(b.Body) {
		t.Errorf("messages differ:\n%s\n%s", msg.FindString(a.Body), msg.FindString(b.Body))
	}
}

func TestStateChangingRequestsNeedTheCSRFToken(t *testing.T) {
	s := testkit.NewServer(t)
	s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals)
	c := s.Client()
	c.Get("/login")
	for name, form := range map[string]url.Values{
		"missing": {"email": {"aiko@example.com"}, "password": {testkit.TestPassword}},
		"wrong":   {"email": {"aiko@example.com"}, "password": {testkit.TestPassword}, "csrf": {"forged-token-forged-token-forged-token"}},
	} {
		res := c.PostRaw("/login", form)
		if res.StatusCode != http.StatusForbidden || !strings.Contains(res.Body, "Reload the page") {
			t.Errorf("%s token: %d\n%s", name, res.StatusCode, res.Body)
		}
	}
	// The header works as well as the field (htmx sends the header).
	res := c.PostRaw("/login", url.Values{"email": {"aiko@example.com"}, "password": {testkit.TestPassword}}, "X-CSRF-Token", c.CSRF())
	if res.StatusCode != http.StatusSeeOther {
		t.Errorf("with the header: %d", res.StatusCode)
	}
}

func TestHtmxRequestsGetOnlyTheFragment(t *testing.T) {
	s := testkit.NewServer(t)
	s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals)
	c := s.Client()
	c.Login("aiko@example.com")
	full := c.Get("/leads?tab=qualified")
	frag := c.Get("/leads?tab=qualified", "HX-Request", "true")
	boosted := c.Get("/leads?tab=qualified", "HX-Request", "true", "HX-Boosted", "true")
	restore := c.Get("/leads?tab=qualified", "HX-Request", "true", "HX-History-Restore-Request", "true")
	for name, r := range map[string]*testkit.Response{"plain": full, "boosted": boosted, "history restore": restore} {
		if !strings.Contains(r.Body, "<!doctype html>") || !strings.Contains(r.Body, `class="topbar"`) {
			t.Errorf("%s request did not get the whole page", name)
		}
	}
	if strings.Contains(frag.Body, "<html") || strings.Contains(frag.Body, `class="topbar"`) || !strings.Contains(frag.Body, `aria-current="page">Qualified leads`) {
		t.Errorf("htmx request got more or less than the fragment:\n%s", frag.Body)
	}
	if !strings.Contains(strings.Join(full.Header.Values("Vary"), ","), "HX-Request") {
		t.Errorf("Vary = %q, want HX-Request", full.Header.Values("Vary"))
	}
}

func TestLanguageFollowsTheBrowserThenTheChoice(t *testing.T) {
	s := testkit.NewServer(t)
	u := s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals)
	c := s.Client()
	if res := c.Get("/login", "Accept-Language", "ja-JP,ja;q=0.9"); !strings.Contains(res.Body, `<html lang="ja">`) || !strings.Contains(res.Body, "サインイン") {
		t.Fatalf("Japanese browser did not get Japanese:\n%s", res.Body)
	}
	c.Login("aiko@example.com")
	res := c.PostForm("/lang", url.Values{"lang": {"ja"}, "next": {"/leads"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/leads" {
		t.Fatalf("switch: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	if res := c.Get("/leads", "Accept-Language", "en"); !strings.Contains(res.Body, "Marketplace リード") {
		t.Errorf("the choice did not beat Accept-Language")
	}
	got, _ := s.DB.UserByID(t.Context(), u.ID)
	if got.Lang != "ja" {
		t.Errorf("stored language = %q", got.Lang)
	}
	if res := c.PostForm("/lang", url.Values{"lang": {"xx"}}); res.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown language: %d", res.StatusCode)
	}
	// An open redirect through next is refused.
	if res := c.PostForm("/lang", url.Values{"lang": {"en"}, "next": {"//evil.example/"}}); res.Header.Get("Location") != "/" {
		t.Errorf("next=//evil.example redirected to %q", res.Header.Get("Location"))
	}
}

func TestStaticFilesHaveHashedImmutableURLs(t *testing.T) {
	s := testkit.NewServer(t)
	c := s.Client()
	page := c.Get("/login")
	m := regexp.MustCompile(`/static/[0-9a-f]{12}/vendor/htmx\.min\.js`).FindString(page.Body)
	if m == "" {
		t.Fatalf("no hashed htmx URL on the page")
	}
	res := c.Get(m)
	if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") || !strings.Contains(res.Body, "htmx") {
		t.Errorf("htmx: %d %q", res.StatusCode, res.Header.Get("Cache-Control"))
	}
	if res := c.Get("/static/000000000000/vendor/htmx.min.js"); res.StatusCode != 200 || strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("stale hash: %d %q", res.StatusCode, res.Header.Get("Cache-Control"))
	}
	if res := c.Get("/static/x/../../main.go"); res.StatusCode != 404 {
		t.Errorf("path escape: %d", res.StatusCode)
	}
}

func TestErrorsArePagesOrJSON(t *testing.T) {
	s := testkit.NewServer(t)
	s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals)
	c := s.Client()
	c.Login("aiko@example.com")
	res := c.Get("/no/such/page")
	if res.StatusCode != 404 || !strings.Contains(res.Body, "Page not found") || !strings.Contains(res.Body, `class="topbar"`) {
		t.Errorf("404 page: %d\n%s", res.StatusCode, res.Body)
	}
	res = c.Get("/no/such/page", "Accept", "application/json")
	if res.StatusCode != 404 || !strings.Contains(res.Body, `"error"`) {
		t.Errorf("404 JSON: %d %s", res.StatusCode, res.Body)
	}
}

func TestSecurityHeaders(t *testing.T) {
	s := testkit.NewServer(t)
	res := s.Client().Get("/login")
	for h, want := range map[string]string{
		"Content-Security-Policy": "default-src 'self'",
		"X-Frame-Options":         "DENY",
		"X-Content-Type-Options":  "nosniff",
	} {
		if !strings.Contains(res.Header.Get(h), want) {
			t.Errorf("%s = %q, want %q", h, res.Header.Get(h), want)
		}
	}
	for _, ck := range res.Cookies() {
		if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
			t.Errorf("cookie %s: HttpOnly=%v SameSite=%v", ck.Name, ck.HttpOnly, ck.SameSite)
		}
	}
}

// A body past the form limit is refused with 413 and a clear message, before the CSRF check reads it
// whole, and a too-large form is not mistaken for a forged one.
func TestOversizedBodiesAreRefused(t *testing.T) {
	s := testkit.NewServer(t)
	s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals)
	c := s.Client()
	c.Login("aiko@example.com")
	big := strings.Repeat("a", 1<<20+100<<10)

	res := c.PostRaw("/settings/password", url.Values{"csrf": {c.CSRF()}, "current": {big}})
	if res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(res.Body, "The request is too large") {
		t.Errorf("urlencoded form of 1.1 MB: %d", res.StatusCode)
	}

	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	_ = w.WriteField("csrf", c.CSRF())
	fw, _ := w.CreateFormFile("file", "big.bin")
	_, _ = fw.Write([]byte(big))
	_ = w.Close()
	req, _ := http.NewRequest(http.MethodPost, c.Base+"/logout", &b)
	req.Header.Set("Content-Type", w.FormDataContentType())
	if res := c.Do(req); res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("multipart upload of 1.1 MB to a form: %d", res.StatusCode)
	}

	// An ordinary form still works.
	if res := c.PostForm("/logout", nil); res.StatusCode != http.StatusSeeOther {
		t.Errorf("sign-out: %d", res.StatusCode)
	}
}
