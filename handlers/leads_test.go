package handlers_test

import (
	"context"
	"database/sql"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"leaddesk/db"
	"leaddesk/internal/testkit"
	"leaddesk/lead"
	"leaddesk/leadfilter"
)

// addLead stores a lead built from base with changes applied; CreatedAt defaults to minutes before
// the fake clock so that insertion order is creation order.
func addLead(t testing.TB, s *testkit.Server, l lead.Lead) *lead.Lead {
	t.Helper()
	if l.Tab == "" {
		l.Tab = "marketplace"
	}
	if l.Tab == "marketplace" && l.LeadType == "" {
		l.LeadType = "offer"
	}
	if l.Tab == "marketplace" && l.LeadType == "offer" && l.CTA == "" {
		l.CTA = "contact_me"
	}
	if l.Tab == "qualified" && l.Classification == "" {
		l.Classification = "sales_qualified"
	}
	if l.Source == "" && l.Tab == "marketplace" {
		l.Source = "appsource"
	}
	if l.Country == "" {
		l.Country = "US"
	}
	if l.ContactFirstName == "" {
		l.ContactFirstName, l.ContactLastName = "Pat", "Lee"
	}
	if l.CreatedAt.IsZero() {
		l.CreatedAt = s.Clock.Now().Add(-time.Hour)
	}
	err := s.DB.InTx(context.Background(), func(tx *sql.Tx) error { return db.InsertLeadTx(context.Background(), tx, &l) })
	if err != nil {
		t.Fatalf("insert lead %s: %v", l.CustomerCompany, err)
	}
	return &l
}

// companies lists the customer companies of the list's rows in order.
var companyCell = regexp.MustCompile(`class="ws-company">(?:<span class="flame[^"]*"[^>]*>.*?</span></span>)?([^<]+)</a>`)

