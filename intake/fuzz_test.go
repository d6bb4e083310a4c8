package intake

import (
	"bytes"
	"io"
	"leaddesk/lead"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzMarketplacePayload: any body either parses into a storable marketplace lead or gives field
// errors, never a panic, and a parsed lead always satisfies the table's checks.
func FuzzMarketplacePayload(f *testing.F) {
	f.Add([]byte(`{"UserDetails":{"FirstName":"Aiko","LastName":"Sato","Email":"aiko@contoso.co.jp","Phone":"+81 3-1234-5678","Country":"JP","Company":"Contoso","Title":"CTO"},"LeadSource":"AppSource-PLT|contoso.crm","ActionCode":"PLT","OfferTitle":"Contoso CRM","Description":"Call me"}`))
	f.Add([]byte(`{"userDetails":{"email":"a@b.com","country":"USA"},"leadSource":"AzureMarketplace","actionCode":"INS","offerTitle":"Free trial"}`))
	f.Add([]byte(`{"UserDetails":{"Email":42},"LeadSource":true}`))
	f.Add([]byte(`[1,2,3]`))
	f.Add([]byte(`{"UserDetails":null,"LeadSource":"SPZA-StartTestDrive|a.b","Description":"\u0000\u001b"}`))
	f.Add([]byte("{\"Description\":\"\xff\xfe\"}"))
	f.Fuzz(func(t *testing.T, body []byte) {
		l, errs := ParseMarketplace(body)
		if (l == nil) == (len(errs) == 0) {
			t.Fatalf("lead %v with errors %v", l, errs)
		}
		for _, e := range errs {
			if e.Field == "" || e.Message == "" {
				t.Fatalf("unnamed error %+v", e)
			}
		}
		if l == nil {
			return
		}
		if l.Tab != "marketplace" || l.LeadType != "offer" || !in(l.Source, lead.Sources) || !in(l.CTA, lead.CTAs) {
			t.Fatalf("codes outside the schema: %+v", l)
		}
		for _, s := range []string{l.ContactFirstName, l.ContactLastName, l.ContactEmail, l.CustomerCompany, l.Description} {
			if !utf8.ValidString(s) || strings.ContainsAny(s, "\x00\x1b\r") {
				t.Fatalf("unclean text %q", s)
			}
		}
	})
}

// FuzzLeadSource: parsing never panics and a parsed source is one of ours.
func FuzzLeadSource(f *testing.F) {
	for _, s := range []string{"AzureMarketplace-INS|contoso.crm", "AppSource-PLT|a.b", "SPZA-StartTestDrive|x.y", "AzurePortal-Create|p.o",
		"AppSource-DNC|p.o", "AzureMarketplace", "", "-|", "Bing-PLT|x", "AppSource-XYZ|q", "appsource-plt|A.B|C"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ls, err := ParseLeadSource(s)
		if err != nil {
			return
		}
		if !in(ls.Source, lead.Sources) {
			t.Fatalf("%q → source %q", s, ls.Source)
		}
		if cta, _ := ActionCTA(ls.Action); !in(cta, lead.CTAs) {
			t.Fatalf("%q → cta %q", s, cta)
		}
	})
}

// FuzzCSVImport: any file either fails as a whole with an error, or yields rows that each carry a
// lead or a reason, never both and never neither.
func FuzzCSVImport(f *testing.F) {
	f.Add([]byte("\xef\xbb\xbfLeadId,Email,Country,CallToAction\nA1,a@b.com,JP,contact_me\n"))
	f.Add([]byte("Email,Company\n\x82\xa0\x82\xa2,x\n"))
	f.Add([]byte("Email,Company,Notes\na@b.com,X,\"=HYPERLINK(\"\"http://evil\"\")\"\nb@c.com\n"))
	f.Add([]byte("Email,\"Company\nc@d.com,\"unterminated\n"))
	f.Add([]byte("Customer name,Email address,Created,Call to action\nContoso,a@b.com,11/30/2026 9:00:00 AM,Contact me\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewCSVReader(bytes.NewReader(data), time.Unix(1800000000, 0))
		if err != nil {
			return
		}
		for range 10000 {
			row, err := r.Next()
			if err != nil {
				if err != io.EOF && err.Error() == "" {
					t.Fatal("empty error")
				}
				return
			}
			if (row.Lead == nil) == (len(row.Errors) == 0) {
				t.Fatalf("line %d: lead %v, errors %v", row.Line, row.Lead, row.Errors)
			}
			if row.Lead != nil && (!in(row.Lead.Tab, lead.Tabs) || (row.Lead.CTA != "" && !in(row.Lead.CTA, lead.CTAs))) {
				t.Fatalf("codes outside the schema: %+v", row.Lead)
			}
		}
	})
}

func in(v string, list []string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
