package main

import (
	"bytes"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"leaddesk/db"
)

// A backup is readable by its owner only, and it does not carry the session key: an older database
// that kept the key inside is moved to session.key (0600, beside the database) at the next start, so
// everyone stays signed in and the copy alone cannot forge a session.
func TestBackupIsPrivateAndHoldsNoSessionKey(t *testing.T) {
	dir := t.TempDir()
	d, err := db.Open(t.Context(), filepath.Join(dir, db.FileName))
	if err != nil {
		t.Fatal(err)
	}
	legacy := bytes.Repeat([]byte("K3y!"), 16) // 64 bytes, easy to spot in a file
	if _, err := d.Exec(`INSERT INTO app_secrets (name, value, created_at) VALUES ('session_key', ?, ?)`, legacy, time.Now().Unix()); err != nil {
		t.Fatal(err)
	}
	d.Close()

	env := map[string]string{"LEADDESK_DATA_DIR": dir}
	dest := filepath.Join(t.TempDir(), "copy.db")
	if code, out, errOut := cli(t, t.Context(), env, "backup", dest); code != 0 {
		t.Fatalf("backup: %d %q %q", code, out, errOut)
	}
	fi, err := os.Stat(dest)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup file mode %v (%v), want -rw-------", fi.Mode().Perm(), err)
	}
	raw, err := os.ReadFile(dest)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, legacy) || bytes.Contains(raw, []byte(hex.EncodeToString(legacy))) {
		t.Error("the backup still holds the session key")
	}

	keyFile := filepath.Join(dir, "session.key")
	fi, err = os.Stat(keyFile)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("session.key: %v %v, want a 0600 file", fi, err)
	}
	kb, _ := os.ReadFile(keyFile)
	if strings.TrimSpace(string(kb)) != hex.EncodeToString(legacy) {
		t.Error("session.key is not the key the database held, so every session would end")
	}
	d, err = db.Open(t.Context(), filepath.Join(dir, db.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var n int
	d.QueryRow(`SELECT COUNT(*) FROM app_secrets`).Scan(&n)
	if n != 0 {
		t.Errorf("%d secrets left in the database", n)
	}

	// A key file restored with loose permissions is made owner-only again at start.
	if err := os.Chmod(keyFile, 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := cli(t, t.Context(), env, "backup", filepath.Join(t.TempDir(), "again.db")); code != 0 {
		t.Fatalf("second backup: %q", errOut)
	}
	if fi, err := os.Stat(keyFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("session.key left readable by others: %v %v", fi.Mode().Perm(), err)
	}

	// A fresh data directory gets a new key file, never a key in the database.
	fresh := t.TempDir()
	if code, _, errOut := cli(t, t.Context(), map[string]string{"LEADDESK_DATA_DIR": fresh}, "backup", filepath.Join(t.TempDir(), "b.db")); code != 0 {
		t.Fatalf("backup of a fresh directory: %q", errOut)
	}
	if fi, err := os.Stat(filepath.Join(fresh, "session.key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("fresh session.key: %v %v", fi, err)
	}
}

// A data directory the server may not write to is named in one line, with what to do.
func TestReadOnlyDataDirectoryIsOneClearLine(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o700) })
	if os.Geteuid() == 0 {
		// root writes through permission bits; the immutable attribute stops even root.
		if out, err := exec.Command("chattr", "+i", dir).CombinedOutput(); err != nil {
			t.Skipf("running as root and cannot make %s immutable: %v %s", dir, err, out)
		}
		t.Cleanup(func() { exec.Command("chattr", "-i", dir).Run() })
	}
	for _, name := range []string{"serve", "backup"} {
		args := []string{name}
		if name == "backup" {
			args = append(args, filepath.Join(t.TempDir(), "b.db"))
		}
		code, _, errOut := cli(t, t.Context(), map[string]string{"LEADDESK_DATA_DIR": dir, "LEADDESK_ADDR": "127.0.0.1:0"}, args...)
		line := strings.TrimSpace(errOut)
		if code != 1 || strings.Count(line, "\n") != 0 || !strings.Contains(line, dir) || !strings.Contains(line, "must be writable") ||
			!strings.Contains(line, "LEADDESK_DATA_DIR") || strings.Contains(line, "no such file") {
			t.Errorf("%s with a read-only data directory: exit %d, stderr %q", name, code, errOut)
		}
	}
	// A data directory that cannot be created (its parent is read-only) says so too.
	sub := filepath.Join(dir, "data")
	code, _, errOut := cli(t, t.Context(), map[string]string{"LEADDESK_DATA_DIR": sub}, "serve")
	if line := strings.TrimSpace(errOut); code != 1 || strings.Count(line, "\n") != 0 || !strings.Contains(line, sub) || !strings.Contains(line, "must be a writable directory") {
		t.Errorf("uncreatable data directory: exit %d, stderr %q", code, errOut)
	}
}

// Microsoft sign-in with the multi-tenant default stops the start with one line naming the setting.
func TestEntraWithoutATenantStopsTheStart(t *testing.T) {
	env := map[string]string{"LEADDESK_DATA_DIR": t.TempDir(), "LEADDESK_ENTRA_CLIENT_ID": "app", "LEADDESK_ENTRA_CLIENT_SECRET": "s"}
	code, _, errOut := cli(t, t.Context(), env, "serve")
	if line := strings.TrimSpace(errOut); code != 1 || strings.Count(line, "\n") != 0 || !strings.Contains(line, "LEADDESK_ENTRA_TENANT") {
		t.Errorf("no tenant: exit %d, stderr %q", code, errOut)
	}
}
