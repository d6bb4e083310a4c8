package handlers_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"leaddesk/db"
	"leaddesk/intake"
	"leaddesk/internal/testkit"
	"leaddesk/lead"
)

func TestAdminTokensCreateShowsOnceAndRevokes(t *testing.T) {
	s := testkit.NewServer(t)
	s.CreateUser("root@example.com", "Rika Admin", db.RoleAccount)
	s.CreateUser("ref@example.com", "Ren Referrals", db.RoleReferrals)
	c := s.Client()
	c.Login("root@example.com")

	if res := c.PostForm("/admin/tokens", url.Values{"name": {""}}); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(res.Body, "Enter a name") || !strings.Contains(res.Body, "Choose at least one scope") {
		t.Fatalf("empty form: %d", res.StatusCode)
	}
	res := c.PostForm("/admin/tokens", url.Values{"name": {"Marketplace"}, "scopes": {"intake", "read"}})
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d\n%s", res.StatusCode, res.Body)
	}
	secret := regexp.MustCompile(`<code id="new-token">(ld_[A-Za-z0-9_-]+)</code>`).FindStringSubmatch(res.Body)
	if secret == nil || !strings.Contains(res.Body, "/intake/marketplace/"+secret[1]) {
		t.Fatalf("the new token and its endpoint URL are not shown:\n%s", res.Body)
	}
	list := c.Get("/admin/tokens")
	if strings.Contains(list.Body, secret[1]) || !strings.Contains(list.Body, "Marketplace") || !strings.Contains(list.Body, "Never") {
		t.Errorf("the list shows the secret again, or lacks the token")
	}
	if a := post(t, s.URL+"/intake/marketplace/"+secret[1], examplePayload); a.Status != http.StatusCreated {
		t.Fatalf("the new token does not work: %d", a.Status)
	}
	if list := c.Get("/admin/tokens"); strings.Contains(list.Body, "Never") {
		t.Errorf("last use not shown after a delivery")
	}
	toks, _ := s.DB.ListTokens(t.Context())
	res = c.PostForm("/admin/tokens/"+itoa(toks[0].ID)+"/revoke", nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", res.StatusCode)
	}
	if !strings.Contains(c.Get("/admin/tokens").Body, "Revoked") {
		t.Errorf("revoked token not labelled")
	}
	if a := post(t, s.URL+"/intake/marketplace/"+secret[1], camelPayload); a.Status != http.StatusUnauthorized {
		t.Errorf("revoked token still works: %d", a.Status)
	}
	// Only Account admins manage tokens.
	r := s.Client()
	r.Login("ref@example.com")
	if res := r.Get("/admin/tokens"); res.StatusCode != http.StatusForbidden {
		t.Errorf("referrals admin on /admin/tokens: %d", res.StatusCode)
	}
	if res := r.PostForm("/admin/tokens", url.Values{"name": {"x"}, "scopes": {"read"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("referrals admin creating a token: %d", res.StatusCode)
	}
}

func TestAdminSpamListMarksNewLeads(t *testing.T) {
	s := testkit.NewServer(t)
	s.CreateUser("root@example.com", "Rika Admin", db.RoleAccount)
	c := s.Client()
	c.Login("root@example.com")
	if page := c.Get("/admin/spam"); !strings.Contains(page.Body, "mailinator.com") {
		t.Errorf("seeded disposable domains missing")
	}
	for _, bad := range []string{"", "not a domain", "a@b@c"} {
		if res := c.PostForm("/admin/spam", url.Values{"value": {bad}}); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%q: %d", bad, res.StatusCode)
		}
	}
	if res := c.PostForm("/admin/spam", url.Values{"value": {"Fabrikam-Spam.com"}, "note": {"reported twice"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("add: %d", res.StatusCode)
	}
	if res := c.PostForm("/admin/spam", url.Values{"value": {"fabrikam-spam.com"}}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "already on the spam list") {
		t.Errorf("duplicate: %d", res.StatusCode)
	}
	tok := newToken(t, s, "intake")
	body := strings.Replace(examplePayload, "aiko.sato@contoso.co.jp", "eve@sales.fabrikam-spam.com", 1)
	a := post(t, s.URL+"/intake/marketplace/"+tok, body)
	l, _ := s.DB.LeadByID(t.Context(), leadID(t, a))
	if l.EmailValidity != "spam" || l.Quality != "low" {
		t.Errorf("lead from a listed domain: %s/%s", l.EmailValidity, l.Quality)
	}
	var id int64
	s.DB.QueryRow(`SELECT id FROM spam_list WHERE value = 'fabrikam-spam.com'`).Scan(&id)
	if res := c.PostForm("/admin/spam/"+itoa(id)+"/delete", nil); res.StatusCode != http.StatusSeeOther || strings.Contains(c.Get("/admin/spam").Body, "fabrikam-spam.com") {
		t.Errorf("delete: %d", res.StatusCode)
	}
}

func TestValidationOutcomesOnTheWayIn(t *testing.T) {
	s := testkit.NewServer(t)
	tok := newToken(t, s, "intake")
	for email, want := range map[string][3]string{
		"aiko@contoso.co.jp":       {"valid", "valid", "high"},
		"aiko@mailinator.com":      {"spam", "valid", "low"},
		"aiko(at)contoso.co.jp":    {"invalid", "valid", "low"},
		"aiko@contoso.notarealtld": {"unknown", "valid", "high"},
	} {
		body := strings.Replace(examplePayload, "aiko.sato@contoso.co.jp", email, 1)
		a := post(t, s.URL+"/intake/marketplace/"+tok, body)
		if a.Status != http.StatusCreated {
			t.Fatalf("%s: %d %s", email, a.Status, a.Raw)
		}
		l, _ := s.DB.LeadByID(t.Context(), leadID(t, a))
		if got := [3]string{l.EmailValidity, l.PhoneValidity, l.Quality}; got != want {
			t.Errorf("%s: %v, want %v", email, got, want)
		}
	}
	body := strings.Replace(strings.Replace(examplePayload, "+81 3-1234-5678", "12", 1), "aiko.sato@contoso.co.jp", "x@contoso.notarealtld", 1)
	a := post(t, s.URL+"/intake/marketplace/"+tok, body)
	l, _ := s.DB.LeadByID(t.Context(), leadID(t, a))
	if l.PhoneValidity != "invalid" || l.Quality != "low" {
		t.Errorf("bad phone and unknown email: %s/%s", l.PhoneValidity, l.Quality)
	}
}

// exportCSV is a file in the columns of our own export (docs/design.md §3.5), BOM and neutralized cells included.
const exportCSV = "\ufeffLeadId,LeadCreationDateTime,CustomerCompany,ContactName,Email,EmailValidity,Phone,PhoneValidity,Country,Source,LeadType,CallToAction,Offer,Quality,Status,Outcome,Reason,DealName,DealValue,Currency,PurchaseDate,CrmId,CampaignId,Notes\r\n" +
	"PC-1,2026-11-29T09:00:00Z,Contoso KK,Aiko Sato,aiko@contoso.co.jp,valid,'+81 3-1234-5678,valid,JP,appsource,offer,contact_me,Contoso CRM,high,received,,,,,,,,,\"Call me, please\"\r\n" +
	"PC-2,2026-06-01T09:00:00Z,Fabrikam Inc,Bob Smith,bob@fabrikam.com,valid,+1 425 882 8080,valid,US,azure_marketplace,offer,contact_me,Fabrikam VM,high,archived,won,,Fabrikam rollout,12500.50,USD,2026-07-01,CRM-9,CMP-1,'=SUM(A1:A2)\r\n" +
	"PC-3,2026-11-29T09:00:00Z,Nowhere,,x@y.com,,,,Atlantis,appsource,offer,contact_me,Z,,,,,,,,,,,\r\n" +
	"PC-4,ragged\r\n"

func uploadCSV(t *testing.T, c *testkit.Client, name, content string) *testkit.Response {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	w.WriteField("csrf", c.CSRF())
	fw, _ := w.CreateFormFile("file", name)
	fw.Write([]byte(content))
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, c.Base+"/leads/import", &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.Do(req)
}

func TestImportPreviewThenConfirmRoundTrips(t *testing.T) {
	s := testkit.NewServer(t)
	s.CreateUser("ref@example.com", "Ren Referrals", db.RoleReferrals)
	c := s.Client()
	c.Login("ref@example.com")
	c.Get("/leads/import")
	res := uploadCSV(t, c, "leads.csv", exportCSV)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d\n%s", res.StatusCode, res.Body)
	}
	preview := c.Get(res.Header.Get("Location"))
	for _, want := range []string{"Import 2 leads", "Atlantis", "has 2 cells, the header has 24", "Contoso KK", "Fabrikam Inc"} {
		if !strings.Contains(preview.Body, want) {
			t.Errorf("preview lacks %q", want)
		}
	}
	var n int
	s.DB.QueryRow(`SELECT COUNT(*) FROM leads`).Scan(&n)
	if n != 0 {
		t.Fatalf("the preview stored %d leads", n)
	}
	done := c.PostForm(res.Header.Get("Location"), nil)
	if done.StatusCode != http.StatusOK || !strings.Contains(done.Body, "2 leads imported, 0 were already there, 2 rows skipped") {
		t.Fatalf("confirm: %d\n%s", done.StatusCode, done.Body)
	}
	var won lead.Lead
	s.DB.QueryRow(`SELECT status, outcome, deal_value, currency, notes, purchase_date, created_at FROM leads WHERE external_id = 'PC-2'`).
		Scan(&won.Status, &won.Outcome, &won.DealValue, &won.Currency, &won.Notes, &won.PurchaseDate, &won.Version)
	if won.Status != "archived" || won.Outcome != "won" || won.DealValue != 1250050 || won.Currency != "USD" || won.Notes != "=SUM(A1:A2)" ||
		won.PurchaseDate != "2026-07-01" || won.Version != 1780304400 {
		t.Errorf("PC-2 = %+v", won)
	}
	var phone string
	s.DB.QueryRow(`SELECT contact_phone FROM leads WHERE external_id = 'PC-1'`).Scan(&phone)
	if phone != "+81 3-1234-5678" {
		t.Errorf("neutralized phone not restored: %q", phone)
	}
	// The same file again: everything already there.
	res = uploadCSV(t, c, "leads.csv", exportCSV)
	done = c.PostForm(res.Header.Get("Location"), nil)
	if !strings.Contains(done.Body, "0 leads imported, 2 were already there") {
		t.Errorf("re-import:\n%s", done.Body)
	}
	// A file in Shift-JIS is refused as a whole with a clear message.
	sjis := "Email,Company\r\n\x88\xa4\x8e\x71@example.jp,\x83\x52\x83\x93\x83\x5c\r\n"
	if res := uploadCSV(t, c, "sjis.csv", sjis); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "not UTF-8") {
		t.Errorf("Shift-JIS: %d", res.StatusCode)
	}
	// Business profile admins cannot import.
	s.CreateUser("prof@example.com", "Pia Profile", db.RoleProfile)
	p := s.Client()
	p.Login("prof@example.com")
	if res := p.Get("/leads/import"); res.StatusCode != http.StatusForbidden {
		t.Errorf("profile admin: %d", res.StatusCode)
	}
}

// TestImportProblemsAreTranslated checks each CSV row problem has a catalog entry in every language.
func TestImportProblemsAreTranslated(t *testing.T) {
	s := testkit.NewServer(t)
	for _, code := range intake.ProblemCodes() {
		for _, lang := range []string{"en", "ja"} {
			if !s.Handler.Catalog.Has("intake.row." + code) {
				t.Errorf("%s: no catalog entry intake.row.%s", lang, code)
			}
		}
	}
}
