package handlers_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"leaddesk/db"
	"leaddesk/internal/testkit"
)

// profileServer starts a server with a profile admin, an account admin, a referrals admin and a user
// without a role, and one location (Tokyo) that profile leads can name.
func profileServer(t *testing.T) (*testkit.Server, int64) {
	t.Helper()
	s := testkit.NewServer(t)
	s.CreateUser("pat@example.com", "Pat Profile", db.RoleProfile)
	s.CreateUser("ann@example.com", "Ann Account", db.RoleAccount)
	s.CreateUser("rei@example.com", "Rei Referrals", db.RoleReferrals)
	s.CreateUser("nobody@example.com", "No Role")
	l := &db.Location{Name: "Tokyo", Country: "JP", ContactName: "Aiko Tanaka", ContactEmail: "tokyo@example.com"}
	if err := s.DB.CreateLocation(context.Background(), db.ProfileActor{At: testkit.Epoch}, l); err != nil {
		t.Fatal(err)
	}
	return s, l.ID
}

func profileSignIn(t *testing.T, s *testkit.Server, email string) *testkit.Client {
	t.Helper()
	c := s.Client()
	c.Login(email)
	c.Get("/profile")
	return c
}

// profileLastAudit returns the newest audit entry's actor, action and details.
func profileLastAudit(t *testing.T, s *testkit.Server) (actor sql.NullInt64, action string, details map[string]any) {
	t.Helper()
	var raw string
	err := s.DB.QueryRow(`SELECT actor_user_id, action, details FROM audit_log ORDER BY id DESC LIMIT 1`).Scan(&actor, &action, &raw)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(raw), &details); err != nil {
		t.Fatalf("audit details %q: %v", raw, err)
	}
	return actor, action, details
}

