package handlers_test

import (
	"context"
	"encoding/csv"
	"html"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"leaddesk/db"
	"leaddesk/internal/testkit"
	"leaddesk/lead"
)

// exportControl is the export control of a page or fragment: its main link's href ("" when it has
// none), its text, and whether it is disabled.
func exportControl(t *testing.T, body string) (href, text string, disabled bool) {
	t.Helper()
	start := strings.Index(body, `id="export-control"`)
	if start < 0 {
		t.Fatalf("no export control in:\n%s", body)
	}
	m := regexp.MustCompile(`<a class="btn" id="export"([^>]*)>(?:<svg.*?</svg>)?([^<]*)</a>`).FindStringSubmatch(body[start:])
	if m == nil {
		t.Fatalf("no export button in:\n%.2000s", body[start:])
	}
	if h := regexp.MustCompile(`href="([^"]*)"`).FindStringSubmatch(m[1]); h != nil {
		href = html.UnescapeString(h[1])
	}
	return href, html.UnescapeString(m[2]), strings.Contains(m[1], `aria-disabled="true"`)
}

// TestLeadsExportFollowsTheView: the Export button carries the view on screen (filters, search, sort)
// with its count, in the page and in every results fragment (out of band, so an in-place filter
// updates it), and is disabled, not a link, when the view is empty.
func TestLeadsExportFollowsTheView(t *testing.T) {
	s := testkit.NewServer(t)
	c, _ := leadsSignedIn(t, s, "aiko@example.com", db.RoleReferrals)
	for i, country := range []string{"JP", "JP", "DE"} {
		addLead(t, s, lead.Lead{CustomerCompany: "Company " + strconv.Itoa(i), Country: country})
	}
	href, text, disabled := exportControl(t, c.Get("/leads?tab=marketplace").Body)
	if href != "/leads/export.csv?tab=marketplace" || text != "Export 3" || disabled {
		t.Errorf("whole tab: %q %q disabled=%v", href, text, disabled)
	}

	frag := c.Get("/leads?tab=marketplace&country=JP&q=company&sort=customer&dir=asc&page=1", "HX-Request", "true", "HX-Target", "results")
	if !strings.Contains(frag.Body, `id="export-control" hx-swap-oob="true"`) {
		t.Fatalf("the results fragment does not replace the export control:\n%s", frag.Body)
	}
	href, text, _ = exportControl(t, frag.Body)
	if href != "/leads/export.csv?country=JP&dir=asc&q=company&sort=customer&tab=marketplace" || text != "Export 2" {
		t.Errorf("filtered in place: %q %q", href, text)
	}
	exp := c.Get(href)
	if rows := exportRows(t, exp.Body); len(rows) != 1+2 || rows[1][2] != "Company 0" || rows[2][2] != "Company 1" {
		t.Errorf("the export of the filtered view: %q", rows)
	}

	empty := c.Get("/leads?tab=marketplace&country=FR", "HX-Request", "true", "HX-Target", "results")
	if href, text, disabled := exportControl(t, empty.Body); href != "" || !disabled || text != "Export 0" {
		t.Errorf("empty view: href %q, text %q, disabled %v", href, text, disabled)
	}
	ja := s.Client()
	ja.Login("aiko@example.com")
	if _, text, _ := exportControl(t, ja.Get("/leads?tab=marketplace&lang=ja", "Accept-Language", "ja").Body); text != "3 件をエクスポート" {
		t.Errorf("Japanese: %q", text)
	}
}

// exportRows parses an export as RFC 4180 (after its BOM, if any).
func exportRows(t *testing.T, body string) [][]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatalf("not RFC 4180 CSV: %v\n%s", err, body)
	}
	return rows
}

