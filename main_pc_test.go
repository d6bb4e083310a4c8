package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"leaddesk/db"
	"leaddesk/internal/clock"
	"leaddesk/internal/testkit"
	"leaddesk/partnercenter"
	"leaddesk/partnercenter/pcsim"
)

// `leaddesk demo --partner-center` runs against an in-process simulator on loopback: connected, the
// backlog pulled into leads; `leaddesk pc sync` refuses clearly without settings.
func TestDemoWithPartnerCenterSimulator(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	code, out, errOut := cli(t, ctx, map[string]string{"LEADDESK_DATA_DIR": dir}, "demo", "--partner-center", "--seed-only", "-leads", "20")
	if code != 0 {
		t.Fatalf("demo --partner-center: %d\n%s\n%s", code, out, errOut)
	}
	m := regexp.MustCompile(`connected, 300 referrals pulled \((\d+) new leads\)`).FindStringSubmatch(out)
	if m == nil || m[1] == "0" {
		t.Fatalf("demo output:\n%s", out)
	}
	d, err := db.Open(ctx, filepath.Join(dir, db.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var n int
	d.QueryRowContext(ctx, `SELECT COUNT(*) FROM pc_referrals`).Scan(&n)
	if n == 0 || m[1] != strconv.Itoa(n) {
		t.Errorf("%d leads linked to referrals; the demo said %s", n, m[1])
	}
	code, _, errOut = cli(t, ctx, map[string]string{"LEADDESK_DATA_DIR": dir}, "pc", "sync")
	if code != 2 || !strings.Contains(errOut, "LEADDESK_PC_CLIENT_ID") {
		t.Errorf("pc sync without settings: %d %s", code, errOut)
	}
}

// A change made here reaches Partner Center within seconds under `serve`: the real binary's job loop
// on the real clock (the demo with its simulator), an accept through the router, then the simulator
// polled (as a second API client) until the referral is accepted there. Issue 14 asks for 5 s;
// `make bench` prints the figure.
func TestPartnerCenterPushLatencyUnderServe(t *testing.T) {
	dir := t.TempDir()
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	env := map[string]string{"LEADDESK_DATA_DIR": dir, "LEADDESK_ADDR": addr}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan int, 1)
	out := &syncBuffer{}
	go func() {
		var errb bytes.Buffer
		done <- run(ctx, []string{"demo", "--partner-center", "-leads", "20"}, out, &errb, func(k string) string { return env[k] })
	}()
	defer func() { cancel(); <-done }()
	base := "http://" + addr
	waitHealthy(t, base+"/healthz")
	simURL := regexp.MustCompile(`Partner Center simulator at (http://[0-9.]+:[0-9]+)`).FindStringSubmatch(out.String())
	if simURL == nil {
		t.Fatalf("no simulator in the demo output:\n%s", out.String())
	}

	// A second client of the simulator, to watch the referral there.
	watch, err := partnercenter.New(partnercenter.Config{Tenant: "contoso-tenant", ClientID: "leaddesk-app", ClientSecret: "leaddesk-secret",
		RedirectURL: "http://127.0.0.1/watch", Authority: simURL[1] + "/{tenant}", APIBase: simURL[1]})
	if err != nil {
		t.Fatal(err)
	}
	ar, _ := watch.StartAuth()
	code, _, err := pcsim.Consent(http.DefaultClient, ar.URL)
	if err != nil || watch.Exchange(t.Context(), code, ar.Verifier) != nil {
		t.Fatalf("watcher consent: %v", err)
	}

	d, err := db.Open(t.Context(), filepath.Join(dir, db.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var leadID int64
	var refID string
	if err := d.QueryRowContext(t.Context(), `SELECT r.lead_id, r.referral_id FROM pc_referrals r JOIN leads l ON l.id = r.lead_id
		WHERE l.status = 'received' ORDER BY r.lead_id LIMIT 1`).Scan(&leadID, &refID); err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	c := &testkit.Client{Client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}, T: t, Base: base}
	c.Get("/login")
	c.PostForm("/login", url.Values{"email": {"referrals@demo.leaddesk.test"}, "password": {"demo-referrals-2026"}})
	c.Get(fmt.Sprintf("/leads/%d/accept", leadID))
	res := c.PostForm(fmt.Sprintf("/leads/%d/accept", leadID), url.Values{"deal_name": {"Latency check"}, "deal_value": {"1000"},
		"currency": {"USD"}, "close_date": {"2027-03-31"}, "notes": {"measured"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept: %d", res.StatusCode)
	}
	start := time.Now()
	deadline := start.Add(10 * time.Second)
	for {
		r, err := watch.Get(t.Context(), refID)
		if err == nil && r.Status == partnercenter.StatusActive {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the accept had not reached Partner Center after 10 s (last: %s, %v)", r.Status, err)
		}
		time.Sleep(20 * time.Millisecond) // polling the other side against a deadline, not synchronisation
	}
	took := time.Since(start)
	t.Logf("pc push latency under serve: %d ms from the accept's answer to the referral accepted in the simulator", took.Milliseconds())
	if took > 5*time.Second {
		t.Errorf("took %s, issue 14 asks for at most 5 s", took)
	}
}

// syncBuffer is a bytes.Buffer safe to read while serve writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// `leaddesk pc sync` pulls what changed since the last pull and sends the queue, with the grant an
// Account admin stored by connecting (sealed with the data directory's key).
func TestPCSyncCommand(t *testing.T) {
	ctx := t.Context()
	sim, simSrv := pcsim.NewServer(pcsim.Options{})
	defer simSrv.Close()
	o := sim.Options()
	dir := t.TempDir()
	env := map[string]string{"LEADDESK_DATA_DIR": dir, "LEADDESK_PC_TENANT": o.Tenant, "LEADDESK_PC_CLIENT_ID": o.ClientID,
		"LEADDESK_PC_CLIENT_SECRET": o.ClientSecret, "LEADDESK_PC_API_URL": simSrv.URL, "LEADDESK_PC_AUTHORITY": simSrv.URL + "/{tenant}"}
	if code, _, errOut := cli(t, ctx, env, "pc", "sync"); code != 1 || !strings.Contains(errOut, "not connected") {
		t.Fatalf("pc sync before connecting: %d %s", code, errOut)
	}
	// Connect as the admin page would, with the settings the command reads.
	m := &Main{Clock: clock.System{}, Out: &bytes.Buffer{}, Getenv: func(k string) string { return env[k] }, ctx: ctx, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if _, err := m.setup("connect", nil, nil); err != nil {
		t.Fatal(err)
	}
	u := testkit.CreateUser(t, m.DB, "admin@example.com", "Ada", db.RoleAccount)
	authURL, err := m.PC.StartConnect(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	code, state, err := pcsim.Consent(http.DefaultClient, authURL)
	if err != nil || m.PC.FinishConnect(ctx, u.ID, state, code) != nil {
		t.Fatalf("connect: %v", err)
	}
	m.close()

	sim.Seed(250, 5)
	exit, out, errOut := cli(t, ctx, env, "pc", "sync")
	if exit != 0 || !regexp.MustCompile(`pulled 250 referrals in .*: \d+ new leads`).MatchString(out) {
		t.Fatalf("pc sync: %d\n%s\n%s", exit, out, errOut)
	}
	if strings.Contains(out+errOut, o.ClientSecret) {
		t.Error("the client secret was printed")
	}
	exit, out, _ = cli(t, ctx, env, "pc", "sync")
	if exit != 0 || !strings.Contains(out, "pulled 0 referrals") {
		t.Errorf("second pc sync is not incremental: %s", out)
	}
}
