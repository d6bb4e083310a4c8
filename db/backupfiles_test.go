package db

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
)

// TestUpgradeBacksUpFirstAndDowngradeNamesTheBackup: when a newer binary finds pending migrations on
// an existing database it first writes a verified 0600 copy at the old schema and says where; an
// older binary then refuses the migrated database with that copy's path in the message.
func TestUpgradeBacksUpFirstAndDowngradeNamesTheBackup(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), FileName)
	d, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if d.PreUpgradeBackup != "" {
		t.Errorf("a new database was backed up before its first migration: %s", d.PreUpgradeBackup)
	}
	if _, err := d.Exec(`INSERT INTO users (email, name, created_at) VALUES ('before@example.com', 'Before', 0)`); err != nil {
		t.Fatal(err)
	}
	latest := LatestVersion()
	// The "newer binary": this binary's migrations plus one more.
	next := fstest.MapFS{}
	ms, _ := loadMigrations(migrationFS)
	for _, m := range ms {
		next["migrations/"+m.name] = &fstest.MapFile{Data: []byte(m.sql)}
	}
	next["migrations/9000_next.sql"] = &fstest.MapFile{Data: []byte(`ALTER TABLE users ADD COLUMN next_col TEXT; DELETE FROM users;`)}
	if err := d.migrateFS(ctx, next); err != nil {
		t.Fatal(err)
	}
	b := d.PreUpgradeBackup
	d.Close()
	if want := filepath.Join(filepath.Dir(path), "backups"); filepath.Dir(b) != want || !strings.Contains(filepath.Base(b), "schema"+strconv.Itoa(latest)) {
		t.Fatalf("pre-upgrade backup %q, want one in %s named for schema %d", b, want, latest)
	}
	info, err := os.Stat(b)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %v, want 0600", info.Mode().Perm())
	}
	if v, err := VerifyFile(ctx, b); err != nil || v != latest {
		t.Errorf("backup: schema %d, %v; want %d", v, err, latest)
	}
	// The copy has the data as it was before the migration deleted it.
	old, err := Open(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	old.QueryRow(`SELECT COUNT(*) FROM users WHERE email = 'before@example.com'`).Scan(&n)
	old.Close()
	if n != 1 {
		t.Errorf("the pre-upgrade backup lost the user the migration deleted")
	}
	files, _ := ListBackups(filepath.Dir(b))
	if len(files) != 1 || !files[0].PreUpgrade || files[0].Schema != latest {
		t.Errorf("listed backups: %+v", files)
	}

	// Back to this binary: refused, naming the backup to restore.
	_, err = Open(ctx, path)
	if err == nil || !strings.Contains(err.Error(), "newer Leaddesk") || !strings.Contains(err.Error(), "leaddesk restore "+b) {
		t.Errorf("downgrade: %v; want a refusal naming %s", err, b)
	}
}