// TestLeadsExportFlavours: the spreadsheet export (default) guards formula-like cells and starts with a
// BOM; the CRM export (format=crm, also on the Export menu) keeps values as stored, so a phone number
// reads +81…, and both are RFC 4180 with CRLF line ends. An unknown format is refused, naming it.
func TestLeadsExportFlavours(t *testing.T) {
	s := testkit.NewServer(t)
	c, _ := leadsSignedIn(t, s, "aiko@example.com", db.RoleReferrals)
	addLead(t, s, lead.Lead{CustomerCompany: "Contoso, \"KK\"", ContactPhone: "+81 3 1234 5678", Notes: "=1+1\nsecond line",
		CreatedAt: time.Date(2026, 11, 1, 3, 4, 5, 0, time.UTC)})
	page := c.Get("/leads?tab=marketplace").Body
	for _, link := range []string{`id="export-spreadsheet"`, `href="/leads/export.csv?format=crm&amp;tab=marketplace" download id="export-crm"`} {
		if !strings.Contains(page, link) {
			t.Errorf("the Export menu lacks %s", link)
		}
	}
	cell := func(rows [][]string, col string) string {
		for i, name := range rows[0] {
			if name == col {
				return rows[1][i]
			}
		}
		t.Fatalf("no column %s in %q", col, rows[0])
		return ""
	}

	sheet := c.Get("/leads/export.csv?tab=marketplace")
	rows := exportRows(t, sheet.Body)
	if !strings.HasPrefix(sheet.Body, "\ufeffLeadId,") || !strings.Contains(sheet.Body, "\r\n") {
		t.Errorf("spreadsheet flavour: BOM and CRLF expected: %.80q", sheet.Body)
	}
	if cell(rows, "ContactPhone") != "'+81 3 1234 5678" || cell(rows, "Notes") != "'=1+1\nsecond line" || cell(rows, "CustomerCompany") != `Contoso, "KK"` {
		t.Errorf("spreadsheet cells: %q", rows[1])
	}

	crm := c.Get("/leads/export.csv?tab=marketplace&format=crm")
	if crm.StatusCode != http.StatusOK || !strings.Contains(crm.Header.Get("Content-Disposition"), `filename="leads-2026-11-30-crm.csv"`) {
		t.Fatalf("crm export: %d %s", crm.StatusCode, crm.Header.Get("Content-Disposition"))
	}
	if !strings.HasPrefix(crm.Body, "LeadId,") || !strings.Contains(crm.Body, "\r\n") {
		t.Errorf("CRM flavour: no BOM, CRLF expected: %.80q", crm.Body)
	}
	rows = exportRows(t, crm.Body)
	if cell(rows, "ContactPhone") != "+81 3 1234 5678" || cell(rows, "Notes") != "=1+1\nsecond line" || cell(rows, "CustomerCompany") != `Contoso, "KK"` {
		t.Errorf("CRM cells are not as stored: %q", rows[1])
	}
	if r := c.Get("/leads/export.csv?format=xml"); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "format") {
		t.Errorf("format=xml: %d", r.StatusCode)
	}
}

// TestLeadsClassificationOnTheQualifiedTab: the Qualified tab has a Classification column, and the
// classification filter narrows it (chip, URL, export, API); the Marketplace tab does not offer it.
func TestLeadsClassificationOnTheQualifiedTab(t *testing.T) {
	s := testkit.NewServer(t)
	c, _ := leadsSignedIn(t, s, "aiko@example.com", db.RoleReferrals)
	addLead(t, s, lead.Lead{Tab: "qualified", CustomerCompany: "Mql KK", Classification: "marketing_qualified"})
	addLead(t, s, lead.Lead{Tab: "qualified", CustomerCompany: "Sql KK", Classification: "sales_qualified"})
	addLead(t, s, lead.Lead{CustomerCompany: "Market KK"})

	page := c.Get("/leads?tab=qualified").Body
	if !strings.Contains(page, `<th scope="col">Classification</th>`) ||
		!strings.Contains(page, `<span class="badge ws-class ws-class-marketing_qualified">Marketing qualified</span>`) ||
		!strings.Contains(page, `<span class="badge ws-class ws-class-sales_qualified">Sales qualified</span>`) {
		t.Errorf("no Classification column on the Qualified tab:\n%s", page)
	}
	if !strings.Contains(page, `name="classification" value="sales_qualified"`) {
		t.Error("the Qualified tab does not offer the classification filter")
	}
	market := c.Get("/leads?tab=marketplace").Body
	if strings.Contains(market, `name="classification"`) || strings.Contains(market, `ws-class`) {
		t.Error("the Marketplace tab offers a classification")
	}

	f := c.Get("/leads?tab=qualified&classification=sales_qualified").Body
	if got := companies(f); len(got) != 1 || got[0] != "Sql KK" {
		t.Errorf("classification=sales_qualified lists %q", got)
	}
	if !strings.Contains(f, "Classification: Sales qualified") {
		t.Error("no chip for the classification filter")
	}
	href, text, _ := exportControl(t, f)
	rows := exportRows(t, c.Get(href).Body)
	if text != "Export 1" || len(rows) != 2 || rows[1][2] != "Sql KK" || rows[0][12] != "Classification" || rows[1][12] != "sales_qualified" {
		t.Errorf("export of the classification view (%q): %q", text, rows)
	}

	tok := newToken(t, s, "read")
	a := get(t, s.URL+"/api/v1/leads?classification=marketing_qualified", tok)
	if a.Status != http.StatusOK || !strings.Contains(a.Raw, "Mql KK") || strings.Contains(a.Raw, "Sql KK") || strings.Contains(a.Raw, "Market KK") {
		t.Errorf("API classification filter: %d %s", a.Status, a.Raw)
	}
	if a := get(t, s.URL+"/api/v1/leads?classification=mql", tok); a.Status != http.StatusBadRequest || !strings.Contains(a.Raw, `"field":"classification"`) {
		t.Errorf("API classification=mql: %d %s", a.Status, a.Raw)
	}
}