func companies(body string) []string {
	var out []string
	for _, m := range companyCell.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

func leadsSignedIn(t *testing.T, s *testkit.Server, email string, roles ...string) (*testkit.Client, *db.User) {
	t.Helper()
	u := s.CreateUser(email, "Aiko Tanaka", roles...)
	c := s.Client()
	c.Login(email)
	return c, u
}

// fixture is a small, varied set of leads: one per attribute worth telling apart.
func fixture(t *testing.T, s *testkit.Server) {
	t.Helper()
	now := s.Clock.Now()
	ago := func(h int) time.Time { return now.Add(-time.Duration(h) * time.Hour) }
	archived := func(outcome string) lead.Lead {
		return lead.Lead{Status: "archived", Outcome: outcome}
	}
	leads := []lead.Lead{
		{CustomerCompany: "Alpha GetIt", CTA: "get_it_now", Country: "JP", Source: "azure_marketplace", EmailValidity: "valid", PhoneValidity: "valid", CreatedAt: ago(1)},
		{CustomerCompany: "Bravo Trial", CTA: "free_trial", Country: "DE", Source: "azure_portal", EmailValidity: "invalid", PhoneValidity: "invalid", Quality: "low", CreatedAt: ago(2)},
		{CustomerCompany: "Charlie Drive", CTA: "test_drive", Country: "FR", EmailValidity: "spam", Quality: "low", CreatedAt: ago(3)},
		{CustomerCompany: "Delta Contact", CTA: "contact_me", Country: "JP", EmailValidity: "unknown", PhoneValidity: "unknown", CreatedAt: ago(4), DealValue: 500000, Currency: "USD"},
		{CustomerCompany: "Echo Profile", LeadType: "profile", Source: "appsource", Country: "US", EmailValidity: "spam", CreatedAt: ago(5)},
	}
	for _, l := range leads {
		addLead(t, s, l)
	}
	for i, o := range []string{"won", "lost", "declined", "expired"} {
		l := archived(o)
		l.CustomerCompany = "Archived " + o
		l.CTA = "contact_me"
		l.CreatedAt = ago(10 + i)
		l.ContactEmail = o + "@example.com"
		addLead(t, s, l)
	}
	acc := lead.Lead{CustomerCompany: "Foxtrot Accepted", CTA: "contact_me", Status: "accepted", CreatedAt: ago(20), DealValue: 100, Currency: "USD"}
	addLead(t, s, acc)
	addLead(t, s, lead.Lead{Tab: "qualified", Classification: "marketing_qualified", CustomerCompany: "Golf Qualified", Country: "JP", CreatedAt: ago(6)})
	addLead(t, s, lead.Lead{CustomerCompany: "Hotel Test", IsTest: true, CreatedAt: ago(7)})
}

func TestLeadsListEachFilterValue(t *testing.T) {
	s := testkit.NewServer(t)
	fixture(t, s)
	c, _ := leadsSignedIn(t, s, "aiko@example.com", db.RoleReferrals)

	cases := []struct {
		query string
		want  []string
	}{
		{"tab=marketplace", []string{"Alpha GetIt", "Bravo Trial", "Charlie Drive", "Delta Contact", "Echo Profile", "Archived won", "Archived lost", "Archived declined", "Archived expired", "Foxtrot Accepted"}},
		{"tab=qualified", []string{"Golf Qualified"}},
		{"tab=marketplace&test=1", []string{"Alpha GetIt", "Bravo Trial", "Charlie Drive", "Delta Contact", "Echo Profile", "Hotel Test", "Archived won", "Archived lost", "Archived declined", "Archived expired", "Foxtrot Accepted"}},
		{"cta=get_it_now", []string{"Alpha GetIt"}},
		{"cta=free_trial", []string{"Bravo Trial"}},
		{"cta=test_drive", []string{"Charlie Drive"}},
		{"cta=contact_me", []string{"Delta Contact", "Archived won", "Archived lost", "Archived declined", "Archived expired", "Foxtrot Accepted"}},
		{"cta=get_it_now&cta=free_trial", []string{"Alpha GetIt", "Bravo Trial"}},
		{"country=JP", []string{"Alpha GetIt", "Delta Contact"}},
		{"country=JP&country=DE", []string{"Alpha GetIt", "Bravo Trial", "Delta Contact"}},
		{"source=appsource&type=offer&cta=contact_me&status=received", []string{"Delta Contact"}},
		{"source=azure_marketplace", []string{"Alpha GetIt"}},
		{"source=azure_portal", []string{"Bravo Trial"}},
		{"type=profile", []string{"Echo Profile"}},
		{"type=offer&cta=get_it_now", []string{"Alpha GetIt"}},
		{"quality=low", []string{"Bravo Trial", "Charlie Drive"}},
		{"quality=high&cta=test_drive", nil},
		// status applies to actionable leads only: the informational leads (get it now…) have none.
		{"status=received", []string{"Delta Contact", "Echo Profile"}},
		{"status=accepted", []string{"Foxtrot Accepted"}},
		{"status=archived", []string{"Archived won", "Archived lost", "Archived declined", "Archived expired"}},
		{"outcome=won", []string{"Archived won"}},
		{"outcome=lost", []string{"Archived lost"}},
		{"outcome=declined", []string{"Archived declined"}},
		{"status=archived&outcome=expired", []string{"Archived expired"}},
		// validity applies to offer leads only: the profile lead with a spam address is not listed.
		{"email_validity=spam", []string{"Charlie Drive"}},
		{"email_validity=valid", []string{"Alpha GetIt"}},
		{"email_validity=invalid", []string{"Bravo Trial"}},
		{"email_validity=unknown&cta=contact_me&status=received", []string{"Delta Contact"}},
		{"phone_validity=valid", []string{"Alpha GetIt"}},
		{"phone_validity=invalid", []string{"Bravo Trial"}},
		{"phone_validity=unknown&country=JP", []string{"Delta Contact"}},
		// Unknown values are ignored, so the view is the tab.
		{"cta=bogus&country=ZZZ&sort=password&dir=sideways&size=7&page=-3", nil},
	}
	for _, tc := range cases {
		res := c.Get("/leads?" + tc.query)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", tc.query, res.StatusCode)
		}
		got := companies(res.Body)
		want := tc.want
		if tc.query == "cta=bogus&country=ZZZ&sort=password&dir=sideways&size=7&page=-3" {
			want = cases[0].want
		}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("/leads?%s\n got %q\nwant %q", tc.query, got, want)
		}
	}
}

func TestLeadsCountsChipsAndClearAll(t *testing.T) {
	s := testkit.NewServer(t)
	fixture(t, s)
	c, _ := leadsSignedIn(t, s, "aiko@example.com", db.RoleReferrals)
	res := c.Get("/leads?tab=marketplace&country=JP&cta=contact_me")
	for _, want := range []string{`id="count-marketplace">10<`, `id="count-qualified">1<`, `id="count-favorites">0<`,
		`Japan<a href="/leads?cta=contact_me&amp;tab=marketplace"`, `Call to action: Contact me<a href="/leads?country=JP&amp;tab=marketplace"`,
		`href="/leads?tab=marketplace" hx-get="/leads?tab=marketplace" hx-target="#main" hx-push-url="true">Clear all`, `1–1 of 1`} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// Japanese: localized country names and labels.
	c.PostForm("/lang", url.Values{"lang": {"ja"}, "next": {"/leads"}})
	res = c.Get("/leads?tab=marketplace&country=JP")
	for _, want := range []string{"日本", "行動喚起", "エクスポート", "Marketplace リード"} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("Japanese page lacks %q", want)
		}
	}
}

