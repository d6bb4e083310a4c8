package handlers_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"leaddesk/db"
	"leaddesk/internal/testkit"
)

// routingSetup is a profile with three locations made through the profile form: Tokyo (JP, the
// default, its contact a user who chose the daily digest), Seoul (KR, also covering Taiwan and Hong
// Kong, its contact not a user) and Berlin (DE, its contact not a user); a Referrals admin; and a
// real SMTP server.
type routingSetup struct {
	s                    *testkit.Server
	mail                 *testkit.SMTP
	profile, referrals   *testkit.Client
	tokyo, seoul, berlin int64
}

func newRoutingSetup(t *testing.T) *routingSetup {
	t.Helper()
	s := testkit.NewServer(t)
	r := &routingSetup{s: s, mail: testkit.StartSMTP(t)}
	s.CreateUser("pat@team.example", "Pat Profile", db.RoleProfile)
	s.CreateUser("rei@team.example", "Rei Referrals", db.RoleReferrals)
	kenji := s.CreateUser("kenji@team.example", "Kenji Sato")
	if err := db.SaveNotificationPrefsTx(context.Background(), s.DB, &db.NotificationPrefs{UserID: kenji.ID, Enabled: true, Mode: "digest"}, s.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	r.profile = profileSignIn(t, s, "pat@team.example")
	r.referrals = s.Client()
	r.referrals.Login("rei@team.example")
	add := func(name, country, countries, contactName, email string) int64 {
		t.Helper()
		res := r.profile.PostForm("/profile/locations", url.Values{"name": {name}, "country": {country}, "countries": {countries},
			"contact_name": {contactName}, "contact_email": {email}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("add location %s: %d\n%s", name, res.StatusCode, res.Body)
		}
		var id int64
		if err := s.DB.QueryRow(`SELECT id FROM locations WHERE name = ?`, name).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	r.tokyo = add("Tokyo", "JP", "", "Kenji Sato", "kenji@team.example")
	r.seoul = add("Seoul", "KR", "TW, Hong Kong", "Min-ji Park", "minji@partner.example")
	r.berlin = add("Berlin", "DE", "", "Lena Vogel", "lena@partner.example")
	return r
}

// locationOf is the location a stored lead names (0: none).
func (r *routingSetup) locationOf(t *testing.T, id int64) int64 {
	t.Helper()
	l, err := r.s.DB.LeadByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return l.LocationID
}

// leadCounts reads each location's lead count from the profile page.
func (r *routingSetup) leadCounts(t *testing.T) map[int64]int {
	t.Helper()
	body := r.profile.Get("/profile").Body
	out := map[int64]int{}
	for _, m := range regexp.MustCompile(`(?s)<tr id="location-(\d+)">.*?<td class="num">(\d+)</td>`).FindAllStringSubmatch(body, -1) {
		id, _ := strconv.ParseInt(m[1], 10, 64)
		out[id], _ = strconv.Atoi(m[2])
	}
	return out
}

// subjects lists the subjects of the mail an address received.
func subjects(ms []testkit.Mail) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Subject
	}
	return out
}

// The profile form sets a location's extra countries and the default, and shows them.
func TestLocationCountriesAndDefaultOnTheProfile(t *testing.T) {
	r := newRoutingSetup(t)
	body := r.profile.Get("/profile").Body
	tokyoRow := body[strings.Index(body, `<tr id="location-`+strconv.FormatInt(r.tokyo, 10)+`">`):]
	if !strings.Contains(tokyoRow[:strings.Index(tokyoRow, "</tr>")], "Default") {
		t.Errorf("the first location is not marked as the default")
	}
	if !strings.Contains(body, "Also: Hong Kong, Taiwan") && !strings.Contains(body, "Also: Hong Kong SAR China, Taiwan") {
		t.Errorf("Seoul's extra countries are not shown:\n%s", body[strings.Index(body, "Seoul"):][:600])
	}
	res := r.profile.PostForm("/profile/locations/"+strconv.FormatInt(r.berlin, 10), url.Values{"name": {"Berlin"}, "country": {"DE"},
		"countries": {"Atlantis"}, "contact_name": {"Lena Vogel"}, "contact_email": {"lena@partner.example"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "Atlantis is not a country/region") || !strings.Contains(res.Body, `id="loc_countries"`) ||
		!strings.Contains(res.Body, `value="Atlantis"`) {
		t.Errorf("an unknown country: %d, want 422 naming it at the field", res.StatusCode)
	}
	res = r.profile.PostForm("/profile/locations/"+strconv.FormatInt(r.berlin, 10), url.Values{"name": {"Berlin"}, "country": {"DE"},
		"countries": {"AT CH"}, "default": {"on"}, "contact_name": {"Lena Vogel"}, "contact_email": {"lena@partner.example"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("make Berlin the default: %d\n%s", res.StatusCode, res.Body)
	}
	var defaults []int64
	rows, _ := r.s.DB.Query(`SELECT id FROM locations WHERE is_default = 1`)
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		defaults = append(defaults, id)
	}
	rows.Close()
	if len(defaults) != 1 || defaults[0] != r.berlin {
		t.Errorf("defaults = %v, want only Berlin (%d)", defaults, r.berlin)
	}
	if l, _ := r.s.DB.LocationByID(context.Background(), r.berlin); strings.Join(l.Countries, " ") != "AT CH" {
		t.Errorf("Berlin covers %v", l.Countries)
	}
}

// Every entry point routes a new lead by the one rule (named location, else the one covering the
// customer's country, else the default) and the location's contact hears of it by mail, received by
// a real SMTP server: a contact who is not a user gets the single mail; a contact who is a user and
// chose the digest gets it in the digest (their preferences win). The lead shows its location on
// its details page and in the export, and the profile counts follow, also after a location is
// removed with its leads moved.
func TestLeadRoutingThroughEveryEntryPoint(t *testing.T) {
	r := newRoutingSetup(t)
	s := r.s
	intakeTok := newToken(t, s, "intake")
	market := func(country, email string) int64 {
		t.Helper()
		body := strings.Replace(strings.Replace(examplePayload, `"Country": "Japan"`, `"Country": "`+country+`"`, 1), "aiko.sato@contoso.co.jp", email, 1)
		a := post(t, s.URL+"/intake/marketplace/"+intakeTok, body)
		if a.Status != http.StatusCreated {
			t.Fatalf("marketplace %s: %d %s", country, a.Status, a.Raw)
		}
		return leadID(t, a)
	}
	api := func(location, ref, company string) apiAnswer {
		t.Helper()
		body := strings.Replace(strings.Replace(qualifiedLead, "MS-REF-1001", ref, 1), `"name": "Contoso KK"`, `"name": "`+company+`"`, 1)
		body = strings.Replace(body, "aiko.sato@contoso.co.jp", strings.ToLower(ref)+"@contoso.co.jp", 1)
		if location != "" {
			body = strings.Replace(body, `"qualification"`, `"location": "`+location+`", "qualification"`, 1)
		}
		return post(t, s.URL+"/api/v1/leads", body, "Authorization", "Bearer "+intakeTok)
	}

	// Marketplace (names no location): by country, else the default.
	mJP := market("Japan", "aiko@contoso.co.jp")
	mTW := market("Taiwan", "wei@contoso.com.tw")
	mBR := market("Brazil", "ana@contoso.com.br")
	// API: the named location wins over the customer's country (JP); by id as well as by name.
	a := api("berlin", "MS-REF-1", "Named Berlin KK")
	if a.Status != http.StatusCreated {
		t.Fatalf("API with location: %d %s", a.Status, a.Raw)
	}
	aBerlin := leadID(t, a)
	a = api(strconv.FormatInt(r.seoul, 10), "MS-REF-2", "Named Seoul KK")
	aSeoul := leadID(t, a)
	a = api("", "MS-REF-3", "Unnamed Tokyo KK")
	aTokyo := leadID(t, a)
	if bad := api("Paris", "MS-REF-4", "Nowhere KK"); bad.Status != http.StatusUnprocessableEntity || !strings.Contains(bad.Raw, `"field":"location"`) ||
		!strings.Contains(bad.Raw, "Paris") {
		t.Errorf("an unknown location: %d %s, want 422 naming the field", bad.Status, bad.Raw)
	}
	// CSV import through the web: the Location column, else country, else the default.
	csvFile := "Email,CustomerCompany,Country,CallToAction,Offer,Location\r\n" +
		"hans@fabrikam.de,CSV Named KK,JP,contact_me,Fabrikam VM,Berlin\r\n" +
		"lin@fabrikam.tw,CSV Taiwan Ltd,TW,contact_me,Fabrikam VM,\r\n" +
		"joe@fabrikam.com,CSV US Inc,US,contact_me,Fabrikam VM,\r\n"
	r.referrals.Get("/leads/import")
	res := uploadCSV(t, r.referrals, "leads.csv", csvFile)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d\n%s", res.StatusCode, res.Body)
	}
	if done := r.referrals.PostForm(res.Header.Get("Location"), nil); !strings.Contains(done.Body, "3 leads imported") {
		t.Fatalf("import: %d\n%s", done.StatusCode, done.Body)
	}
	csvID := func(company string) int64 {
		var id int64
		if err := s.DB.QueryRow(`SELECT id FROM leads WHERE customer_company = ?`, company).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	cBerlin, cTW, cUS := csvID("CSV Named KK"), csvID("CSV Taiwan Ltd"), csvID("CSV US Inc")

	for name, tc := range map[string]struct{ lead, want int64 }{
		"marketplace JP → Tokyo (country)": {mJP, r.tokyo}, "marketplace TW → Seoul (its countries)": {mTW, r.seoul},
		"marketplace BR → Tokyo (default)": {mBR, r.tokyo}, "API named Berlin": {aBerlin, r.berlin}, "API named Seoul by id": {aSeoul, r.seoul},
		"API JP unnamed → Tokyo": {aTokyo, r.tokyo}, "CSV named Berlin": {cBerlin, r.berlin}, "CSV TW → Seoul": {cTW, r.seoul},
		"CSV US → Tokyo (default)": {cUS, r.tokyo},
	} {
		if got := r.locationOf(t, tc.lead); got != tc.want {
			t.Errorf("%s: lead %d routed to location %d, want %d", name, tc.lead, got, tc.want)
		}
	}

	// Mail, as the SMTP server receives it.
	s.DeliverMail(r.mail)
	lena := r.mail.To("lena@partner.example")
	if len(lena) != 2 || !strings.Contains(strings.Join(subjects(lena), "|"), "Named Berlin KK") || !strings.Contains(strings.Join(subjects(lena), "|"), "CSV Named KK") {
		t.Errorf("Berlin's contact got %q, want the two Berlin leads", subjects(lena))
	}
	for _, m := range lena {
		if !strings.Contains(m.Text, "Hello Lena Vogel,") {
			t.Errorf("Berlin's mail does not greet its contact:\n%s", m.Text)
		}
	}
	minji := strings.Join(subjects(r.mail.To("minji@partner.example")), "|")
	if n := len(r.mail.To("minji@partner.example")); n != 3 || !strings.Contains(minji, "Named Seoul KK") || !strings.Contains(minji, "CSV Taiwan Ltd") {
		t.Errorf("Seoul's contact got %d mails %q, want the three Seoul leads", n, minji)
	}
	if n := len(r.mail.To("rei@team.example")); n != 9 {
		t.Errorf("the Referrals admin got %d mails, want one per lead (9)", n)
	}
	if got := r.mail.To("kenji@team.example"); len(got) != 0 {
		t.Errorf("Tokyo's contact chose the digest but got single mails: %q", subjects(got))
	}
	// After the day ends (midnight in Tokyo) Kenji's digest lists Tokyo's four leads, and only those.
	s.Clock.Set(time.Date(2026, 12, 1, 0, 30, 0, 0, s.Cfg.Location))
	if err := s.Notify.QueueDigests(context.Background(), s.DB, s.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	s.DeliverMail(r.mail)
	got := r.mail.To("kenji@team.example")
	if len(got) != 1 {
		t.Fatalf("Tokyo's contact got %d mails after the day, want one digest", len(got))
	}
	dg := got[0]
	if !strings.Contains(dg.Text, "Hello Kenji Sato,") || !strings.Contains(dg.Subject, "and 3 more") {
		t.Errorf("digest %q:\n%s", dg.Subject, dg.Text)
	}
	for _, c := range []string{"Unnamed Tokyo KK", "CSV US Inc", "Contoso KK"} {
		if !strings.Contains(dg.Text, c) {
			t.Errorf("the digest lacks %s", c)
		}
	}
	if strings.Contains(dg.Text, "Named Berlin KK") || strings.Contains(dg.Text, "CSV Taiwan Ltd") {
		t.Errorf("the digest lists another location's lead:\n%s", dg.Text)
	}

	// The details page and the export name the location; the profile counts them.
	if body := r.referrals.Get("/leads/" + strconv.FormatInt(aBerlin, 10)).Body; !regexp.MustCompile(`id="lead-location">Berlin`).MatchString(body) {
		t.Errorf("the details page does not show the location")
	}
	exp := r.referrals.Get("/leads/export.csv?tab=marketplace")
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(exp.Body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := -1
	for i, h := range recs[0] {
		if h == "Location" {
			col = i
		}
	}
	if col < 0 {
		t.Fatalf("the export has no Location column: %v", recs[0])
	}
	byCompany := map[string]string{}
	for _, rec := range recs[1:] {
		byCompany[rec[2]] = rec[col]
	}
	if byCompany["CSV Taiwan Ltd"] != "Seoul" || byCompany["CSV Named KK"] != "Berlin" || byCompany["CSV US Inc"] != "Tokyo" {
		t.Errorf("export Location cells: %v", byCompany)
	}
	if got := r.leadCounts(t); got[r.tokyo] != 4 || got[r.seoul] != 3 || got[r.berlin] != 2 {
		t.Errorf("profile lead counts %v, want Tokyo 4, Seoul 3, Berlin 2", got)
	}
	// Removing Seoul moves its leads (already offered) and the counts follow.
	res = r.profile.PostForm("/profile/locations/"+strconv.FormatInt(r.seoul, 10)+"/remove", url.Values{"move_to": {strconv.FormatInt(r.berlin, 10)}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove Seoul: %d\n%s", res.StatusCode, res.Body)
	}
	if got := r.leadCounts(t); got[r.tokyo] != 4 || got[r.berlin] != 5 || len(got) != 2 {
		t.Errorf("after removing Seoul: counts %v, want Tokyo 4, Berlin 5", got)
	}
	if r.locationOf(t, mTW) != r.berlin {
		t.Errorf("Seoul's lead was not moved to Berlin")
	}
	// A Taiwanese lead now arriving finds no location covering TW: the default takes it.
	if got := r.locationOf(t, market("Taiwan", "mei@contoso.com.tw")); got != r.tokyo {
		t.Errorf("after Seoul's removal a TW lead went to %d, want the default Tokyo", got)
	}
	// Removing the default location passes the mark to where its leads went (Osaka, not the oldest
	// location left, Berlin).
	if res := r.profile.PostForm("/profile/locations", url.Values{"name": {"Osaka"}, "country": {"JP"}, "contact_name": {"Ken Ono"},
		"contact_email": {"ken@partner.example"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("add Osaka: %d", res.StatusCode)
	}
	var osaka int64
	s.DB.QueryRow(`SELECT id FROM locations WHERE name = 'Osaka'`).Scan(&osaka)
	res = r.profile.PostForm("/profile/locations/"+strconv.FormatInt(r.tokyo, 10)+"/remove", url.Values{"move_to": {strconv.FormatInt(osaka, 10)}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove Tokyo: %d\n%s", res.StatusCode, res.Body)
	}
	if got := r.locationOf(t, market("Brazil", "joao@contoso.com.br")); got != osaka {
		t.Errorf("after the default's removal a BR lead went to %d, want Osaka (%d), the new default", got, osaka)
	}
}
