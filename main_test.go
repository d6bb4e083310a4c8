package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"leaddesk/db"
)

// cli runs the program as a user would, with an environment of its own.
func cli(t *testing.T, ctx context.Context, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(ctx, args, &out, &errb, offlineEnv(env))
	return code, out.String(), errb.String()
}

// offlineEnv reads env, with LEADDESK_DNS=off unless env names a server: tests never ask an outside
// resolver (the DNS tests start their own on loopback).
func offlineEnv(env map[string]string) func(string) string {
	return func(k string) string {
		if v, ok := env[k]; ok || k != "LEADDESK_DNS" {
			return v
		}
		return "off"
	}
}

func TestVersionAndUnknownCommand(t *testing.T) {
	code, out, _ := cli(t, t.Context(), nil, "version")
	if code != 0 || !strings.HasPrefix(out, "leaddesk ") || !strings.Contains(out, fmt.Sprintf("schema %d", db.LatestVersion())) {
		t.Errorf("version: %d %q", code, out)
	}
	code, _, errOut := cli(t, t.Context(), nil, "frobnicate")
	if code != 2 || !strings.Contains(errOut, `unknown command "frobnicate"`) {
		t.Errorf("unknown command: %d %q", code, errOut)
	}
}

func TestBadSettingStopsTheStartNamingIt(t *testing.T) {
	env := map[string]string{"LEADDESK_DATA_DIR": t.TempDir(), "LEADDESK_TIMEZONE": "Mars/Olympus"}
	code, _, errOut := cli(t, t.Context(), env, "serve")
	if code == 0 || !strings.Contains(errOut, "LEADDESK_TIMEZONE") || strings.Count(strings.TrimSpace(errOut), "\n") > 1 {
		t.Errorf("bad time zone: exit %d, stderr %q", code, errOut)
	}
}

func TestPortInUseIsExplained(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	env := map[string]string{"LEADDESK_DATA_DIR": t.TempDir(), "LEADDESK_ADDR": ln.Addr().String()}
	code, _, errOut := cli(t, t.Context(), env, "serve")
	if code != 1 || !strings.Contains(errOut, "cannot listen") || !strings.Contains(errOut, "LEADDESK_ADDR") {
		t.Errorf("port in use: exit %d, stderr %q", code, errOut)
	}
}

func TestNewerDatabaseStopsTheStart(t *testing.T) {
	dir := t.TempDir()
	d, err := db.Open(t.Context(), filepath.Join(dir, db.FileName))
	if err != nil {
		t.Fatal(err)
	}
	d.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future.sql', 0)`)
	d.Close()
	code, _, errOut := cli(t, t.Context(), map[string]string{"LEADDESK_DATA_DIR": dir}, "jobs")
	if code != 1 || !strings.Contains(errOut, "newer Leaddesk") {
		t.Errorf("newer database: exit %d, stderr %q", code, errOut)
	}
}

func TestJobsRejectsABadNow(t *testing.T) {
	env := map[string]string{"LEADDESK_DATA_DIR": t.TempDir()}
	code, _, errOut := cli(t, t.Context(), env, "jobs", "--now", "yesterday")
	if code != 2 || !strings.Contains(errOut, "RFC 3339") {
		t.Errorf("bad --now: exit %d, stderr %q", code, errOut)
	}
	code, out, _ := cli(t, t.Context(), env, "jobs", "--now", "2026-12-01T09:00:00Z")
	if code != 0 || !strings.Contains(out, "as of 2026-12-01T09:00:00Z") {
		t.Errorf("jobs: exit %d, %q", code, out)
	}
}

// TestDemoBackupRestore makes demo data, backs it up through the command line while a server runs on
// the same data, and restores the copy.
func TestDemoServeBackupRestoreAndGracefulShutdown(t *testing.T) {
	dir := t.TempDir()
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	env := map[string]string{"LEADDESK_DATA_DIR": dir, "LEADDESK_ADDR": addr}

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan int, 1)
	var out bytes.Buffer
	go func() {
		var errb bytes.Buffer
		done <- run(ctx, []string{"demo", "--leads", "300"}, &out, &errb, offlineEnv(env))
	}()
	waitHealthy(t, "http://"+addr+"/healthz")

	backup := filepath.Join(t.TempDir(), "copy.db")
	code, bout, berr := cli(t, t.Context(), env, "backup", backup)
	if code != 0 || !strings.Contains(bout, "backup written") {
		t.Fatalf("backup: %d %q %q", code, bout, berr)
	}
	restored, err := db.Open(t.Context(), backup)
	if err != nil {
		t.Fatalf("open the backup: %v", err)
	}
	var leads, users int
	restored.QueryRow(`SELECT (SELECT COUNT(*) FROM leads), (SELECT COUNT(*) FROM users)`).Scan(&leads, &users)
	restored.Close()
	if leads != 300 || users == 0 {
		t.Errorf("backup holds %d leads and %d users, want 300 and the demo users", leads, users)
	}

	cancel() // SIGINT/SIGTERM in real life
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exited %d after shutdown", code)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not shut down")
	}
	if !strings.Contains(out.String(), "referrals@demo.leaddesk.test") {
		t.Errorf("demo did not print the sign-ins:\n%s", out.String())
	}

	// A second `make run` keeps the data and prints the sign-ins again.
	code, out2, _ := cli(t, t.Context(), env, "demo", "--seed-only")
	if code != 0 || !strings.Contains(out2, "already has data") || !strings.Contains(out2, "referrals@demo.leaddesk.test") {
		t.Errorf("second demo: exit %d\n%s", code, out2)
	}
	code, _, errOut := cli(t, t.Context(), env, "backup")
	if code != 2 || !strings.Contains(errOut, "leaddesk backup FILE") {
		t.Errorf("backup without a file: %d %q", code, errOut)
	}
}

func waitHealthy(t *testing.T, url string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		res, err := http.Get(url)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s never answered 200", url)
}
