// Package backup takes Leaddesk's scheduled backups — a consistent online copy through SQLite's
// backup API, file mode 0600, verified with PRAGMA integrity_check before it counts — prunes them to
// 24 hourly, 14 daily and 8 weekly copies, reports their status, and restores one into a data
// directory. The session key file (session.key) is not in the database and so not in a backup.
package backup

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"sync"
	"time"

	"leaddesk/db"
)

// Retention says how many backups to keep per period, newest first: the newest backup of each of the
// last Hourly hours that have one, of the last Daily days, and of the last Weekly ISO weeks (UTC).
type Retention struct{ Hourly, Daily, Weekly int }

// DefaultRetention is 24 hourly + 14 daily + 8 weekly.
func DefaultRetention() Retention { return Retention{Hourly: 24, Daily: 14, Weekly: 8} }

// Keep returns which of times (any order) the retention keeps, by index. The newest is always kept.
func (r Retention) Keep(times []time.Time) map[int]bool {
	idx := make([]int, len(times))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return times[idx[a]].After(times[idx[b]]) })
	keep := map[int]bool{}
	if len(idx) > 0 {
		keep[idx[0]] = true
	}
	buckets := []struct {
		n   int
		key func(t time.Time) string
	}{
		{r.Hourly, func(t time.Time) string { return t.UTC().Format("2006010215") }},
		{r.Daily, func(t time.Time) string { return t.UTC().Format("20060102") }},
		{r.Weekly, func(t time.Time) string { y, w := t.UTC().ISOWeek(); return fmt.Sprintf("%d-%02d", y, w) }},
	}
	for _, b := range buckets {
		seen, last := 0, ""
		for _, i := range idx {
			if seen >= b.n {
				break
			}
			if k := b.key(times[i]); k != last {
				keep[i], last = true, k
				seen++
			}
		}
	}
	return keep
}

// Status is what Admin › System and /healthz show about scheduled backups.
type Status struct {
	State     string // "off", "ok", "overdue" (no backup for twice the interval) or "failing"
	Dir       string
	Every     time.Duration
	Last      *db.BackupFile // newest backup, nil when none
	Count     int
	LastError string // the last failed attempt's error, until a backup succeeds
	FailedAt  time.Time
}

// Manager takes the scheduled backups of one database.
type Manager struct {
	DB        *db.DB
	Dir       string
	Every     time.Duration
	Retention Retention
	Log       *slog.Logger

	mu       sync.Mutex // one backup at a time; guards the failure below
	lastErr  error
	failedAt time.Time
}

// NewManager returns a manager writing to dir every interval; dir "" means scheduled backups are off.
func NewManager(d *db.DB, dir string, every time.Duration, log *slog.Logger) *Manager {
	return &Manager{DB: d, Dir: dir, Every: every, Retention: DefaultRetention(), Log: log}
}

// Enabled reports whether scheduled backups are configured.
func (m *Manager) Enabled() bool { return m != nil && m.Dir != "" }

// RunDue takes a backup when the newest scheduled one is at least an interval old as of now, then
// prunes. It is the `backup` job, run every minute by `serve` and once by `leaddesk jobs`.
func (m *Manager) RunDue(ctx context.Context, now time.Time) error {
	if !m.Enabled() {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	files, err := m.scheduled()
	if err != nil {
		return m.fail(now, err)
	}
	// A minute's slack: the job ticks every minute, so an hourly backup stays on the hour.
	if len(files) > 0 && now.Sub(files[0].Time) < m.Every-time.Minute {
		return nil
	}
	if _, err := m.take(ctx, now); err != nil {
		return m.fail(now, err)
	}
	m.lastErr = nil
	return m.prune()
}

// Take writes a backup now, whether due or not, then prunes.
func (m *Manager) Take(ctx context.Context, now time.Time) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	path, err := m.take(ctx, now)
	if err != nil {
		return "", m.fail(now, err)
	}
	m.lastErr = nil
	return path, m.prune()
}

func (m *Manager) take(ctx context.Context, now time.Time) (string, error) {
	if err := os.MkdirAll(m.Dir, 0o700); err != nil {
		return "", fmt.Errorf("backup: directory %s cannot be created (LEADDESK_BACKUP_DIR): %w", m.Dir, err)
	}
	dest := m.Dir + string(os.PathSeparator) + db.BackupName(now)
	start := time.Now()
	if err := m.DB.BackupVerified(ctx, dest); err != nil {
		return "", err
	}
	if m.Log != nil {
		m.Log.Info("backup written", "file", dest, "took", time.Since(start).Round(time.Millisecond))
	}
	return dest, nil
}

func (m *Manager) fail(now time.Time, err error) error {
	m.lastErr, m.failedAt = err, now
	return err
}

// scheduled lists the scheduled (not pre-upgrade) backups, newest first.
func (m *Manager) scheduled() ([]db.BackupFile, error) {
	all, err := db.ListBackups(m.Dir)
	if err != nil {
		return nil, err
	}
	var out []db.BackupFile
	for _, f := range all {
		if !f.PreUpgrade {
			out = append(out, f)
		}
	}
	return out, nil
}

// prune deletes scheduled backups the retention does not keep. Pre-upgrade backups are the operator's
// to delete: they are the way back from an upgrade.
func (m *Manager) prune() error {
	files, err := m.scheduled()
	if err != nil {
		return err
	}
	times := make([]time.Time, len(files))
	for i, f := range files {
		times[i] = f.Time
	}
	keep := m.Retention.Keep(times)
	for i, f := range files {
		if !keep[i] {
			if err := os.Remove(f.Path); err != nil {
				return fmt.Errorf("backup: prune %s: %w", f.Path, err)
			}
		}
	}
	return nil
}

// Status reports the scheduled backups as of now.
func (m *Manager) Status(now time.Time) Status {
	if !m.Enabled() {
		return Status{State: "off"}
	}
	s := Status{State: "ok", Dir: m.Dir, Every: m.Every}
	files, err := m.scheduled()
	m.mu.Lock()
	if m.lastErr != nil {
		s.LastError, s.FailedAt = m.lastErr.Error(), m.failedAt
	}
	m.mu.Unlock()
	if err != nil && s.LastError == "" {
		s.LastError, s.FailedAt = err.Error(), now
	}
	s.Count = len(files)
	if len(files) > 0 {
		s.Last = &files[0]
	}
	switch {
	case s.LastError != "":
		s.State = "failing"
	case s.Last == nil || now.Sub(s.Last.Time) > 2*m.Every:
		s.State = "overdue"
	}
	return s
}
