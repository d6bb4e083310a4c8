package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Backup file names carry their time (UTC) so a directory listing is the backup history:
// leaddesk-20261202T060000Z.db for a scheduled or manual backup, and
// leaddesk-pre-upgrade-schema14-20261202T060000Z.db for the copy taken before migrations ran.
const (
	backupStamp        = "20060102T150405Z"
	backupPrefix       = "leaddesk-"
	preUpgradePrefix   = "leaddesk-pre-upgrade-schema"
	backupExt          = ".db"
	preUpgradeDirName  = "backups"
	preUpgradeFileMode = 0o600
)

// BackupFile is one backup found in a directory.
type BackupFile struct {
	Path       string
	Time       time.Time // when it was taken (from its name)
	Size       int64
	PreUpgrade bool // taken automatically before migrations
	Schema     int  // for a pre-upgrade backup: the schema it holds
}

// BackupName is the file name of a backup taken at t.
func BackupName(t time.Time) string { return backupPrefix + t.UTC().Format(backupStamp) + backupExt }

// PreUpgradeName is the file name of the automatic backup of a database at schema taken at t.
func PreUpgradeName(schema int, t time.Time) string {
	return fmt.Sprintf("%s%d-%s%s", preUpgradePrefix, schema, t.UTC().Format(backupStamp), backupExt)
}

// ListBackups returns the backups in dir, newest first; a missing directory has none.
func ListBackups(dir string) ([]BackupFile, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("db: list backups in %s: %w", dir, err)
	}
	var out []BackupFile
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasPrefix(name, backupPrefix) || !strings.HasSuffix(name, backupExt) {
			continue
		}
		f := BackupFile{Path: filepath.Join(dir, name)}
		stem := strings.TrimSuffix(name, backupExt)
		if rest, ok := strings.CutPrefix(stem, preUpgradePrefix); ok {
			num, stamp, ok := strings.Cut(rest, "-")
			if _, err := fmt.Sscanf(num, "%d", &f.Schema); err != nil || !ok {
				continue
			}
			f.PreUpgrade, stem = true, stamp
		} else {
			stem = strings.TrimPrefix(stem, backupPrefix)
		}
		t, err := time.Parse(backupStamp, stem)
		if err != nil {
			continue // not ours (or a temporary file)
		}
		f.Time = t
		if info, err := e.Info(); err == nil {
			f.Size = info.Size()
		}
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Time.After(out[j].Time) })
	return out, nil
}

// VerifyFile opens the database file at path read-only, runs PRAGMA integrity_check and returns its
// schema version. A backup is only counted as written once this passes.
func VerifyFile(ctx context.Context, path string) (schema int, err error) {
	if _, err := os.Stat(path); err != nil {
		return 0, fmt.Errorf("db: verify %s: %w", path, pathReason(err))
	}
	d, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&_busy_timeout=10000")
	if err != nil {
		return 0, fmt.Errorf("db: verify %s: %w", path, err)
	}
	defer d.Close()
	var result string
	if err := d.QueryRowContext(ctx, `PRAGMA integrity_check(1)`).Scan(&result); err != nil {
		return 0, fmt.Errorf("db: %s is not a readable SQLite database: %w", path, err)
	}
	if result != "ok" {
		return 0, fmt.Errorf("db: %s failed the integrity check: %s", path, result)
	}
	if err := d.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&schema); err != nil {
		return 0, fmt.Errorf("db: %s is not a Leaddesk database (no schema version): %w", path, err)
	}
	return schema, nil
}

// BackupVerified writes a backup to dest (db.Backup) through a temporary name, checks it with
// PRAGMA integrity_check, and only then gives it its name; a failed copy leaves nothing behind.
func (d *DB) BackupVerified(ctx context.Context, dest string) error {
	tmp := dest + ".partial"
	os.Remove(tmp) // a leftover of a crash mid-copy
	if err := d.Backup(ctx, tmp); err != nil {
		os.Remove(tmp)
		return err
	}
	if _, err := VerifyFile(ctx, tmp); err != nil {
		os.Remove(tmp)
		return err
	}
	if _, err := os.Stat(dest); err == nil {
		os.Remove(tmp)
		return fmt.Errorf("db: backup: %s already exists; choose a new file name", dest)
	}
	if err := os.Rename(tmp, dest); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("db: backup: %w", err)
	}
	return nil
}

// preUpgradeBackup copies the database before migrations change it, into the options' backup
// directory (default: backups/ beside the database), and remembers where.
func (d *DB) preUpgradeBackup(ctx context.Context, current int) error {
	dir := d.opts.BackupDir
	if dir == "" {
		dir = filepath.Join(filepath.Dir(d.Path), preUpgradeDirName)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("db: the backup before upgrading cannot be written to %s: %w; migrations were not applied", dir, pathReason(err))
	}
	dest := filepath.Join(dir, PreUpgradeName(current, time.Now()))
	if err := d.BackupVerified(ctx, dest); err != nil {
		return fmt.Errorf("db: the backup before upgrading failed, so migrations were not applied: %w", err)
	}
	d.PreUpgradeBackup = dest
	return nil
}

// newestPreUpgrade names the newest automatic pre-upgrade backup holding a schema this binary knows,
// for the message that refuses a downgrade; "" when there is none.
func (d *DB) newestPreUpgrade(latest int) string {
	dirs := []string{filepath.Join(filepath.Dir(d.Path), preUpgradeDirName)}
	if d.opts.BackupDir != "" {
		dirs = append([]string{d.opts.BackupDir}, dirs...)
	}
	var best BackupFile
	for _, dir := range dirs {
		files, _ := ListBackups(dir)
		for _, f := range files {
			if f.PreUpgrade && f.Schema <= latest && f.Time.After(best.Time) {
				best = f
			}
		}
	}
	return best.Path
}
