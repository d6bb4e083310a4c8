package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"

	dto "github.com/prometheus/client_model/go"

	"leaddesk/db"
	"leaddesk/internal/testkit"
)

// freeAddr is a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// serveInBackground runs `leaddesk serve` with env until the test ends (or stop is called).
func serveInBackground(t *testing.T, env map[string]string, healthURL string, client *http.Client) (stop func() int, stderr *bytes.Buffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan int, 1)
	var out, errb bytes.Buffer
	go func() { done <- run(ctx, []string{"serve"}, &out, &errb, func(k string) string { return env[k] }) }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := client.Get(healthURL)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				break
			}
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited %d: %s", code, errb.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never answered 200", healthURL)
		}
		time.Sleep(50 * time.Millisecond)
	}
	stopped := false
	var code int
	stop = func() int {
		if !stopped {
			cancel()
			code, stopped = <-done, true
		}
		return code
	}
	t.Cleanup(func() { stop() })
	return stop, &errb
}

func countRows(t *testing.T, path string) (leads, users int) {
	t.Helper()
	d, err := db.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.QueryRow(`SELECT (SELECT COUNT(*) FROM leads), (SELECT COUNT(*) FROM users)`).Scan(&leads, &users); err != nil {
		t.Fatal(err)
	}
	return leads, users
}

// TestRestoreRoundTrip: a backup taken while the server runs is restored once the server stopped;
// the leads and users are the backup's, the database passes its integrity check, the replaced files
// are kept aside, and `version` names the backup. Restore refuses while a server runs on the data
// directory, and refuses a backup from a newer schema, changing nothing either time.
func TestRestoreRoundTrip(t *testing.T) {
	dir := t.TempDir()
	addr := freeAddr(t)
	backups := filepath.Join(t.TempDir(), "backups")
	env := map[string]string{"LEADDESK_DATA_DIR": dir, "LEADDESK_ADDR": addr, "LEADDESK_BACKUP_DIR": backups}
	if code, _, errOut := cli(t, t.Context(), env, "demo", "--leads", "120", "--seed-only"); code != 0 {
		t.Fatal(errOut)
	}
	stop, _ := serveInBackground(t, env, "http://"+addr+"/healthz", http.DefaultClient)

	copyPath := filepath.Join(t.TempDir(), "copy.db")
	if code, out, errOut := cli(t, t.Context(), env, "backup", copyPath); code != 0 {
		t.Fatalf("backup: %s %s", out, errOut)
	}
	wantLeads, wantUsers := countRows(t, copyPath)
	// A change after the backup, which the restore takes back.
	if code, _, errOut := cli(t, t.Context(), env, "user", "add", "--email", "later@example.com", "--name", "Later", "--roles", "referrals-admin"); code != 0 {
		t.Fatal(errOut)
	}

	// A second server on the same data directory is refused, naming the first one.
	code, _, errOut := cli(t, t.Context(), map[string]string{"LEADDESK_DATA_DIR": dir, "LEADDESK_ADDR": freeAddr(t)}, "serve")
	if code != 1 || !strings.Contains(errOut, fmt.Sprintf("pid %d", os.Getpid())) {
		t.Errorf("second server: exit %d, %q", code, errOut)
	}
	// Restore while the server runs: refused, nothing changed.
	code, _, errOut = cli(t, t.Context(), env, "restore", copyPath)
	if code != 1 || !strings.Contains(errOut, "is running on the data directory") || !strings.Contains(errOut, "stop it first") {
		t.Errorf("restore while serving: exit %d, %q", code, errOut)
	}
	if code := stop(); code != 0 {
		t.Fatalf("serve exited %d", code)
	}
	if _, users := countRows(t, filepath.Join(dir, db.FileName)); users != wantUsers+1 {
		t.Fatalf("the refused restore changed the database: %d users, want %d", users, wantUsers+1)
	}

	// A backup from a newer Leaddesk: refused.
	future := filepath.Join(t.TempDir(), "future.db")
	fd, err := db.Open(t.Context(), future)
	if err != nil {
		t.Fatal(err)
	}
	fd.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future.sql', 0)`)
	fd.Close()
	code, _, errOut = cli(t, t.Context(), env, "restore", future)
	if code != 1 || !strings.Contains(errOut, "newer Leaddesk") || !strings.Contains(errOut, "nothing was changed") {
		t.Errorf("restore of a newer backup: exit %d, %q", code, errOut)
	}
	// Not a database at all: refused.
	junk := filepath.Join(t.TempDir(), "junk.db")
	os.WriteFile(junk, []byte("not a database"), 0o600)
	if code, _, errOut = cli(t, t.Context(), env, "restore", junk); code != 1 || !strings.Contains(errOut, "nothing was changed") {
		t.Errorf("restore of junk: exit %d, %q", code, errOut)
	}

	code, out, errOut := cli(t, t.Context(), env, "restore", copyPath)
	if code != 0 {
		t.Fatalf("restore: exit %d, %s", code, errOut)
	}
	aside := regexp.MustCompile(`kept in (\S+);`).FindStringSubmatch(out)
	if aside == nil || !strings.Contains(out, "session key") {
		t.Fatalf("restore output:\n%s", out)
	}
	if _, users := countRows(t, filepath.Join(aside[1], db.FileName)); users != wantUsers+1 {
		t.Errorf("the database kept aside has %d users, want %d (the replaced one)", users, wantUsers+1)
	}
	live := filepath.Join(dir, db.FileName)
	if v, err := db.VerifyFile(t.Context(), live); err != nil || v != db.LatestVersion() {
		t.Errorf("restored database: schema %d, %v", v, err)
	}
	if leads, users := countRows(t, live); leads != wantLeads || users != wantUsers {
		t.Errorf("restored: %d leads, %d users; want the backup's %d and %d", leads, users, wantLeads, wantUsers)
	}
	// The server starts on the restored database.
	stop2, _ := serveInBackground(t, env, "http://"+addr+"/healthz", http.DefaultClient)
	stop2()

	// The scheduled backup taken when the server started is the latest one `version` names.
	code, out, _ = cli(t, t.Context(), env, "version")
	files, _ := db.ListBackups(backups)
	if code != 0 || len(files) == 0 || !strings.Contains(out, fmt.Sprintf("database: schema %d at %s", db.LatestVersion(), live)) ||
		!strings.Contains(out, "latest backup: "+files[0].Path) {
		t.Errorf("version: exit %d, %d backups\n%s", code, len(files), out)
	}
}

