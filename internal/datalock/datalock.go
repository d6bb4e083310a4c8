// Package datalock marks a data directory as in use by a running server: `leaddesk serve` holds an
// exclusive flock on leaddesk.lock for as long as it runs, and `leaddesk restore` refuses while it is
// held. The kernel drops the lock when the process ends, even on kill -9, so no stale lock remains.
package datalock

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// FileName is the lock file inside the data directory.
const FileName = "leaddesk.lock"

// ErrHeld means another process holds the data directory.
var ErrHeld = errors.New("datalock: held")

// Lock is a held lock; Release gives it up.
type Lock struct{ f *os.File }

// Acquire takes the data directory's lock without waiting. When another process holds it, the error
// wraps ErrHeld and names that process's id.
func Acquire(dir string) (*Lock, error) {
	path := filepath.Join(dir, FileName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("datalock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		b, _ := os.ReadFile(path)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			pid := strings.TrimSpace(string(b))
			return nil, fmt.Errorf("%w: a Leaddesk server (pid %s) is running on the data directory %s", ErrHeld, pid, dir)
		}
		return nil, fmt.Errorf("datalock: %s: %w", path, err)
	}
	f.Truncate(0)
	f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return &Lock{f: f}, nil
}

// Release gives the lock up.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	return l.f.Close()
}