func profileAuditCount(t *testing.T, s *testkit.Server) int {
	var n int
	if err := s.DB.QueryRow(`SELECT COUNT(*) FROM audit_log`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestProfileEveryRoleReadsOnlyEditorsChange(t *testing.T) {
	s, locID := profileServer(t)
	loc := "/profile/locations/" + profileID(locID)
	posts := map[string]url.Values{
		"/profile/company":     {"company_name": {"Hijacked"}},
		"/profile/keywords":    {"kind": {"expertise"}, "keyword": {"Hijacked"}},
		"/profile/preferences": {"company_size": {"1-9"}},
		"/profile/locations":   {"name": {"X"}, "country": {"JP"}, "contact_name": {"X"}, "contact_email": {"x@example.com"}},
		loc:                    {"name": {"X"}, "country": {"JP"}, "contact_name": {"X"}, "contact_email": {"x@example.com"}},
		loc + "/remove":        {},
	}
	edits := []string{"/profile/company/edit", "/profile/keywords/edit", "/profile/preferences/edit", "/profile/locations/new", loc + "/edit", loc + "/remove"}

	t.Run("referrals admin reads without edit controls and is refused", func(t *testing.T) {
		c := profileSignIn(t, s, "rei@example.com")
		res := c.Get("/profile")
		if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "Business profile") || !strings.Contains(res.Body, "Tokyo") {
			t.Fatalf("GET /profile: %d", res.StatusCode)
		}
		if strings.Contains(res.Body, "/profile/company/edit") || strings.Contains(res.Body, "Add location") {
			t.Error("a read-only role sees edit controls")
		}
		if !strings.Contains(res.Body, "You can read the business profile") {
			t.Error("no read-only notice")
		}
		for _, p := range edits {
			if r := c.Get(p); r.StatusCode != http.StatusForbidden {
				t.Errorf("GET %s: %d, want 403", p, r.StatusCode)
			}
		}
		before := profileAuditCount(t, s)
		for p, form := range posts {
			if r := c.PostForm(p, form); r.StatusCode != http.StatusForbidden {
				t.Errorf("POST %s: %d, want 403", p, r.StatusCode)
			}
		}
		if profileAuditCount(t, s) != before {
			t.Error("a refused request changed something")
		}
	})
	t.Run("no role and anonymous", func(t *testing.T) {
		c := profileSignIn(t, s, "nobody@example.com")
		if r := c.Get("/profile"); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/no-role") {
			t.Errorf("no role: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		if r := c.PostForm("/profile/company", posts["/profile/company"]); r.StatusCode != http.StatusForbidden {
			t.Errorf("no role POST: %d", r.StatusCode)
		}
		if r := s.Client().Get("/profile"); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
			t.Errorf("anonymous: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
	})
	for _, email := range []string{"pat@example.com", "ann@example.com"} {
		t.Run(email+" edits", func(t *testing.T) {
			c := profileSignIn(t, s, email)
			res := c.Get("/profile")
			if !strings.Contains(res.Body, "/profile/company/edit") || strings.Contains(res.Body, "You can read the business profile") {
				t.Error("an editor does not see the edit controls")
			}
			for _, p := range edits {
				if r := c.Get(p); r.StatusCode != http.StatusOK {
					t.Errorf("GET %s: %d", p, r.StatusCode)
				}
			}
			name := "Contoso " + email
			if r := c.PostForm("/profile/company", url.Values{"company_name": {name}}); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("save: %d\n%s", r.StatusCode, r.Body)
			}
			if p, _ := s.DB.Profile(context.Background()); p.CompanyName != name {
				t.Errorf("company name = %q", p.CompanyName)
			}
		})
	}
}

func profileID(n int64) string { return strconv.FormatInt(n, 10) }

func TestProfileCompanyValidation(t *testing.T) {
	s, _ := profileServer(t)
	c := profileSignIn(t, s, "pat@example.com")
	long := strings.Repeat("あ", 121)
	cases := []struct {
		name  string
		form  url.Values
		field string
		msg   string
	}{
		{"empty name", url.Values{"company_name": {"   "}, "website": {"https://contoso.com"}}, "company_name", "Enter your company name."},
		{"long name", url.Values{"company_name": {long}}, "company_name", "Use at most 120 characters."},
		{"long description", url.Values{"company_name": {"Contoso"}, "description": {strings.Repeat("x", 2001)}}, "description", "Use at most 2000 characters."},
		{"ftp website", url.Values{"company_name": {"Contoso"}, "website": {"ftp://contoso.com"}}, "website", "starting with https://"},
		{"website without scheme", url.Values{"company_name": {"Contoso"}, "website": {"contoso.com"}}, "website", "starting with https://"},
		{"website with spaces", url.Values{"company_name": {"Contoso"}, "website": {"https://con toso.com"}}, "website", "starting with https://"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := c.PostForm("/profile/company", tc.form)
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", res.StatusCode)
			}
			if !strings.Contains(res.Body, tc.msg) || !strings.Contains(res.Body, `id="`+tc.field+`-err"`) {
				t.Errorf("no message %q at field %s", tc.msg, tc.field)
			}
			if !strings.Contains(res.Body, `action="/profile/company"`) {
				t.Error("the form is not shown again")
			}
			if profileAuditCount(t, s) != 1 { // only the setup's location
				t.Error("something was saved")
			}
		})
	}

	res := c.PostForm("/profile/company", url.Values{"company_name": {" Contoso KK "}, "description": {"Azure & CRM\r\nfor Japan"}, "website": {"https://contoso.example/jp"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/profile#profile-company" {
		t.Fatalf("save: %d → %s", res.StatusCode, res.Header.Get("Location"))
	}
	p, _ := s.DB.Profile(context.Background())
	if p.CompanyName != "Contoso KK" || p.Description != "Azure & CRM\nfor Japan" || p.Website != "https://contoso.example/jp" {
		t.Errorf("saved %+v", p)
	}
	actor, action, details := profileLastAudit(t, s)
	if action != "profile.update" || !actor.Valid || details["company_name"].([]any)[1] != "Contoso KK" {
		t.Errorf("audit %v %s %v", actor, action, details)
	}
	page := c.Get("/profile")
	if !strings.Contains(page.Body, "Saved.") || !strings.Contains(page.Body, "Last changed by Pat Profile on Nov 30, 2026 18:00") {
		t.Errorf("the page does not show the flash and who changed it last:\n%s", page.Body)
	}
	if !strings.Contains(page.Body, "Azure &amp; CRM") {
		t.Error("description not shown escaped")
	}
}

func TestProfileInPlaceEditingWithHtmx(t *testing.T) {
	s, _ := profileServer(t)
	c := profileSignIn(t, s, "pat@example.com")
	hx := []string{"HX-Request", "true"}

	// Without JavaScript the Edit link opens the whole page with the card's form in it.
	plain := c.Get("/profile/company/edit")
	if plain.StatusCode != http.StatusOK || !strings.Contains(plain.Body, "<html") || !strings.Contains(plain.Body, `method="post" action="/profile/company"`) ||
		!strings.Contains(plain.Body, `id="profile-locations"`) {
		t.Fatalf("plain edit page: %d", plain.StatusCode)
	}

	// Cancel fetches a card's read view; every card has one.
	for _, sec := range []string{"company", "keywords", "preferences", "locations"} {
		r := c.Get("/profile/"+sec, hx...)
		if r.StatusCode != http.StatusOK || !strings.HasPrefix(strings.TrimSpace(r.Body), `<section id="profile-`+sec+`"`) {
			t.Errorf("GET /profile/%s as htmx: %d\n%.200s", sec, r.StatusCode, r.Body)
		}
	}
	if r := c.Get("/profile/nonsense", hx...); r.StatusCode != http.StatusNotFound {
		t.Errorf("unknown section: %d", r.StatusCode)
	}

	form := c.Get("/profile/company/edit", hx...)
	if form.StatusCode != http.StatusOK || strings.Contains(form.Body, "<html") || !strings.Contains(form.Body, `hx-post="/profile/company"`) {
		t.Fatalf("edit fragment: %d\n%s", form.StatusCode, form.Body)
	}
	bad := c.PostForm("/profile/company", url.Values{"company_name": {""}}, hx...)
	if bad.StatusCode != http.StatusUnprocessableEntity || strings.Contains(bad.Body, "<html") || !strings.Contains(bad.Body, "Enter your company name.") {
		t.Fatalf("422 fragment: %d\n%s", bad.StatusCode, bad.Body)
	}
	ok := c.PostForm("/profile/company", url.Values{"company_name": {"Fabrikam"}}, hx...)
	if ok.StatusCode != http.StatusOK || strings.Contains(ok.Body, "<html") || strings.Contains(ok.Body, "<form class=\"form\"") {
		t.Fatalf("save fragment: %d\n%s", ok.StatusCode, ok.Body)
	}
	if !strings.Contains(ok.Body, "<strong>Fabrikam</strong>") || !strings.Contains(ok.Body, `id="profile-changed" class="muted small profile-changed" hx-swap-oob="true"`) ||
		!strings.Contains(ok.Body, "Last changed by Pat Profile") {
		t.Errorf("the read view or the out-of-band 'last changed' line is missing:\n%s", ok.Body)
	}
}

func TestProfileKeywords(t *testing.T) {
	s, _ := profileServer(t)
	c := profileSignIn(t, s, "ann@example.com")
	add := func(kind, word string) *testkit.Response {
		return c.PostForm("/profile/keywords", url.Values{"kind": {kind}, "keyword": {word}})
	}
	if r := add("expertise", "  Dynamics   365 "); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("add: %d\n%s", r.StatusCode, r.Body)
	}
	if r := add("business_model", "Managed services"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("add: %d", r.StatusCode)
	}
	kws, _ := s.DB.Keywords(context.Background())
	if len(kws["expertise"]) != 1 || kws["expertise"][0].Keyword != "Dynamics 365" || len(kws["business_model"]) != 1 {
		t.Fatalf("keywords %+v", kws)
	}
	if _, action, d := profileLastAudit(t, s); action != "profile.keyword.add" || d["keyword"].([]any)[1] != "Managed services" {
		t.Errorf("audit %s %v", action, d)
	}
	cases := []struct{ name, kind, word, msg string }{
		{"duplicate in other case", "expertise", "dynamics 365", "“Dynamics 365” is already a keyword."},
		{"10,000 characters", "expertise", strings.Repeat("k", 10000), "at most 60 characters"},
		{"61 characters", "business_model", strings.Repeat("語", 61), "at most 60 characters"},
		{"empty", "expertise", "  ", "Enter a keyword."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := profileAuditCount(t, s)
			r := add(tc.kind, tc.word)
			if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, tc.msg) || !strings.Contains(r.Body, `id="keyword_`+tc.kind+`-err"`) {
				t.Fatalf("%d, want 422 with %q at the %s field", r.StatusCode, tc.msg, tc.kind)
			}
			if len(r.Body) > 60000 {
				t.Error("the page echoes the whole oversized keyword back")
			}
			if profileAuditCount(t, s) != before {
				t.Error("something was saved")
			}
		})
	}
	// Markup in a keyword is shown as text, never run.
	if r := add("expertise", `<script>alert(1)</script>`); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("add markup keyword: %d", r.StatusCode)
	}
	if page := c.Get("/profile").Body; strings.Contains(page, "<script>alert(1)") || !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("a keyword is not escaped")
	}
	// The same word is fine under the other kind: the two lists are separate.
	if r := add("business_model", "Dynamics 365"); r.StatusCode != http.StatusSeeOther {
		t.Errorf("same word, other kind: %d", r.StatusCode)
	}
	if r := add("nonsense", "x"); r.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown kind: %d", r.StatusCode)
	}
	id := kws["expertise"][0].ID
	if r := c.PostForm("/profile/keywords/"+profileID(id)+"/remove", nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove: %d", r.StatusCode)
	}
	kws, _ = s.DB.Keywords(context.Background())
	if len(kws["expertise"]) != 1 || kws["expertise"][0].Keyword == "Dynamics 365" {
		t.Errorf("not removed: %+v", kws)
	}
	if _, action, d := profileLastAudit(t, s); action != "profile.keyword.remove" || d["keyword"].([]any)[0] != "Dynamics 365" {
		t.Errorf("audit %s %v", action, d)
	}
	if r := c.PostForm("/profile/keywords/"+profileID(id)+"/remove", nil); r.StatusCode != http.StatusNotFound {
		t.Errorf("remove again: %d", r.StatusCode)
	}
}