// TestJobsTakesADueBackup: `leaddesk jobs` takes a scheduled backup when one is due and not when the
// newest is younger than LEADDESK_BACKUP_EVERY.
func TestJobsTakesADueBackup(t *testing.T) {
	backups := t.TempDir()
	env := map[string]string{"LEADDESK_DATA_DIR": t.TempDir(), "LEADDESK_BACKUP_DIR": backups, "LEADDESK_BACKUP_EVERY": "2h"}
	for _, now := range []string{"2026-12-02T06:00:00Z", "2026-12-02T07:00:00Z", "2026-12-02T08:00:00Z"} {
		if code, _, errOut := cli(t, t.Context(), env, "jobs", "--now", now); code != 0 {
			t.Fatalf("jobs at %s: %s", now, errOut)
		}
	}
	files, _ := db.ListBackups(backups)
	var got []string
	for _, f := range files {
		got = append(got, f.Time.Format("15:04"))
	}
	if strings.Join(got, " ") != "08:00 06:00" {
		t.Errorf("backups taken at %v, want 08:00 and 06:00 (07:00 was not due)", got)
	}
	code, _, errOut := cli(t, t.Context(), map[string]string{"LEADDESK_DATA_DIR": t.TempDir(), "LEADDESK_BACKUP_EVERY": "often"}, "jobs")
	if code != 1 || !strings.Contains(errOut, "LEADDESK_BACKUP_EVERY") {
		t.Errorf("bad interval: exit %d, %q", code, errOut)
	}
}

// scrape fetches /metrics and parses it with Prometheus's own text parser.
func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var p expfmt.TextParser
	fams, err := p.TextToMetricFamilies(res.Body)
	if err != nil {
		t.Fatalf("metrics do not parse: %v", err)
	}
	return fams
}

