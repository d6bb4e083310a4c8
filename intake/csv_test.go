package intake

import (
	"io"
	"strings"
	"testing"
	"time"
)

func readAll(t *testing.T, csv string) ([]*CSVRow, error) {
	t.Helper()
	r, err := NewCSVReader(strings.NewReader(csv), time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC))
	if err != nil {
		return nil, err
	}
	var rows []*CSVRow
	for {
		row, err := r.Next()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return rows, err
		}
		rows = append(rows, row)
	}
}

func TestCSVReadsAPartnerCenterStyleExport(t *testing.T) {
	rows, err := readAll(t, "Lead ID,Customer name,First name,Last name,Email address,Phone number,Country/Region,Lead source,Offer name,Date created,Call to action,Status\n"+
		"R-1,Contoso KK,Aiko,Sato,aiko@contoso.co.jp,03-1234-5678,Japan,AppSource,Contoso CRM,11/28/2026 9:15:00 AM,Contact me,Received\n"+
		"R-2,Fabrikam,Bob,Smith,bob@fabrikam.com,,United States,Azure Marketplace,Fabrikam VM,2026/11/27 10:00,Free trial,\n")
	if err != nil || len(rows) != 2 {
		t.Fatalf("rows %d, err %v", len(rows), err)
	}
	a, b := rows[0].Lead, rows[1].Lead
	if a == nil || b == nil {
		t.Fatalf("errors: %v / %v", rows[0].Errors, rows[1].Errors)
	}
	if a.ExternalID != "R-1" || a.CustomerCompany != "Contoso KK" || a.ContactFirstName != "Aiko" || a.Country != "JP" || a.Source != "appsource" ||
		a.CTA != "contact_me" || a.Status != "received" || !a.CreatedAt.Equal(time.Date(2026, 11, 28, 9, 15, 0, 0, time.UTC)) || !a.CustomerRequestedContact {
		t.Errorf("row 1 = %+v", a)
	}
	if b.Source != "azure_marketplace" || b.CTA != "free_trial" || b.Country != "US" || !b.CreatedAt.Equal(time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("row 2 = %+v", b)
	}
}

func TestCSVRowErrorsAndFileErrors(t *testing.T) {
	rows, err := readAll(t, "Email,Country,CallToAction,Created,DealValue,Currency\n"+
		"a@b.com,JP,contact_me,yesterday,10,USD\n"+
		"a@b.com,JP,call_me,,,\n"+
		"a@b.com,JP,contact_me,,lots,USD\n"+
		"a@b.com,JP\n"+
		"a@b.com,JP,contact_me,,12.5,YEN!\n")
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"LeadCreationDateTime", "CallToAction", "DealValue", "has 2 cells", "Currency"} {
		if len(rows[i].Errors) == 0 || !strings.Contains(joinProblems(rows[i].Errors), want) {
			t.Errorf("line %d: errors %v, want one about %s", rows[i].Line, rows[i].Errors, want)
		}
	}
	for name, c := range map[string]struct{ csv, want string }{
		"empty":     {"", "empty"},
		"utf-16":    {"\xff\xfeE\x00m\x00", "UTF-16"},
		"shift-jis": {"Email,Company\n\x88\xa4@example.jp,\x83\x52\n", "not UTF-8"},
		"no column": {"foo,bar\n1,2\n", "no known columns"},
		"quoting":   {"Email,Company\n\"a@b.com,x\n\"y\"z\",q\n", "line"},
	} {
		if _, err := readAll(t, c.csv); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err %v, want %q", name, err, c.want)
		}
	}
}

func TestLeadSourceAndActions(t *testing.T) {
	for in, want := range map[string]LeadSource{
		"AzureMarketplace-INS|contoso.crm": {"azure_marketplace", "INS", "contoso.crm"},
		"AzurePortal-Create|contoso.db":    {"azure_portal", "Create", "contoso.db"},
		"SPZA-StartTestDrive|contoso.demo": {"appsource", "StartTestDrive", "contoso.demo"},
		"appsource-plt|Contoso.CRM":        {"appsource", "PLT", "Contoso.CRM"},
		"AppSource-DNC|contoso.crm":        {"appsource", "DNC", "contoso.crm"},
		"AzureMarketplace":                 {"azure_marketplace", "", ""},
		" AzureMarketplace - INS | a.b ":   {"azure_marketplace", "INS", "a.b"},
	} {
		got, err := ParseLeadSource(in)
		if err != nil || got != want {
			t.Errorf("ParseLeadSource(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "Bing-INS|a.b", "AppSource-Buy|a.b"} {
		if _, err := ParseLeadSource(bad); err == nil {
			t.Errorf("ParseLeadSource(%q) accepted", bad)
		}
	}
	for _, c := range []struct {
		action, hint, cta string
		requested         bool
	}{
		{"INS", "", "get_it_now", false}, {"INS", "Contoso Free Trial", "free_trial", false}, {"PLT", "", "contact_me", true},
		{"StartTestDrive", "", "test_drive", false}, {"Create", "", "get_it_now", false}, {"DNC", "trial", "get_it_now", false},
	} {
		if cta, req := ActionCTA(c.action, c.hint); cta != c.cta || req != c.requested {
			t.Errorf("ActionCTA(%s, %q) = %s, %v", c.action, c.hint, cta, req)
		}
	}
}

func TestEveryProblemHasText(t *testing.T) {
	for _, c := range ProblemCodes() {
		if s := (Problem{Code: c}).String(); s == "" || strings.Contains(s, "%!(NOVERB)") {
			t.Errorf("problem %s has no English text", c)
		}
	}
}

// A deal value is imported exactly in its currency's minor units; more decimals than the currency has
// skip the row with a reason naming the currency, never a rounded amount.
func TestCSVDealValuesAreExact(t *testing.T) {
	rows, err := readAll(t, "Email,Country,CallToAction,DealValue,Currency\n"+
		"a@b.com,JP,contact_me,\"1,234.50\",USD\n"+
		"a@b.com,JP,contact_me,1200,JPY\n"+
		"a@b.com,JP,contact_me,0.1,usd\n"+
		"a@b.com,JP,contact_me,12.345,USD\n"+
		"a@b.com,JP,contact_me,1.5,JPY\n"+
		"a@b.com,JP,contact_me,-5,USD\n")
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []int64{123450, 1200, 10} {
		if rows[i].Lead == nil || rows[i].Lead.DealValue != want {
			t.Errorf("line %d: %+v %v, want %d minor units", rows[i].Line, rows[i].Lead, rows[i].Errors, want)
		}
	}
	for i, want := range map[int]string{
		3: `DealValue "12.345" has too many decimals: USD takes at most 2`,
		4: `DealValue "1.5" has too many decimals: JPY takes at most 0`,
		5: `DealValue "-5" is not an amount such as 12500.00`,
	} {
		if rows[i].Lead != nil || joinProblems(rows[i].Errors) != want {
			t.Errorf("line %d: %q, want %q", rows[i].Line, joinProblems(rows[i].Errors), want)
		}
	}
}
