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
	"leaddesk/internal/password"
)

func runCLI(t *testing.T, dir string, stdin string, args ...string) (code int, out, errOut string) {
	t.Helper()
	if stdin != "" {
		f, err := os.CreateTemp(t.TempDir(), "stdin")
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString(stdin)
		f.Seek(0, 0)
		old := os.Stdin
		os.Stdin = f
		defer func() { os.Stdin = old; f.Close() }()
	}
	var o, e bytes.Buffer
	env := func(k string) string {
		return offlineEnv(map[string]string{"LEADDESK_DATA_DIR": dir})(k)
	}
	code = run(context.Background(), args, &o, &e, env)
	return code, o.String(), e.String()
}

func TestUserAddCreatesAUserThatCanSignIn(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := runCLI(t, dir, "", "user", "add", "--email", "aiko@example.com", "--name", "Aiko Tanaka", "--roles", "referrals-admin,account-admin")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	pw := regexp.MustCompile(`password \(shown once[^)]*\): (\S+)`).FindStringSubmatch(out)
	if pw == nil || password.Check(pw[1]) != nil {
		t.Fatalf("no usable generated password in:\n%s", out)
	}
	code, _, _ = runCLI(t, dir, "a password from stdin\n", "user", "add", "--email", "ken@example.com", "--name", "Ken Sato", "--roles", "business-profile-admin", "--password-stdin")
	if code != 0 {
		t.Fatalf("--password-stdin: exit %d", code)
	}
	d, err := db.Open(context.Background(), filepath.Join(dir, db.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	aiko, err := d.UserByEmail(context.Background(), "aiko@example.com")
	if err != nil || !password.Verify(aiko.PasswordHash, pw[1]) || !aiko.Has(db.RoleAccount) || !aiko.Has(db.RoleReferrals) {
		t.Fatalf("aiko: %+v %v", aiko, err)
	}
	ken, err := d.UserByEmail(context.Background(), "ken@example.com")
	if err != nil || !password.Verify(ken.PasswordHash, "a password from stdin") || len(ken.Roles) != 1 {
		t.Fatalf("ken: %+v %v", ken, err)
	}
	if code, _, errOut := runCLI(t, dir, "", "user", "add", "--email", "aiko@example.com", "--name", "Again", "--roles", "referrals-admin"); code != 1 || !strings.Contains(errOut, "exists already") {
		t.Errorf("duplicate email: exit %d: %s", code, errOut)
	}
}

func TestUserAddExplainsUsageMistakesWithExitCode2(t *testing.T) {
	for name, tc := range map[string]struct {
		stdin string
		args  []string
		want  string
	}{
		"no subcommand": {"", []string{"user"}, "leaddesk user add"},
		"bad email":     {"", []string{"user", "add", "--email", "aiko", "--name", "A", "--roles", "referrals-admin"}, `--email "aiko" is not an email address`},
		"no name":       {"", []string{"user", "add", "--email", "a@example.com", "--roles", "referrals-admin"}, "--name is required"},
		"bad role":      {"", []string{"user", "add", "--email", "a@example.com", "--name", "A", "--roles", "admin"}, `"admin" is not a role`},
		"no roles":      {"", []string{"user", "add", "--email", "a@example.com", "--name", "A"}, "--roles is required"},
		"empty roles":   {"", []string{"user", "add", "--email", "a@example.com", "--name", "A", "--roles", " , "}, "--roles is required"},
		"short pw":      {"short\n", []string{"user", "add", "--email", "a@example.com", "--name", "A", "--roles", "referrals-admin", "--password-stdin"}, "shorter than 12 characters"},
	} {
		code, _, errOut := runCLI(t, t.TempDir(), tc.stdin, tc.args...)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%s: exit %d, stderr %q, want 2 and %q", name, code, errOut, tc.want)
		}
	}
}
