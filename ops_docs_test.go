package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"leaddesk/backup"
	"leaddesk/db"
	"leaddesk/internal/clock"
	"leaddesk/metrics"
)

// docCommand says how a command shown in docs/operations.md is exercised: by a test that runs it
// (run), or by CI, or — for what cannot run here (a container engine, a machine's systemd) — by a
// test that checks what the command would use (checked).
type docCommand struct {
	prefix string // the documented line starts with this
	how    string // "run", "ci" or "checked"
	by     string // the test function, or .ci/run
}

var docCommands = []docCommand{
	{"make build", "ci", ".ci/run"},
	{"./bin/leaddesk serve", "run", "TestRestoreRoundTrip"},
	{"docker build ", "checked", "TestDockerfileBuildsLikeTheMakefile"},
	{"docker run ", "checked", "TestDockerfileBuildsLikeTheMakefile"},
	{"docker compose up", "checked", "TestDockerfileBuildsLikeTheMakefile"},
	{"useradd --system", "checked", "TestSystemdUnitVerifies"},
	{"install -d -o leaddesk", "checked", "TestSystemdUnitVerifies"},
	{"install -m 0755 bin/leaddesk", "checked", "TestSystemdUnitVerifies"},
	{"install -D -m 0640 -g leaddesk deploy/leaddesk.env", "checked", "TestEnvFileDocumentsEverySetting"},
	{"install -m 0644 deploy/leaddesk.service", "checked", "TestSystemdUnitVerifies"},
	{"systemd-analyze verify", "run", "TestSystemdUnitVerifies"},
	{"systemctl ", "checked", "TestSystemdUnitVerifies"},
	{"leaddesk backup ", "run", "TestRestoreRoundTrip"},
	{"leaddesk restore ", "run", "TestRestoreRoundTrip"},
	{"go install github.com/benbjohnson/litestream/cmd/litestream@", "run", "TestLitestreamReplicateRestoreStart"},
	{"LEADDESK_DATA_DIR=/var/lib/leaddesk LITESTREAM_REPLICA_URL=file:///mnt/replica/leaddesk litestream replicate -config deploy/litestream.yml", "run", "TestLitestreamReplicateRestoreStart"},
	{"litestream restore -o ", "run", "TestLitestreamReplicateRestoreStart"},
}

// TestOperationsDocCommands: every command line in a shell block of docs/operations.md is listed in
// docCommands with the test (or CI step) that exercises it, and that test exists; every `leaddesk`
// command the document names exists and accepts the flags shown.
func TestOperationsDocCommands(t *testing.T) {
	b, err := os.ReadFile("docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	var tests strings.Builder
	files, _ := filepath.Glob("*_test.go")
	for _, f := range files {
		src, _ := os.ReadFile(f)
		tests.Write(src)
	}
	ci, _ := os.ReadFile(".ci/run")
	for _, c := range docCommands {
		switch {
		case c.by == ".ci/run":
			if !strings.Contains(string(ci), c.prefix) {
				t.Errorf(".ci/run does not run %q", c.prefix)
			}
		case !strings.Contains(tests.String(), "func "+c.by+"(t *testing.T)"):
			t.Errorf("%q is said to be exercised by %s, which does not exist", c.prefix, c.by)
		}
	}

	blocks := regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(doc, -1)
	if len(blocks) == 0 {
		t.Fatal("no shell blocks found")
	}
	for _, blk := range blocks {
		for _, line := range strings.Split(strings.TrimSpace(blk[1]), "\n") {
			line = strings.TrimSpace(line)
			found := false
			for _, c := range docCommands {
				if strings.HasPrefix(line, c.prefix) {
					found = true
				}
			}
			if !found {
				t.Errorf("docs/operations.md runs %q, which no test or CI step exercises; add it to docCommands", line)
			}
		}
	}

	// Every `leaddesk …` the document names: the command exists and takes the flags shown.
	cmds := commands()
	for _, m := range regexp.MustCompile("`(?:\\./bin/)?leaddesk ([a-z]+)([^`]*)`").FindAllStringSubmatch(doc, -1) {
		name, rest := m[1], m[2]
		if name == "help" {
			continue
		}
		if _, ok := cmds[name]; !ok {
			t.Errorf("docs name `leaddesk %s`, which is not a command", name)
			continue
		}
		code, help, _ := cli(t, t.Context(), map[string]string{"LEADDESK_DATA_DIR": t.TempDir()}, append(subArgs(name), "-h")...)
		if code != 0 {
			t.Errorf("leaddesk %s -h: exit %d", name, code)
		}
		for _, f := range regexp.MustCompile(`(?:^|\s|\[)--?([a-z][a-z-]+)`).FindAllStringSubmatch(rest, -1) {
			if !strings.Contains(help, "-"+f[1]+" ") && !strings.Contains(help, "-"+f[1]+"\n") {
				t.Errorf("docs show `leaddesk %s … --%s`, which it does not take", name, f[1])
			}
		}
	}
}

// subArgs is the command line up to where a command's flags start (user add, token create, pc sync).
func subArgs(name string) []string {
	switch name {
	case "user":
		return []string{"user", "add"}
	case "token":
		return []string{"token", "create"}
	case "pc":
		return []string{"pc", "sync"}
	}
	return []string{name}
}

// TestGrafanaDashboardUsesRealSeries: every leaddesk_ series the sample dashboard queries is one the
// metrics registry serves.
func TestGrafanaDashboardUsesRealSeries(t *testing.T) {
	b, err := os.ReadFile("docs/grafana-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Panels []struct {
			Targets []struct{ Expr string } `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(b, &d); err != nil || len(d.Panels) == 0 {
		t.Fatalf("dashboard does not parse: %v", err)
	}
	// The series the registry serves, from a real one on a fresh database.
	dd, err := db.Open(t.Context(), filepath.Join(t.TempDir(), db.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer dd.Close()
	if _, err := dd.Exec(`INSERT INTO leads (tab, actionable, created_at, updated_at) VALUES ('marketplace', 1, 0, 0)`); err != nil {
		t.Fatal(err)
	}
	bm := backup.NewManager(dd, t.TempDir(), time.Hour, nil)
	if _, err := bm.Take(t.Context(), time.Now()); err != nil {
		t.Fatal(err)
	}
	mx := metrics.New(dd, bm, clock.System{}, "test")
	mx.KnowJobs("backup")
	mx.ObserveRequest("GET", "/", 200, time.Millisecond)
	mx.ObserveJob("backup", time.Millisecond, nil)
	fams, err := mx.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	served := map[string]bool{}
	for _, f := range fams {
		served[f.GetName()] = true
		if f.GetType() == dto.MetricType_HISTOGRAM {
			served[f.GetName()+"_bucket"], served[f.GetName()+"_count"], served[f.GetName()+"_sum"] = true, true, true
		}
	}
	for _, want := range []string{"leaddesk_leads", "leaddesk_backup_failing", "leaddesk_sqlite_file_bytes"} {
		if !served[want] {
			t.Errorf("the registry does not serve %s", want)
		}
	}
	for _, p := range d.Panels {
		for _, tg := range p.Targets {
			for _, n := range regexp.MustCompile(`leaddesk_[a-z_]+`).FindAllString(tg.Expr, -1) {
				if !served[n] {
					t.Errorf("dashboard queries %s, which /metrics does not serve", n)
				}
			}
		}
	}
}
