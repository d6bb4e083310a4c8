package handlers_test

import (
	"database/sql"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"leaddesk/db"
	"leaddesk/internal/testkit"
	"leaddesk/lead"
)

// TestRoleMatrixCoversEveryRoute walks every route the router knows — so a route added later is
// covered without touching this test — as a visitor with no session, as a user of each role, and as
// a user with no role, and checks that the server allows exactly what the route's policy allows.
//
// Path parameters are filled with ids that exist (user, lead and location 1), so an allowed request
// reaches the handler; a 404 or 422 from the handler still proves the authorization let it through.
// Denied means: a redirect to sign in (/login?next=…) or to the no-role page (/no-role?next=…), or a
// 401/403 error page or JSON error. (A 401 that re-renders the sign-in form after a failed attempt is
// that form's answer, not a refusal of the route.)
func TestRoleMatrixCoversEveryRoute(t *testing.T) {
	s := testkit.NewServer(t)
	target := s.CreateUser("target@example.com", "Target User", db.RoleReferrals)
	if target.ID != 1 {
		t.Fatalf("fixture user id = %d, want 1", target.ID)
	}
	makeFixtures(t, s)

	who := []struct {
		name  string
		email string
		roles []string
	}{
		{"anonymous", "", nil},
		{"no-role", "norole@example.com", nil},
		{"referrals-admin", "referrals@example.com", []string{db.RoleReferrals}},
		{"business-profile-admin", "profile@example.com", []string{db.RoleProfile}},
		{"account-admin", "account@example.com", []string{db.RoleAccount}},
	}
	users := map[string]*db.User{}
	for _, w := range who {
		if w.email != "" {
			users[w.name] = s.CreateUser(w.email, w.name, w.roles...)
		}
	}

	e, ok := s.Config.Handler.(*echo.Echo)
	if !ok {
		t.Fatalf("test server handler is %T, want *echo.Echo", s.Config.Handler)
	}
	policies := s.Handler.Policies()
	var routes []*echo.Route
	for _, r := range e.Routes() {
		if _, ok := policies[r.Method+" "+r.Path]; !ok {
			t.Errorf("route %s %s has no policy: register it with h.handle", r.Method, r.Path)
			continue
		}
		routes = append(routes, r)
	}
	// Decisions that hold for whole areas, so a later route in them cannot get a weaker policy.
	for key, p := range policies {
		_, path, _ := strings.Cut(key, " ")
		switch {
		case strings.HasPrefix(path, "/admin") && !(len(p.Roles) == 1 && p.Roles[0] == db.RoleAccount):
			t.Errorf("%s: every /admin route is for Account admins only, got %+v", key, p)
		case strings.HasPrefix(path, "/api/") && p.Scope == "":
			t.Errorf("%s: every /api/ route takes an API token (Policy.Scope), got %+v", key, p)
		}
	}
	if len(routes) < 20 {
		t.Fatalf("only %d routes found; the walk is not seeing the route table", len(routes))
	}
	sort.Slice(routes, func(i, j int) bool { return routes[i].Path+routes[i].Method < routes[j].Path+routes[j].Method })

	for _, r := range routes {
		p := policies[r.Method+" "+r.Path]
		path := fillParams(r.Path)
		for _, w := range who {
			t.Run(r.Method+" "+r.Path+" as "+w.name, func(t *testing.T) {
				c := s.Client()
				c.T = t
				if w.email != "" {
					c.Login(w.email)
				}
				res := send(t, c, r.Method, path)
				denied := isDenied(res)
				want := p.Allows(users[w.name]) // nil user = no session; API-token routes never allow a session
				if want && denied {
					t.Errorf("%s %s as %s: denied (%d → %q), but the policy allows it", r.Method, path, w.name, res.StatusCode, res.Header.Get("Location"))
				}
				if !want && !denied {
					t.Errorf("%s %s as %s: allowed (%d → %q), but the policy denies it", r.Method, path, w.name, res.StatusCode, res.Header.Get("Location"))
				}
				if res.StatusCode >= 500 {
					t.Errorf("%s %s as %s: server error %d", r.Method, path, w.name, res.StatusCode)
				}
			})
		}
	}
}

// makeFixtures creates location 1 and lead 1, which path parameters point at.
func makeFixtures(t *testing.T, s *testkit.Server) {
	t.Helper()
	now := s.Clock.Now()
	err := s.DB.InTx(t.Context(), func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(t.Context(), `INSERT INTO locations (id, name, country, created_at, updated_at) VALUES (1, 'Tokyo', 'JP', ?, ?)`,
			now.Unix(), now.Unix()); err != nil {
			return err
		}
		return db.InsertLeadTx(t.Context(), tx, &lead.Lead{Tab: "marketplace", LeadType: "offer", Source: "appsource", CTA: "contact_me",
			LocationID: 1, CustomerCompany: "Contoso KK", ContactFirstName: "Aiko", ContactLastName: "Sato",
			ContactEmail: "aiko.sato@contoso.example", Country: "JP", CreatedAt: now})
	})
	if err != nil {
		t.Fatalf("fixtures: %v", err)
	}
}

var param = regexp.MustCompile(`:[A-Za-z_]+`)

func fillParams(path string) string {
	path = param.ReplaceAllStringFunc(path, func(p string) string {
		switch p {
		case ":provider":
			return "oidc"
		case ":token":
			return "no-such-token"
		}
		return "1"
	})
	return strings.ReplaceAll(path, "*", "css/app.css")
}

// send makes one request with a valid CSRF token, so CSRF is never what refuses it.
func send(t *testing.T, c *testkit.Client, method, path string) *testkit.Response {
	t.Helper()
	if method != http.MethodGet {
		c.Get("/settings") // a page with the CSRF token for anyone signed in; CSRF() falls back to /login
	}
	switch method {
	case http.MethodGet:
		return c.Get(path)
	case http.MethodPost:
		return c.PostForm(path, url.Values{})
	}
	req, err := http.NewRequest(method, c.Base+path, strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-CSRF-Token", c.CSRF())
	return c.Do(req)
}

func isDenied(res *testkit.Response) bool {
	loc := res.Header.Get("Location")
	switch {
	case res.StatusCode >= 300 && res.StatusCode < 400:
		return strings.HasPrefix(loc, "/login?next=") || strings.HasPrefix(loc, "/no-role?next=")
	case res.StatusCode == http.StatusUnauthorized || res.StatusCode == http.StatusForbidden:
		return strings.Contains(res.Body, `class="error-page"`) || strings.HasPrefix(strings.TrimSpace(res.Body), `{"error"`)
	}
	return false
}
