package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"leaddesk/db"
	"leaddesk/internal/testkit"
)

// LEADDESK_DNS reaches the intake: `leaddesk import` checks each email domain with the named server
// (here a real one on loopback), and with "off" falls back to the offline rule.
func TestImportCommandChecksEmailDomainsWithLeaddeskDNS(t *testing.T) {
	srv := testkit.NewDNSServer(t, "contoso.example. 300 IN MX 10 mail.contoso.example.")
	file := filepath.Join(t.TempDir(), "leads.csv")
	csv := "LeadId,CustomerCompany,ContactName,Email,Country,Source,LeadType,CallToAction,Offer\r\n" +
		"DNS-1,Contoso,Aiko,aiko@contoso.example,JP,appsource,offer,contact_me,CRM\r\n" +
		"DNS-2,Gone,Ken,ken@gone.example.com,JP,appsource,offer,contact_me,CRM\r\n"
	if err := os.WriteFile(file, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		dns        string
		contoso    string
		goneDotCom string
	}{
		{srv.Addr, "valid", "invalid"}, // MX; NXDOMAIN
		{"off", "unknown", "valid"},    // offline: .example is not a known TLD, .com is
	} {
		dir := t.TempDir()
		code, out, errOut := cli(t, t.Context(), map[string]string{"LEADDESK_DATA_DIR": dir, "LEADDESK_DNS": c.dns}, "import", file)
		if code != 0 || !strings.Contains(out+errOut, "2") {
			t.Fatalf("import with LEADDESK_DNS=%s: exit %d\n%s%s", c.dns, code, out, errOut)
		}
		d, err := db.Open(t.Context(), filepath.Join(dir, db.FileName))
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		rows, _ := d.Query(`SELECT external_id, email_validity FROM leads`)
		for rows.Next() {
			var id, v string
			rows.Scan(&id, &v)
			got[id] = v
		}
		rows.Close()
		d.Close()
		if got["DNS-1"] != c.contoso || got["DNS-2"] != c.goneDotCom {
			t.Errorf("LEADDESK_DNS=%s: %v, want DNS-1 %s and DNS-2 %s", c.dns, got, c.contoso, c.goneDotCom)
		}
	}
}
