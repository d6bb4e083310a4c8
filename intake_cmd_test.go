package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"leaddesk/db"
)

func runIntakeCLI(t *testing.T, dir string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	getenv := func(k string) string {
		return offlineEnv(map[string]string{"LEADDESK_DATA_DIR": dir})(k)
	}
	code := run(context.Background(), args, &out, &errb, getenv)
	return out.String(), errb.String(), code
}

func TestTokenCreateCommandPrintsTheTokenOnce(t *testing.T) {
	dir := t.TempDir()
	out, errOut, code := runIntakeCLI(t, dir, "token", "create", "--name", "Marketplace", "--scopes", "intake,read")
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
	if _, errOut, code := runIntakeCLI(t, dir, "token", "create", "--name", "x", "--scopes", "admin"); code != 2 || !strings.Contains(errOut, `unknown scope "admin"`) {
		t.Errorf("bad scope: exit %d %s", code, errOut)
	}
}

func TestImportCommandReportsEachRow(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "leads.csv")
	os.WriteFile(file, []byte("\ufeffLeadId,CustomerCompany,Email,Country,CallToAction\r\nA-1,Contoso,a@contoso.com,JP,contact_me\r\nA-2,Nowhere,b@x.com,Atlantis,contact_me\r\nA-1,Contoso,a@contoso.com,JP,contact_me\r\n"), 0o644)
	out, errOut, code := runIntakeCLI(t, dir, "import", file)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"line 3: skipped: Country \"Atlantis\"", "line 4: duplicate of lead 1", "3 rows: 1 imported, 1 duplicates, 1 skipped"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	os.WriteFile(file, []byte("Email,Company\r\n\x88\xa4@example.jp,\x83\x52\r\n"), 0o644)
	if _, errOut, code := runIntakeCLI(t, dir, "import", file); code != 1 || !strings.Contains(errOut, "not UTF-8") || !strings.Contains(errOut, "nothing was imported") {
		t.Errorf("Shift-JIS file: exit %d %s", code, errOut)
	}
}

// TestHelperServe is not a test: TestKill9LosesNoAcknowledgedLead runs the test binary with it to get
// a real `leaddesk serve` process it can kill.
func TestHelperServe(t *testing.T) {
	if os.Getenv("LEADDESK_TEST_SERVE") != "1" {
		t.Skip("helper process for TestKill9LosesNoAcknowledgedLead")
	}
	os.Exit(run(context.Background(), []string{"serve"}, os.Stdout, os.Stderr, os.Getenv))
}

// TestKill9LosesNoAcknowledgedLead posts leads to a real server process from concurrent clients,
// kills it with SIGKILL in the middle, and checks every lead answered 201 is in the database.
func TestKill9LosesNoAcknowledgedLead(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server process")
	}
	dir := t.TempDir()
	out, errOut, code := runIntakeCLI(t, dir, "token", "create", "--name", "kill test", "--scopes", "intake")
	if code != 0 {
		t.Fatal(errOut)
	}
	secret := regexp.MustCompile(`ld_[A-Za-z0-9_-]{43}`).FindString(out)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperServe$")
	cmd.Env = append(os.Environ(), "LEADDESK_TEST_SERVE=1", "LEADDESK_DNS=off", "LEADDESK_DATA_DIR="+dir, "LEADDESK_ADDR="+addr)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	url := "http://" + addr + "/intake/marketplace/" + secret
	for i := 0; ; i++ {
		if res, err := http.Get("http://" + addr + "/healthz"); err == nil {
			res.Body.Close()
			break
		}
		if i > 200 {
			t.Fatal("server did not start")
		}
		time.Sleep(50 * time.Millisecond)
	}
	var acked atomic.Int64
	enough := make(chan struct{}) // closed at the 300th acknowledged delivery
	var wg sync.WaitGroup
	var next atomic.Int64
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				body := fmt.Sprintf(`{"UserDetails":{"Email":"k%d@contoso.com","Country":"JP"},"LeadSource":"AppSource-PLT|contoso.crm"}`, i)
				res, err := http.Post(url, "application/json", strings.NewReader(body))
				if err != nil {
					return // the server is gone
				}
				res.Body.Close()
				if res.StatusCode == http.StatusCreated && acked.Add(1) == 300 {
					close(enough)
				}
			}
		}()
	}
	select {
	case <-enough:
	case <-time.After(30 * time.Second): // kill anyway; the check below needs only one acknowledgement
	}
	if acked.Load() == 0 {
		t.Fatal("no delivery was acknowledged")
	}
	cmd.Process.Signal(syscall.SIGKILL)
	wg.Wait()
	cmd.Wait()
	d, err := db.Open(t.Context(), filepath.Join(dir, db.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var stored int64
	d.QueryRow(`SELECT COUNT(*) FROM leads`).Scan(&stored)
	if stored < acked.Load() {
		t.Errorf("%d leads acknowledged with 201, only %d stored after kill -9", acked.Load(), stored)
	}
	t.Logf("%d acknowledged, %d stored (a delivery in flight may be stored without its answer)", acked.Load(), stored)
}