func TestLeadsSortAndPaging(t *testing.T) {
	s := testkit.NewServer(t)
	c, _ := leadsSignedIn(t, s, "aiko@example.com", db.RoleReferrals)
	base := s.Clock.Now().Add(-100 * time.Hour)
	// Pairs share a creation time, so ties must fall back to the id.
	for i := 0; i < 60; i++ {
		addLead(t, s, lead.Lead{CustomerCompany: fmt.Sprintf("Co %02d", i), CreatedAt: base.Add(time.Duration(i/2) * time.Hour),
			DealValue: int64((i % 7) * 100), Currency: "USD"})
	}
	res := c.Get("/leads?tab=marketplace&size=25")
	got := companies(res.Body)
	if len(got) != 25 || got[0] != "Co 59" || got[1] != "Co 58" || got[24] != "Co 35" {
		t.Fatalf("newest first, id desc on ties: %q", got)
	}
	if !strings.Contains(res.Body, "1–25 of 60") {
		t.Error("range and total missing")
	}
	res = c.Get("/leads?tab=marketplace&size=25&page=3")
	if got := companies(res.Body); len(got) != 10 || got[9] != "Co 00" {
		t.Errorf("page 3: %q", got)
	}
	// Past the end: the last page, still valid.
	res = c.Get("/leads?tab=marketplace&size=25&page=999")
	if got := companies(res.Body); res.StatusCode != 200 || len(got) != 10 || !strings.Contains(res.Body, "51–60 of 60") {
		t.Errorf("page past the end: %d %q", res.StatusCode, got)
	}
	res = c.Get("/leads?tab=marketplace&sort=created&dir=asc&size=25")
	if got := companies(res.Body); got[0] != "Co 00" || got[1] != "Co 01" {
		t.Errorf("oldest first: %q", got)
	}
	res = c.Get("/leads?tab=marketplace&sort=customer&dir=desc&size=100")
	if got := companies(res.Body); got[0] != "Co 59" || got[59] != "Co 00" {
		t.Errorf("customer desc: %q", got[:3])
	}
	// Value ascending, ties by id ascending: values 0 come first in creation order.
	res = c.Get("/leads?tab=marketplace&sort=value&size=100")
	if got := companies(res.Body); got[0] != "Co 00" || got[1] != "Co 07" || got[59] != "Co 55" {
		t.Errorf("value asc: %q", got)
	}
	if !strings.Contains(res.Body, `aria-sort="ascending"`) {
		t.Error("the sorted column is not marked")
	}
}

func TestLeadsSortByStatusAndExpiry(t *testing.T) {
	s := testkit.NewServer(t)
	c, _ := leadsSignedIn(t, s, "aiko@example.com", db.RoleReferrals)
	addLead(t, s, lead.Lead{CustomerCompany: "Late", CreatedAt: s.Clock.Now().Add(-24 * time.Hour)})
	addLead(t, s, lead.Lead{CustomerCompany: "Soon", CreatedAt: s.Clock.Now().Add(-13 * 24 * time.Hour)})
	addLead(t, s, lead.Lead{CustomerCompany: "Done", Status: "archived", Outcome: "won"})
	addLead(t, s, lead.Lead{CustomerCompany: "Working", Status: "accepted"})
	res := c.Get("/leads?sort=expiry&dir=asc")
	if got := strings.Join(companies(res.Body), ","); got != "Soon,Late,Done,Working" {
		t.Errorf("expiry asc (none last, then id): %s", got)
	}
	if !strings.Contains(res.Body, "24 hours") || !strings.Contains(res.Body, "13 days") {
		t.Errorf("time left missing:\n%s", res.Body)
	}
	res = c.Get("/leads?sort=status&dir=asc")
	if got := strings.Join(companies(res.Body), ","); got != "Late,Soon,Working,Done" {
		t.Errorf("status asc: %s", got)
	}
}

