package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"leaddesk/config"
)

// makeVar reads `NAME := value` from the Makefile.
func makeVar(t *testing.T, mk, name string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + name + `\s*:?=\s*(.*)$`).FindStringSubmatch(mk)
	if m == nil {
		t.Fatalf("Makefile has no %s", name)
	}
	return strings.TrimSpace(m[1])
}

// TestDockerfileBuildsLikeTheMakefile: no container engine runs here, so the image's build stage is
// checked against `make build` instead — cgo on, the same tags, -trimpath, the same -ldflags (strip,
// version stamp) — and the Go version against go.mod; the runtime stage runs as a non-root user
// with /data as a volume, a health check and the LEADDESK_* settings the compose file uses.
func TestDockerfileBuildsLikeTheMakefile(t *testing.T) {
	mkb, _ := os.ReadFile("Makefile")
	dfb, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	mk, df := string(mkb), string(dfb)
	tags := makeVar(t, mk, "TAGS")
	ldflags := strings.ReplaceAll(makeVar(t, mk, "LDFLAGS"), "$(VERSION)", "${VERSION}")
	buildLine := regexp.MustCompile(`(?m)^\t\$\(GO\) build (.*)$`).FindStringSubmatch(mk)
	if buildLine == nil {
		t.Fatal("no build command in the Makefile")
	}
	makeBuild := strings.NewReplacer("$(TAGS)", tags, "$(LDFLAGS)", ldflags, "$(BIN)", "OUT").Replace(buildLine[1])

	dockerRun := regexp.MustCompile(`(?m)^RUN (CGO_ENABLED=\d) go build (.*)$`).FindStringSubmatch(df)
	if dockerRun == nil {
		t.Fatal("no `RUN CGO_ENABLED=… go build` in the Dockerfile")
	}
	if dockerRun[1] != "CGO_ENABLED=1" || !strings.Contains(mk, "export CGO_ENABLED := 1") {
		t.Errorf("cgo: Dockerfile %s, Makefile exports CGO_ENABLED := 1", dockerRun[1])
	}
	dockerBuild := regexp.MustCompile(`-o \S+`).ReplaceAllString(dockerRun[2], "-o OUT")
	if dockerBuild != makeBuild {
		t.Errorf("build flags differ:\n  Makefile:   go build %s\n  Dockerfile: go build %s", makeBuild, dockerBuild)
	}

	gomod, _ := os.ReadFile("go.mod")
	goVer := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(gomod)
	if goVer == nil || !strings.Contains(df, "FROM golang:"+string(goVer[1])+"-") {
		t.Errorf("the build image is not Go %s of go.mod", goVer[1])
	}
	runtime := df[strings.LastIndex(df, "\nFROM "):]
	for _, want := range []string{"USER leaddesk", "VOLUME /data", "LEADDESK_DATA_DIR=/data", "LEADDESK_ADDR=0.0.0.0:8080", "EXPOSE 8080",
		`HEALTHCHECK`, `"/usr/local/bin/leaddesk", "healthcheck"`, "ca-certificates", "tzdata", `CMD ["serve"]`} {
		if !strings.Contains(runtime, want) {
			t.Errorf("runtime stage lacks %q", want)
		}
	}
	if _, ok := commands()["healthcheck"]; !ok {
		t.Error("the HEALTHCHECK's command does not exist")
	}

	compose, err := os.ReadFile("compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	settings := map[string]bool{}
	for _, s := range config.Settings() {
		settings[s.Env] = true
	}
	for _, m := range regexp.MustCompile(`(LEADDESK_[A-Z_]+):`).FindAllStringSubmatch(string(compose), -1) {
		if !settings[m[1]] {
			t.Errorf("compose.yaml sets %s, which is not a setting", m[1])
		}
	}
	for _, want := range []string{"build: .", "leaddesk-data:/data", "axllent/mailpit", "LEADDESK_SMTP_URL: smtp://mailpit:1025", "# caddy:", "deploy/Caddyfile"} {
		if !strings.Contains(string(compose), want) {
			t.Errorf("compose.yaml lacks %q", want)
		}
	}
}

// TestSystemdUnitVerifies runs systemd-analyze verify on the unit (with a stand-in binary) and
// checks the hardening the documentation promises.
func TestSystemdUnitVerifies(t *testing.T) {
	b, err := os.ReadFile("deploy/leaddesk.service")
	if err != nil {
		t.Fatal(err)
	}
	unit := string(b)
	for _, want := range []string{"User=leaddesk", "ProtectSystem=strict", "ReadWritePaths=/var/lib/leaddesk /var/backups/leaddesk",
		"NoNewPrivileges=yes", "PrivateTmp=yes", "KillSignal=SIGTERM", "TimeoutStopSec=", "EnvironmentFile=/etc/leaddesk/leaddesk.env",
		"ExecStart=/usr/local/bin/leaddesk serve"} {
		if !strings.Contains(unit, want) {
			t.Errorf("unit lacks %q", want)
		}
	}
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("\n*** SYSTEMD UNIT NOT VERIFIED: systemd-analyze is not installed ***")
	}
	path := filepath.Join(t.TempDir(), "leaddesk.service")
	os.WriteFile(path, []byte(strings.ReplaceAll(unit, "/usr/local/bin/leaddesk", os.Args[0])), 0o644)
	out, err := exec.Command(analyze, "verify", path).CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}

// TestEnvFileDocumentsEverySetting: deploy/leaddesk.env names every setting (set or commented out),
// names nothing that is not one, and what it sets passes validation.
func TestEnvFileDocumentsEverySetting(t *testing.T) {
	f, err := os.Open("deploy/leaddesk.env")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	env := map[string]string{}
	var named []string
	sc := bufio.NewScanner(f)
	line := regexp.MustCompile(`^(# )?(LEADDESK_[A-Z_]+)=(.*)$`)
	for sc.Scan() {
		m := line.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		named = append(named, m[2])
		if m[1] == "" {
			env[m[2]] = m[3]
		}
	}
	var all []string
	for _, s := range config.Settings() {
		all = append(all, s.Env)
	}
	all = append(all, "LEADDESK_SIGNIN_DOMAINS")
	for _, s := range all {
		if !slices.Contains(named, s) {
			t.Errorf("leaddesk.env does not mention %s", s)
		}
	}
	for _, n := range named {
		if !slices.Contains(all, n) {
			t.Errorf("leaddesk.env names %s, which is not a setting", n)
		}
	}
	env["LEADDESK_DATA_DIR"] = t.TempDir()
	env["LEADDESK_BACKUP_DIR"] = filepath.Join(t.TempDir(), "backups")
	if code, _, errOut := cli(t, t.Context(), env, "version"); code != 0 {
		t.Errorf("the settings of leaddesk.env do not validate: %s", errOut)
	}
}