// TestLeadsLocationFilter: the filter panel lists the business profile's locations; choosing some
// narrows the list, the export and the API to the leads routed there, with a chip naming the location.
func TestLeadsLocationFilter(t *testing.T) {
	s := testkit.NewServer(t)
	c, _ := leadsSignedIn(t, s, "aiko@example.com", db.RoleReferrals)
	ctx := context.Background()
	location := func(name string) int64 {
		res, err := s.DB.ExecContext(ctx, `INSERT INTO locations (name, created_at, updated_at) VALUES (?, 0, 0)`, name)
		if err != nil {
			t.Fatal(err)
		}
		id, _ := res.LastInsertId()
		return id
	}
	osaka, nagoya := location("Osaka office"), location("Nagoya office")
	addLead(t, s, lead.Lead{CustomerCompany: "Osaka KK", LocationID: osaka})
	addLead(t, s, lead.Lead{CustomerCompany: "Nagoya KK", LocationID: nagoya})
	addLead(t, s, lead.Lead{CustomerCompany: "Nowhere KK"})
	id := strconv.FormatInt(osaka, 10)

	page := c.Get("/leads?tab=marketplace").Body
	if !strings.Contains(page, `name="location" value="`+id+`" > Osaka office`) {
		t.Errorf("the filter panel does not offer the locations:\n%s", page)
	}
	f := c.Get("/leads?tab=marketplace&location=" + id).Body
	if got := companies(f); len(got) != 1 || got[0] != "Osaka KK" {
		t.Errorf("location=%s lists %q", id, got)
	}
	if !strings.Contains(f, "Location: Osaka office") {
		t.Error("no chip naming the location")
	}
	href, text, _ := exportControl(t, f)
	if rows := exportRows(t, c.Get(href).Body); text != "Export 1" || len(rows) != 2 || rows[1][2] != "Osaka KK" {
		t.Errorf("export of the location view (%q, %s): %q", text, href, rows)
	}
	two := c.Get("/leads?tab=marketplace&location=" + id + "," + strconv.FormatInt(nagoya, 10)).Body
	if got := companies(two); len(got) != 2 {
		t.Errorf("two locations list %q", got)
	}
	tok := newToken(t, s, "read")
	if a := get(t, s.URL+"/api/v1/leads?location="+id, tok); a.Status != http.StatusOK || !strings.Contains(a.Raw, "Osaka KK") || strings.Contains(a.Raw, "Nagoya KK") {
		t.Errorf("API location filter: %d %s", a.Status, a.Raw)
	}
	if a := get(t, s.URL+"/api/v1/leads?location=osaka", tok); a.Status != http.StatusBadRequest || !strings.Contains(a.Raw, `"field":"location"`) {
		t.Errorf("API location=osaka: %d %s", a.Status, a.Raw)
	}
}

// TestLeadsDueCellUrgency: the due cell turns warning under 48 hours before respond-by and danger
// under 24, and stays plain before that (lifecycle.Urgency).
func TestLeadsDueCellUrgency(t *testing.T) {
	s := testkit.NewServer(t)
	c, _ := leadsSignedIn(t, s, "aiko@example.com", db.RoleReferrals)
	now := s.Clock.Now()
	due := func(company string, left time.Duration) {
		by := now.Add(left)
		addLead(t, s, lead.Lead{CustomerCompany: company, ExpiresAt: &by})
	}
	due("Eleven Days KK", 11*24*time.Hour)
	due("Thirty Hours KK", 30*time.Hour)
	due("Seven Hours KK", 7*time.Hour)
	page := c.Get("/leads?tab=marketplace").Body
	dueCell := func(company string) string {
		start := strings.Index(page, company+"</a>")
		if start < 0 {
			t.Fatalf("no row for %s", company)
		}
		row := page[start : start+strings.Index(page[start:], "</tr>")]
		return row[strings.LastIndex(row, "<td>"):]
	}
	for company, want := range map[string]string{"Eleven Days KK": `<span class="ws-due">`, "Thirty Hours KK": `<span class="ws-due ws-due-warning">`,
		"Seven Hours KK": `<span class="ws-due ws-due-danger">`} {
		if got := dueCell(company); !strings.Contains(got, want) {
			t.Errorf("%s: due cell %s, want %s", company, got, want)
		}
	}
}