func TestLeadsSearch(t *testing.T) {
	s := testkit.NewServer(t)
	c, _ := leadsSignedIn(t, s, "aiko@example.com", db.RoleReferrals)
	addLead(t, s, lead.Lead{CustomerCompany: "田中商事株式会社", ContactFirstName: "太郎", ContactLastName: "田中", Country: "JP"})
	addLead(t, s, lead.Lead{CustomerCompany: "中田工業", ContactFirstName: "花子", ContactLastName: "中田", Country: "JP"})
	addLead(t, s, lead.Lead{CustomerCompany: "Contoso", ContactFirstName: "Ann", ContactLastName: "Smith", DealName: "Azure rollout"})
	addLead(t, s, lead.Lead{CustomerCompany: "Fabrikam", ContactFirstName: "Bo", ContactLastName: "Ruiz", Notes: "needs a rollout plan"})
	// "anab" has bigrams an, na, ab: "banana bread" holds them all, but not the word.
	addLead(t, s, lead.Lead{CustomerCompany: "Banana Bread", ContactFirstName: "Cy", ContactLastName: "Ng"})
	cases := map[string]string{
		"田中":      "田中商事株式会社",
		"中田":      "中田工業",
		"田中太郎":    "田中商事株式会社",
		"rollout": "Fabrikam,Contoso", // newest first; same time, so the higher id first
		"CONTOSO": "Contoso",
		"smith":   "Contoso",
		"anab":    "",
		"x":       "Banana Bread,Fabrikam,Contoso,中田工業,田中商事株式会社", // one character searches nothing
	}
	for q, want := range cases {
		res := c.Get("/leads?q=" + url.QueryEscape(q))
		if got := strings.Join(companies(res.Body), ","); got != want {
			t.Errorf("q=%s: got %s, want %s", q, got, want)
		}
	}
	// Hostile input keeps the page valid.
	for _, q := range []string{strings.Repeat("田", 10000), "'; DROP TABLE leads; --", `" OR 1=1 --`, "NEAR(a b)", "*"} {
		res := c.Get("/leads?q=" + url.QueryEscape(q) + "&sort=" + url.QueryEscape("created; DROP TABLE leads"))
		if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, `id="results"`) {
			t.Errorf("q=%.20s: status %d", q, res.StatusCode)
		}
	}
	if got := companies(c.Get("/leads?tab=marketplace").Body); len(got) != 5 {
		t.Errorf("leads after hostile input: %q", got)
	}
}

func TestLeadsExpiredContactHidden(t *testing.T) {
	s := testkit.NewServer(t)
	c, _ := leadsSignedIn(t, s, "aiko@example.com", db.RoleReferrals)
	addLead(t, s, lead.Lead{CustomerCompany: "Gone KK", ContactFirstName: "Secret", ContactLastName: "Person", ContactEmail: "secret@gone.example",
		ContactPhone: "+81 3 0000 0000", Status: "archived", Outcome: "expired"})
	res := c.Get("/leads")
	if strings.Contains(res.Body, "Secret") || !strings.Contains(res.Body, "Contact details hidden") {
		t.Error("an expired lead shows contact details in the list")
	}
	exp := c.Get("/leads/export.csv")
	if strings.Contains(exp.Body, "Secret") || strings.Contains(exp.Body, "secret@gone.example") || strings.Contains(exp.Body, "0000") {
		t.Errorf("an expired lead's contact is exported:\n%s", exp.Body)
	}
}

func TestLeadsExportCSV(t *testing.T) {
	s := testkit.NewServer(t)
	c, _ := leadsSignedIn(t, s, "aiko@example.com", db.RoleReferrals)
	addLead(t, s, lead.Lead{CustomerCompany: "=HYPERLINK(\"http://evil\")", ContactFirstName: "+cmd", ContactLastName: "x", ContactEmail: "@sum@example.com",
		Notes: "-2+3", Country: "JP", EmailValidity: "valid", PhoneValidity: "invalid", CreatedAt: time.Date(2026, 11, 1, 3, 4, 5, 0, time.UTC)})
	addLead(t, s, lead.Lead{CustomerCompany: "株式会社テスト", ContactFirstName: "太郎", ContactLastName: "山田", Country: "JP", DealValue: 1250000, Currency: "USD",
		CreatedAt: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)})
	addLead(t, s, lead.Lead{CustomerCompany: "Filtered out", Country: "DE"})
	res := c.Get("/leads/export.csv?tab=marketplace&country=JP&sort=created&dir=asc&page=2")
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("export: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if cd := res.Header.Get("Content-Disposition"); !strings.Contains(cd, `filename="leads-2026-11-30.csv"`) {
		t.Errorf("file name: %s", cd)
	}
	if !strings.HasPrefix(res.Body, "\ufeffLeadId,LeadCreationDateTime,CustomerCompany,ContactName,ContactEmail,EmailValidity,ContactPhone,PhoneValidity,") {
		t.Errorf("BOM and header: %.200q", res.Body)
	}
	lines := strings.Split(strings.TrimSpace(strings.TrimPrefix(res.Body, "\ufeff")), "\n")
	if len(lines) != 3 {
		t.Fatalf("want header + 2 rows (all pages of the view), got %d:\n%s", len(lines), res.Body)
	}
	first := lines[1]
	for _, want := range []string{"2026-11-01T03:04:05Z", `"'=HYPERLINK(""http://evil"")"`, "'+cmd x", "'@sum@example.com", "'-2+3", ",valid,", ",invalid,"} {
		if !strings.Contains(first, want) {
			t.Errorf("first row lacks %q: %s", want, first)
		}
	}
	if !strings.Contains(lines[2], "株式会社テスト,山田 太郎") || !strings.Contains(lines[2], ",12500.00,USD,") {
		t.Errorf("second row: %s", lines[2])
	}
}

