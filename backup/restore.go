package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"leaddesk/db"
	"leaddesk/internal/datalock"
)

// Restored says what Restore did.
type Restored struct {
	Schema int    // the restored database's schema (migrated at the next start when older)
	Aside  string // directory holding the replaced database files; "" when there were none
}

// Restore makes the backup at src the database of dataDir. It refuses while a server holds the data
// directory (datalock), refuses a file that fails PRAGMA integrity_check or was written by a newer
// Leaddesk, and moves the replaced leaddesk.db (with its -wal and -shm) into replaced-TIME/ in the
// data directory rather than deleting it. The session key file is left as it is.
func Restore(ctx context.Context, dataDir, src string, now time.Time) (Restored, error) {
	var r Restored
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return r, fmt.Errorf("restore: data directory %s: %w", dataDir, err)
	}
	lock, err := datalock.Acquire(dataDir)
	if errors.Is(err, datalock.ErrHeld) {
		return r, fmt.Errorf("restore: %w; stop it first (for example systemctl stop leaddesk), then restore", err)
	}
	if err != nil {
		return r, err
	}
	defer lock.Release()

	schema, err := db.VerifyFile(ctx, src)
	if err != nil {
		return r, fmt.Errorf("restore: nothing was changed: %w", err)
	}
	if latest := db.LatestVersion(); schema > latest {
		return r, fmt.Errorf("restore: nothing was changed: %s is from a newer Leaddesk (schema %d, this binary knows up to %d); restore it with that version", src, schema, latest)
	}
	r.Schema = schema

	live := filepath.Join(dataDir, db.FileName)
	staging := live + ".restoring"
	if err := copyFile(src, staging); err != nil {
		os.Remove(staging)
		return r, fmt.Errorf("restore: nothing was changed: %w", err)
	}
	if _, err := db.VerifyFile(ctx, staging); err != nil {
		os.Remove(staging)
		return r, fmt.Errorf("restore: nothing was changed: the copy failed its check: %w", err)
	}

	// The replaced files go aside together: the -wal may hold the newest commits of the old database.
	aside := filepath.Join(dataDir, "replaced-"+now.UTC().Format("20060102T150405Z"))
	for _, suffix := range []string{"", "-wal", "-shm"} {
		from := live + suffix
		if _, err := os.Stat(from); errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err := os.MkdirAll(aside, 0o700); err != nil {
			os.Remove(staging)
			return r, fmt.Errorf("restore: nothing was changed: %w", err)
		}
		if err := os.Rename(from, filepath.Join(aside, db.FileName+suffix)); err != nil {
			os.Remove(staging)
			return r, fmt.Errorf("restore: move %s aside (the files moved so far are in %s): %w", from, aside, err)
		}
		r.Aside = aside
	}
	if err := os.Rename(staging, live); err != nil {
		return r, fmt.Errorf("restore: %w (the replaced database is in %s)", err, aside)
	}
	return r, nil
}

// copyFile copies src to a new file dst with mode 0600 and syncs it to disk.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
