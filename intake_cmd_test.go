package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"leaddesk/db"
)

func runCLI(t *testing.T, dir string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	getenv := func(k string) string {
		if k == "LEADDESK_DATA_DIR" {
			return dir
		}
		return ""
	}
	code := run(context.Background(), args, &out, &errb, getenv)
	return out.String(), errb.String(), code
}

func TestTokenCreateCommandPrintsTheTokenOnce(t *testing.T) {
	dir := t.TempDir()
	out, errOut, code := runCLI(t, dir, "token", "create", "--name", "Marketplace", "--scopes", "intake,read")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	m := regexp.MustCompile(`\n  (ld_[A-Za-z0-9_-]{43})\n`).FindStringSubmatch(out)
	if m == nil || !strings.Contains(out, "/intake/marketplace/"+m[1]) {
		t.Fatalf("output:\n%s", out)
	}
	d, err := db.Open(t.Context(), filepath.Join(dir, db.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	tok, err := d.TokenBySecret(t.Context(), m[1])
	if err != nil || tok.Name != "Marketplace" || !tok.Has("intake") || !tok.Has("read") || tok.Has("write") {
		t.Errorf("stored token %+v, %v", tok, err)
	}
	var stored string
	d.QueryRow(`SELECT token_hash FROM api_tokens`).Scan(&stored)
	if stored == m[1] || strings.Contains(stored, m[1]) {
		t.Error("the token itself is stored")
	}
	if _, errOut, code := runCLI(t, dir, "token", "create", "--name", "x", "--scopes", "admin"); code != 2 || !strings.Contains(errOut, `unknown scope "admin"`) {
		t.Errorf("bad scope: exit %d %s", code, errOut)
	}
}

func TestImportCommandReportsEachRow(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "leads.csv")
	os.WriteFile(file, []byte("\ufeffLeadId,CustomerCompany,Email,Country,CallToAction\r\nA-1,Contoso,a@contoso.com,JP,contact_me\r\nA-2,Nowhere,b@x.com,Atlantis,contact_me\r\nA-1,Contoso,a@contoso.com,JP,contact_me\r\n"), 0o644)
	out, errOut, code := runCLI(t, dir, "import", file)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"line 3: skipped: Country \"Atlantis\"", "line 4: duplicate of lead 1", "3 rows: 1 imported, 1 duplicates, 1 skipped"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	os.WriteFile(file, []byte("Email,Company\r\n\x88\xa4@example.jp,\x83\x52\r\n"), 0o644)
	if _, errOut, code := runCLI(t, dir, "import", file); code != 1 || !strings.Contains(errOut, "not UTF-8") || !strings.Contains(errOut, "nothing was imported") {
		t.Errorf("Shift-JIS file: exit %d %s", code, errOut)
	}
}