func TestLeadsReadOnlyForProfileAdmins(t *testing.T) {
	s := testkit.NewServer(t)
	l := addLead(t, s, lead.Lead{CustomerCompany: "Contoso"})
	c, _ := leadsSignedIn(t, s, "profile@example.com", db.RoleProfile)
	res := c.Get("/leads")
	if res.StatusCode != 200 || !strings.Contains(res.Body, "Contoso") {
		t.Fatalf("profile admin cannot read leads: %d", res.StatusCode)
	}
	for _, hidden := range []string{"heart-form", `id="bulk"`, "export.csv", `name="ids"`} {
		if strings.Contains(res.Body, hidden) {
			t.Errorf("read-only page shows %s", hidden)
		}
	}
	if r := c.PostForm(fmt.Sprintf("/leads/%d/favorite", l.ID), nil); r.StatusCode != http.StatusForbidden {
		t.Errorf("favourite by profile admin: %d", r.StatusCode)
	}
	if r := c.PostForm("/leads/bulk/favorite", url.Values{"ids": {fmt.Sprint(l.ID)}}); r.StatusCode != http.StatusForbidden {
		t.Errorf("bulk favourite by profile admin: %d", r.StatusCode)
	}
	if r := c.Get("/leads/export.csv"); r.StatusCode != http.StatusForbidden {
		t.Errorf("export by profile admin: %d", r.StatusCode)
	}
	if n, _ := s.DB.FavoriteCount(context.Background(), 1); n != 0 {
		t.Error("a refused favourite was stored")
	}
}