func TestProfilePreferences(t *testing.T) {
	s, _ := profileServer(t)
	c := profileSignIn(t, s, "pat@example.com")
	r := c.PostForm("/profile/preferences", url.Values{"company_size": {"20000+", "51-250"}, "industry": {"healthcare", "retail"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", r.StatusCode, r.Body)
	}
	page := html.UnescapeString(c.Get("/profile").Body)
	for _, want := range []string{"51–250 employees", "20,000+ employees", "Healthcare", "Retail & consumer goods"} {
		if !strings.Contains(page, `<li class="label label-info">`+want+`</li>`) {
			t.Errorf("page does not show %q as chosen", want)
		}
	}
	if strings.Contains(page, `<li class="label label-info">1–9 employees</li>`) {
		t.Error("an unchosen size is shown")
	}
	if _, action, d := profileLastAudit(t, s); action != "profile.preferences" || d["company_size"].([]any)[1] != "51-250,20000+" {
		t.Errorf("audit %s %v", action, d)
	}
	before := profileAuditCount(t, s)
	r = c.PostForm("/profile/preferences", url.Values{"company_size": {"1-9", "huge"}, "industry": {"retail"}})
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Choose from the list.") {
		t.Fatalf("unknown size: %d", r.StatusCode)
	}
	if profileAuditCount(t, s) != before {
		t.Error("half-saved")
	}
	// Clearing everything is allowed: it means any size, any industry.
	if r := c.PostForm("/profile/preferences", url.Values{}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("clear: %d", r.StatusCode)
	}
	if page := c.Get("/profile").Body; !strings.Contains(page, "Any size (none chosen)") {
		t.Error("cleared sizes not shown as 'any size'")
	}
}

func TestProfileInJapanese(t *testing.T) {
	s, _ := profileServer(t)
	u, _ := s.DB.UserByEmail(context.Background(), "pat@example.com")
	if err := s.DB.SetUserLang(context.Background(), u.ID, "ja"); err != nil {
		t.Fatal(err)
	}
	c := profileSignIn(t, s, "pat@example.com")
	c.PostForm("/profile/preferences", url.Values{"company_size": {"20000+"}, "industry": {"manufacturing"}})
	page := html.UnescapeString(c.Get("/profile").Body)
	for _, want := range []string{"ビジネス プロファイル", "キーワード", "基本設定", "拠点", "従業員 20,000 人以上", "製造", "日本", "より良い紹介を得るためのヒント", "最終更新: Pat Profile"} {
		if !strings.Contains(page, want) {
			t.Errorf("Japanese page lacks %q", want)
		}
	}
	for _, p := range []string{"/profile", "/profile/company/edit", "/profile/keywords/edit", "/profile/preferences/edit", "/profile/locations/new"} {
		if body := c.Get(p).Body; strings.Contains(body, "⟦") {
			t.Errorf("%s shows a missing catalog key", p)
		}
	}
	r := c.PostForm("/profile/company", url.Values{"company_name": {""}})
	if !strings.Contains(r.Body, "会社名を入力してください。") {
		t.Error("the error is not in Japanese")
	}
}

func TestProfileEmptyAtFirst(t *testing.T) {
	s := testkit.NewServer(t)
	s.CreateUser("pat@example.com", "Pat Profile", db.RoleProfile)
	c := profileSignIn(t, s, "pat@example.com")
	page := c.Get("/profile")
	for _, want := range []string{"Not saved yet.", "No keywords yet.", "Any size (none chosen)", "No locations yet. Add one"} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("empty profile lacks %q", want)
		}
	}
	// The first save creates the profile and names its author.
	if r := c.PostForm("/profile/locations", profileLocationForm(nil)); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("first location: %d\n%s", r.StatusCode, r.Body)
	}
	if page := c.Get("/profile").Body; !strings.Contains(page, "Last changed by Pat Profile on Nov 30, 2026 18:00") || !strings.Contains(page, "Osaka") {
		t.Error("the first change is not shown")
	}
}
