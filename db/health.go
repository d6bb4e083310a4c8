package db

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/mattn/go-sqlite3"
)

// UnwritableError says why the database cannot take writes, in a few words an operator can act on
// (Reason), with the underlying error.
type UnwritableError struct {
	Reason string
	Err    error
}

func (e *UnwritableError) Error() string {
	return "db: not writable (" + e.Reason + "): " + e.Err.Error()
}
func (e *UnwritableError) Unwrap() error { return e.Err }

// healthProbeSize is what the health check writes beside the database: a few pages, as a small
// transaction's journal would need.
const healthProbeSize = 64 << 10

// CheckWritable makes the writes a working instance depends on, for real: a file written and synced in
// the data directory (where the WAL, imports and backups go), then a committed row in the database.
// A full disk, a read-only file system or file, or lost permissions make it fail with an
// *UnwritableError.
func (d *DB) CheckWritable(ctx context.Context, now time.Time) error {
	if err := probeDir(filepath.Dir(d.Path)); err != nil {
		return &UnwritableError{Reason: "data directory: " + writeFailure(err), Err: err}
	}
	// The counter makes every check change the row: SQLite does not write a row whose bytes are the same.
	_, err := d.ExecContext(ctx, `INSERT INTO health_checks (id, checks, checked_at) VALUES (1, 1, ?)
		ON CONFLICT (id) DO UPDATE SET checks = checks + 1, checked_at = excluded.checked_at`, now.Unix())
	if err != nil {
		return &UnwritableError{Reason: "database: " + writeFailure(err), Err: err}
	}
	return nil
}

func probeDir(dir string) error {
	f, err := os.CreateTemp(dir, ".healthz-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	_, err = f.Write(make([]byte, healthProbeSize))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// writeFailure names the cause of a failed write.
func writeFailure(err error) string {
	var se sqlite3.Error
	if errors.As(err, &se) {
		switch {
		case se.Code == sqlite3.ErrFull:
			return "disk full"
		case se.Code == sqlite3.ErrReadonly:
			return "read-only"
		case se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked:
			return "locked by another writer"
		case se.SystemErrno != 0:
			err = se.SystemErrno
		}
	}
	switch {
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return "disk full"
	case errors.Is(err, syscall.EFBIG):
		return "file size limit reached"
	case errors.Is(err, syscall.EROFS):
		return "read-only file system"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	case errors.Is(err, context.DeadlineExceeded):
		return "timed out"
	}
	return fmt.Sprintf("write failed (%v)", err)
}