func TestLeadsFavoriteToggle(t *testing.T) {
	s := testkit.NewServer(t)
	a := addLead(t, s, lead.Lead{CustomerCompany: "Contoso"})
	b := addLead(t, s, lead.Lead{CustomerCompany: "Fabrikam"})
	c, _ := leadsSignedIn(t, s, "aiko@example.com", db.RoleReferrals)
	res := c.PostForm(fmt.Sprintf("/leads/%d/favorite", a.ID), nil, "HX-Request", "true")
	if res.StatusCode != 200 || !strings.Contains(res.Body, `aria-pressed="true"`) || !strings.Contains(res.Body, `id="count-favorites" hx-swap-oob="true">1<`) {
		t.Fatalf("heart on: %d\n%s", res.StatusCode, res.Body)
	}
	if got := companies(c.Get("/leads?tab=favorites").Body); strings.Join(got, ",") != "Contoso" {
		t.Errorf("favorites tab: %q", got)
	}
	res = c.PostForm(fmt.Sprintf("/leads/%d/favorite", a.ID), nil, "HX-Request", "true")
	if !strings.Contains(res.Body, `aria-pressed="false"`) || !strings.Contains(res.Body, `hx-swap-oob="true">0<`) {
		t.Errorf("heart off:\n%s", res.Body)
	}
	// Without htmx: a redirect back to the view.
	res = c.PostForm(fmt.Sprintf("/leads/%d/favorite", b.ID), url.Values{"next": {"/leads?tab=qualified"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/leads?tab=qualified" {
		t.Errorf("no-JS favourite: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if r := c.PostForm("/leads/99999/favorite", nil); r.StatusCode != http.StatusNotFound {
		t.Errorf("unknown lead: %d", r.StatusCode)
	}
	if r := c.PostRaw(fmt.Sprintf("/leads/%d/favorite", a.ID), url.Values{}); r.StatusCode != http.StatusForbidden {
		t.Errorf("favourite without CSRF: %d", r.StatusCode)
	}
	// Bulk: both hearted, one redirect.
	res = c.PostForm("/leads/bulk/favorite", url.Values{"ids": {fmt.Sprint(a.ID), fmt.Sprint(b.ID), "junk"}, "next": {"/leads?tab=favorites"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("bulk: %d", res.StatusCode)
	}
	page := c.Get("/leads?tab=favorites")
	if got := companies(page.Body); len(got) != 2 || !strings.Contains(page.Body, `id="count-favorites">2<`) {
		t.Errorf("after bulk favourite: %q", got)
	}
}

func TestLeadsLastViewRemembered(t *testing.T) {
	s := testkit.NewServer(t)
	addLead(t, s, lead.Lead{CustomerCompany: "Contoso", Country: "JP"})
	c, _ := leadsSignedIn(t, s, "aiko@example.com", db.RoleReferrals)
	c.Get("/leads?tab=marketplace&country=JP&sort=customer&dir=asc")
	c2 := s.Client()
	c2.Login("aiko@example.com")
	res := c2.Get("/leads")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/leads?country=JP&dir=asc&sort=customer&tab=marketplace" {
		t.Errorf("bare /leads after a new sign-in: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
}

// TestLeadsIndexFollowsOtherWriters changes leads behind the list's back (as another process or
// another feature would) and checks the list, counts and totals follow.
func TestLeadsIndexFollowsOtherWriters(t *testing.T) {
	s := testkit.NewServer(t)
	a := addLead(t, s, lead.Lead{CustomerCompany: "Contoso"})
	c, _ := leadsSignedIn(t, s, "aiko@example.com", db.RoleReferrals)
	if got := companies(c.Get("/leads?status=received").Body); len(got) != 1 {
		t.Fatalf("before: %q", got)
	}
	s.Clock.Advance(time.Minute)
	if _, err := s.DB.Exec(`UPDATE leads SET status = 'accepted', expires_at = NULL, customer_company = 'Contoso Renamed', updated_at = ?, version = version + 1 WHERE id = ?`,
		s.Clock.Now().Unix(), a.ID); err != nil {
		t.Fatal(err)
	}
	addLead(t, s, lead.Lead{CustomerCompany: "Newcomer", CreatedAt: s.Clock.Now()})
	if got := companies(c.Get("/leads?status=received").Body); strings.Join(got, ",") != "Newcomer" {
		t.Errorf("received after the change: %q", got)
	}
	res := c.Get("/leads?status=accepted&sort=customer")
	if got := companies(res.Body); strings.Join(got, ",") != "Contoso Renamed" {
		t.Errorf("accepted after the change: %q", got)
	}
	if !strings.Contains(res.Body, `id="count-marketplace">2<`) {
		t.Error("tab count did not follow")
	}
}

func TestAdjacentLeadIDs(t *testing.T) {
	s := testkit.NewServer(t)
	var ids []int64
	for i := 0; i < 4; i++ {
		ids = append(ids, addLead(t, s, lead.Lead{CustomerCompany: fmt.Sprint("Co ", i), CreatedAt: s.Clock.Now().Add(time.Duration(-i) * time.Hour)}).ID)
	}
	f := leadfilter.ParseView(url.Values{"tab": {"marketplace"}})
	prev, next, err := s.DB.AdjacentLeadIDs(context.Background(), f, 1, ids[1])
	if err != nil || prev != ids[0] || next != ids[2] {
		t.Errorf("adjacent of %d: %d %d %v", ids[1], prev, next, err)
	}
	prev, next, _ = s.DB.AdjacentLeadIDs(context.Background(), f, 1, ids[0])
	if prev != 0 || next != ids[1] {
		t.Errorf("first: %d %d", prev, next)
	}
	f = leadfilter.ParseView(url.Values{"tab": {"qualified"}})
	if prev, next, _ = s.DB.AdjacentLeadIDs(context.Background(), f, 1, ids[0]); prev != 0 || next != 0 {
		t.Errorf("not in view: %d %d", prev, next)
	}
}

// TestLeadRowsEscapedWithAWorkingHeart: a row of the list, rendered through the real router, shows a
// hostile company and contact as text (in the link and in the checkbox's accessible name, in English
// and Japanese), and its heart carries what the browser posts: the lead's favourite URL for the form
// and for htmx, the session's CSRF token, and the pressed state, which a post with that token flips.
func TestLeadRowsEscapedWithAWorkingHeart(t *testing.T) {
	s := testkit.NewServer(t)
	const hostile = `<script>alert("x")</script> & 'Co'`
	const hostileText = `&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#39;Co&#39;`
	a := addLead(t, s, lead.Lead{CustomerCompany: hostile, ContactFirstName: `"Ann"`, ContactLastName: "O'Neil<b>", Country: "JP"})
	won := addLead(t, s, lead.Lead{CustomerCompany: "Contoso", Country: "JP", Status: "archived", Outcome: "won", DealValue: 1234567, Currency: "USD"})
	c, _ := leadsSignedIn(t, s, "aiko@example.com", db.RoleReferrals)

	page := c.Get("/leads?tab=marketplace").Body
	row := leadRowHTML(t, page, a.ID)
	if strings.Contains(page, "<script>alert") || strings.Contains(page, "O'Neil<b>") {
		t.Fatalf("the hostile name reached the page unescaped:\n%s", row)
	}
	for _, want := range []string{
		`class="ws-company">` + hostileText + `</a>`,
		`aria-label="Select ` + hostileText + `"`,
		`&#34;Ann&#34; O&#39;Neil&lt;b&gt;`,
		fmt.Sprintf(`<input type="checkbox" name="ids" value="%d" form="bulk"`, a.ID),
		fmt.Sprintf(`<form class="heart-form" method="post" action="/leads/%d/favorite" hx-post="/leads/%d/favorite" hx-target="this" hx-swap="outerHTML">`, a.ID, a.ID),
		`aria-pressed="false"`,
	} {
		if !strings.Contains(row, want) {
			t.Errorf("row lacks %s:\n%s", want, row)
		}
	}
	for _, want := range []string{"USD 12,345.67", `<span title="JP">Japan</span>`, `<span class="label label-success">`, "Won"} {
		if r := leadRowHTML(t, page, won.ID); !strings.Contains(r, want) {
			t.Errorf("won row lacks %s:\n%s", want, r)
		}
	}

	// The heart's token is the session's: posting exactly what the row's form holds is accepted.
	m := regexp.MustCompile(`<input type="hidden" name="csrf" value="([^"]+)">`).FindStringSubmatch(row)
	if m == nil {
		t.Fatalf("the heart has no CSRF token:\n%s", row)
	}
	res := c.PostRaw(fmt.Sprintf("/leads/%d/favorite", a.ID), url.Values{"csrf": {m[1]}}, "HX-Request", "true")
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, `aria-pressed="true"`) {
		t.Fatalf("posting the row's heart: %d\n%s", res.StatusCode, res.Body)
	}
	if r := leadRowHTML(t, c.Get("/leads?tab=marketplace").Body, a.ID); !strings.Contains(r, `aria-pressed="true"`) {
		t.Errorf("the row's heart is not pressed after the post:\n%s", r)
	}

	c.PostForm("/lang", url.Values{"lang": {"ja"}, "next": {"/leads"}})
	row = leadRowHTML(t, c.Get("/leads?tab=marketplace").Body, a.ID)
	for _, want := range []string{`aria-label="` + hostileText + ` を選択"`, `aria-label="お気に入りから削除"`} {
		if !strings.Contains(row, want) {
			t.Errorf("Japanese row lacks %s:\n%s", want, row)
		}
	}
}

// leadRowHTML is the list's table row of lead id.
func leadRowHTML(t *testing.T, page string, id int64) string {
	t.Helper()
	for _, r := range strings.Split(page, "<tr>")[1:] {
		if r, _, ok := strings.Cut(r, "</tr>"); ok && strings.Contains(r, fmt.Sprintf(`href="/leads/%d?`, id)) {
			return r
		}
	}
	t.Fatalf("no row for lead %d", id)
	return ""
}

func TestAdjacentLeadIDsInFilteredAndSearchViews(t *testing.T) {
	s := testkit.NewServer(t)
	a := addLead(t, s, lead.Lead{CustomerCompany: "Alpha", Country: "JP", CreatedAt: s.Clock.Now().Add(-1 * time.Hour)})
	addLead(t, s, lead.Lead{CustomerCompany: "Beta", Country: "US", CreatedAt: s.Clock.Now().Add(-2 * time.Hour)})
	c := addLead(t, s, lead.Lead{CustomerCompany: "Gamma", Country: "JP", CreatedAt: s.Clock.Now().Add(-3 * time.Hour)})
	ctx := context.Background()
	for _, q := range []url.Values{
		{"tab": {"marketplace"}, "country": {"JP"}},
		{"tab": {"marketplace"}, "country": {"JP"}, "sort": {"created"}, "dir": {"asc"}},
		{"tab": {"marketplace"}, "country": {"JP"}, "q": {"pa"}}, // every contact is Pat Lee: Alpha, Gamma
	} {
		f := leadfilter.ParseView(q)
		prev, next, err := s.DB.AdjacentLeadIDs(ctx, f, 1, a.ID)
		wantPrev, wantNext := int64(0), c.ID
		if !f.Desc {
			wantPrev, wantNext = c.ID, 0
		}
		if err != nil || prev != wantPrev || next != wantNext {
			t.Errorf("%s: prev %d next %d (%v), want %d %d", q.Encode(), prev, next, err, wantPrev, wantNext)
		}
	}
}

// TestLeadsResultsFragment: a filter change through htmx gets only the results, with the new range
// announced in the live region; a full page never carries the out-of-band copy.
func TestLeadsResultsFragment(t *testing.T) {
	s := testkit.NewServer(t)
	addLead(t, s, lead.Lead{CustomerCompany: "Contoso", Country: "JP"})
	addLead(t, s, lead.Lead{CustomerCompany: "Fabrikam", Country: "DE"})
	c, _ := leadsSignedIn(t, s, "aiko@example.com", db.RoleReferrals)
	res := c.Get("/leads?tab=marketplace&country=JP", "HX-Request", "true", "HX-Target", "results")
	if strings.Contains(res.Body, `class="tabs"`) || !strings.HasPrefix(strings.TrimSpace(res.Body), `<div id="results"`) {
		t.Errorf("fragment is not just the results:\n%.300s", res.Body)
	}
	if !strings.Contains(res.Body, `aria-live="polite" hx-swap-oob="innerHTML">1–1 of 1<`) || strings.Join(companies(res.Body), ",") != "Contoso" {
		t.Errorf("fragment rows or live range wrong:\n%s", res.Body)
	}
	full := c.Get("/leads?tab=marketplace&country=JP")
	if strings.Contains(full.Body, "hx-swap-oob") || strings.Count(full.Body, `id="live"`) != 1 {
		t.Error("the full page carries an out-of-band live region")
	}
}

// The page size is per_page, as docs/design.md §8 names it; size, which links used before, still works.
func TestLeadsPerPageParameter(t *testing.T) {
	s := testkit.NewServer(t)
	c, _ := leadsSignedIn(t, s, "aiko@example.com", db.RoleReferrals)
	for i := 0; i < 30; i++ {
		addLead(t, s, lead.Lead{CustomerCompany: fmt.Sprintf("Co %02d", i)})
	}
	for _, q := range []string{"per_page=25", "size=25"} {
		res := c.Get("/leads?tab=marketplace&" + q)
		if got := companies(res.Body); len(got) != 25 {
			t.Errorf("%s: %d rows, want 25", q, len(got))
		}
		if !strings.Contains(res.Body, "per_page=25&amp;page=2") && !strings.Contains(res.Body, "page=2&amp;per_page=25") {
			t.Errorf("%s: the pager's links do not keep per_page=25", q)
		}
	}
}

// The list's flame follows the details page (lifecycle.Flame): urgent for 72 hours, then the calmer
// mark, each with a short visible label, and only while the lead is received (none once accepted or
// archived).
func TestLeadsFlameCalmsAfter72Hours(t *testing.T) {
	s := testkit.NewServer(t)
	c, _ := leadsSignedIn(t, s, "aiko@example.com", db.RoleReferrals)
	now := s.Clock.Now()
	addLead(t, s, lead.Lead{CustomerCompany: "Hot KK", CustomerRequestedContact: true, CreatedAt: now.Add(-time.Hour)})
	addLead(t, s, lead.Lead{CustomerCompany: "Calm KK", CustomerRequestedContact: true, CreatedAt: now.Add(-4 * 24 * time.Hour)})
	addLead(t, s, lead.Lead{CustomerCompany: "Done KK", CustomerRequestedContact: true, Status: "archived", Outcome: "won", CreatedAt: now.Add(-2 * time.Hour)})
	addLead(t, s, lead.Lead{CustomerCompany: "Working KK", CustomerRequestedContact: true, Status: "accepted", CreatedAt: now.Add(-2 * time.Hour)})
	page := c.Get("/leads?tab=marketplace").Body
	cell := func(company string) string {
		start := strings.Index(page, company+"</a>")
		if start < 0 {
			t.Fatalf("no row for %s", company)
		}
		return html.UnescapeString(page[start : start+strings.Index(page[start:], "</td>")])
	}
	if got := cell("Hot KK"); !strings.Contains(got, `class="ws-flame flame" title="Customer asked to be contacted">`) || !strings.Contains(got, "Contact requested</span>") {
		t.Errorf("a fresh request is not urgent, or has no label: %s", got)
	}
	if got := cell("Calm KK"); !strings.Contains(got, `class="ws-flame flame-calm"`) || !strings.Contains(got, "over 72 hours ago") ||
		!strings.Contains(got, "Contact requested 3+ days ago</span>") {
		t.Errorf("a request older than 72 hours is not calm: %s", got)
	}
	if got := cell("Done KK"); strings.Contains(got, "flame") {
		t.Errorf("an archived lead still shows a flame: %s", got)
	}
	if got := cell("Working KK"); strings.Contains(got, "flame") {
		t.Errorf("an accepted lead still shows a flame: %s", got)
	}
	if got := companies(page); len(got) != 4 {
		t.Errorf("rows = %q", got)
	}
}

// The last view is kept in memory between flushes and written by FlushLastViews (every few seconds
// under serve, and at shutdown), so it survives a restart.
func TestLeadsLastViewIsWrittenByTheFlush(t *testing.T) {
	s := testkit.NewServer(t)
	c, u := leadsSignedIn(t, s, "aiko@example.com", db.RoleReferrals)
	c.Get("/leads?tab=qualified&sort=value&dir=desc")
	if got, _ := s.DB.UserByID(t.Context(), u.ID); got.LastView != "" {
		t.Errorf("written before the flush: %q", got.LastView)
	}
	if err := s.Handler.FlushLastViews(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.DB.UserByID(t.Context(), u.ID); got.LastView != "dir=desc&sort=value&tab=qualified" {
		t.Errorf("after the flush: %q", got.LastView)
	}
}