// sample is the value of the family's series whose labels include want (a counter, gauge or the
// sample count of a histogram); -1 when there is none.
func sample(fams map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	f := fams[name]
	if f == nil {
		return -1
	}
next:
	for _, m := range f.Metric {
		labels := map[string]string{}
		for _, l := range m.Label {
			labels[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if labels[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount())
		case m.Untyped != nil:
			return m.Untyped.GetValue()
		}
	}
	return -1
}

// TestMetricsScrapedAndChangingAfterActivity serves /metrics on LEADDESK_METRICS_ADDR, parses it with
// the Prometheus text parser, and checks the listed series are there and move when leads come in and
// requests are answered; /healthz reports the scheduled backup.
func TestMetricsScrapedAndChangingAfterActivity(t *testing.T) {
	dir := t.TempDir()
	addr, maddr := freeAddr(t), freeAddr(t)
	env := map[string]string{"LEADDESK_DATA_DIR": dir, "LEADDESK_ADDR": addr, "LEADDESK_METRICS_ADDR": maddr,
		"LEADDESK_BACKUP_DIR": filepath.Join(dir, "backups")}
	out, errOut, code := runIntakeCLI(t, dir, "token", "create", "--name", "metrics", "--scopes", "intake")
	if code != 0 {
		t.Fatal(errOut)
	}
	secret := regexp.MustCompile(`ld_[A-Za-z0-9_-]{43}`).FindString(out)
	stop, _ := serveInBackground(t, env, "http://"+addr+"/healthz", http.DefaultClient)
	defer func() {
		stop()
		if code, _, errOut := cli(t, t.Context(), env, "healthcheck"); code != 1 || !strings.Contains(errOut, "/healthz") {
			t.Errorf("healthcheck with the server stopped: exit %d, %q", code, errOut)
		}
	}()
	if code, out, errOut := cli(t, t.Context(), env, "healthcheck"); code != 0 || !strings.Contains(out, `"status":"ok"`) {
		t.Errorf("healthcheck: exit %d, %q %q", code, out, errOut)
	}
	metricsURL := "http://" + maddr + "/metrics"

	// The app's port does not serve metrics.
	if res, err := http.Get("http://" + addr + "/metrics"); err != nil || res.StatusCode == 200 {
		t.Errorf("/metrics on the app's address: %v %v", res.StatusCode, err)
	}
	before := scrape(t, metricsURL)
	for _, name := range []string{"leaddesk_http_request_duration_seconds", "leaddesk_leads_received_total", "leaddesk_outbox_messages",
		"leaddesk_outbox_oldest_queued_age_seconds", "leaddesk_queue_depth", "leaddesk_job_runs_total", "leaddesk_job_failures_total", "leaddesk_sqlite_file_bytes",
		"leaddesk_build_info", "go_goroutines", "go_memstats_heap_alloc_bytes", "process_resident_memory_bytes"} {
		if before[name] == nil {
			t.Errorf("series %s missing", name)
		}
	}
	for _, q := range []string{"partner_center", "webhooks"} {
		if v := sample(before, "leaddesk_queue_depth", map[string]string{"queue": q, "status": "queued"}); v != 0 {
			t.Errorf("%s queue depth %v, want 0 on a new server", q, v)
		}
	}
	if v := sample(before, "leaddesk_sqlite_file_bytes", map[string]string{"file": "wal"}); v < 0 {
		t.Error("no WAL size")
	}
	if v := sample(before, "leaddesk_job_runs_total", map[string]string{"job": "lead-expiry"}); v < 0 {
		t.Error("no lead-expiry job series")
	}
	healthRoute := map[string]string{"route": "/healthz", "method": "GET", "code": "200"}
	healthBefore := sample(before, "leaddesk_http_request_duration_seconds", healthRoute)
	receivedBefore := sample(before, "leaddesk_leads_received_total", nil)

	for i := range 3 {
		body := fmt.Sprintf(`{"UserDetails":{"Email":"m%d@contoso.com","Country":"JP"},"LeadSource":"AppSource-PLT|contoso.crm"}`, i)
		res, err := http.Post("http://"+addr+"/intake/marketplace/"+secret, "application/json", strings.NewReader(body))
		if err != nil || res.StatusCode != http.StatusCreated {
			t.Fatalf("intake: %v %v", res.StatusCode, err)
		}
		res.Body.Close()
	}
	after := scrape(t, metricsURL)
	// Every job runs once at start: wait until each run is counted (the runs are concurrent).
	for deadline := time.Now().Add(30 * time.Second); sample(after, "leaddesk_job_runs_total", map[string]string{"job": "backup"}) < 1; after = scrape(t, metricsURL) {
		if time.Now().After(deadline) {
			t.Fatal("the backup job's run at start was never counted")
		}
		time.Sleep(20 * time.Millisecond)
	}
	var health struct {
		Backup struct {
			Status string `json:"status"`
			Last   string `json:"last"`
		} `json:"backup"`
	}
	res, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(res.Body).Decode(&health)
	res.Body.Close()
	if health.Backup.Status != "ok" || health.Backup.Last == "" {
		t.Errorf("healthz backup status %q", health.Backup.Status)
	}

	after = scrape(t, metricsURL)
	if got := sample(after, "leaddesk_backup_last_success_timestamp_seconds", nil); got <= 0 {
		t.Errorf("last backup time: %v", got)
	}
	if got := sample(after, "leaddesk_leads_received_total", nil); got != receivedBefore+3 {
		t.Errorf("leads received: %v → %v, want +3", receivedBefore, got)
	}
	if got := sample(after, "leaddesk_leads", map[string]string{"tab": "marketplace", "status": "received"}); got < 3 {
		t.Errorf("marketplace received leads: %v", got)
	}
	if got := sample(after, "leaddesk_http_request_duration_seconds", healthRoute); got != healthBefore+1 {
		t.Errorf("/healthz requests observed: %v → %v, want +1", healthBefore, got)
	}
	if got := sample(after, "leaddesk_http_request_duration_seconds", map[string]string{"route": "/intake/marketplace/:token", "code": "201"}); got != 3 {
		t.Errorf("intake requests observed under the route pattern: %v, want 3", got)
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key, and returns a pool trusting it.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	cert, pool := testkit.SelfSigned(t, net.ParseIP("127.0.0.1"))
	kb, _ := x509.MarshalECPrivateKey(cert.PrivateKey.(*ecdsa.PrivateKey))
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	return certFile, keyFile, pool
}

// TestNativeTLS serves HTTPS with LEADDESK_TLS_CERT/KEY (a generated certificate), refuses plain HTTP
// on that port, and stops the start naming the setting when only one of the two is given.
func TestNativeTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, pool := selfSigned(t, t.TempDir())
	addr := freeAddr(t)
	env := map[string]string{"LEADDESK_DATA_DIR": dir, "LEADDESK_ADDR": addr, "LEADDESK_BASE_URL": "https://" + addr,
		"LEADDESK_TLS_CERT": certFile, "LEADDESK_TLS_KEY": keyFile}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	serveInBackground(t, env, "https://"+addr+"/healthz", client)
	res, err := client.Get("https://" + addr + "/login")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || res.TLS == nil || !strings.Contains(res.Header.Get("Strict-Transport-Security"), "max-age") {
		t.Errorf("https /login: %d, TLS %v, HSTS %q", res.StatusCode, res.TLS != nil, res.Header.Get("Strict-Transport-Security"))
	}
	if res, err := http.Get("http://" + addr + "/healthz"); err == nil && res.StatusCode == 200 {
		t.Error("plain HTTP answered 200 on the TLS port")
	}
	// The container's HEALTHCHECK command speaks HTTPS to it.
	if code, out, errOut := cli(t, t.Context(), env, "healthcheck"); code != 0 || !strings.Contains(out, `"status":"ok"`) {
		t.Errorf("healthcheck over TLS: exit %d, %q %q", code, out, errOut)
	}

	code, _, errOut := cli(t, t.Context(), map[string]string{"LEADDESK_DATA_DIR": t.TempDir(), "LEADDESK_TLS_CERT": certFile}, "serve")
	if code != 1 || !strings.Contains(errOut, "LEADDESK_TLS_CERT and LEADDESK_TLS_KEY must be set together") {
		t.Errorf("cert without key: exit %d, %q", code, errOut)
	}
	code, _, errOut = cli(t, t.Context(), map[string]string{"LEADDESK_DATA_DIR": t.TempDir(), "LEADDESK_TLS_CERT": keyFile, "LEADDESK_TLS_KEY": certFile}, "serve")
	if code != 1 || !strings.Contains(errOut, "cannot load the certificate") {
		t.Errorf("swapped files: exit %d, %q", code, errOut)
	}
}
