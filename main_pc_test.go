package main

import (
	"context"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"leaddesk/db"
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
