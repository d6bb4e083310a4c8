package backup_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"leaddesk/backup"
	"leaddesk/db"
	"leaddesk/internal/clock"
	"leaddesk/jobs"
)

func openDB(t *testing.T) *db.DB {
	t.Helper()
	d, err := db.Open(t.Context(), filepath.Join(t.TempDir(), db.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// TestRetentionKeeps24Hourly14Daily8Weekly: of hourly backups over ten weeks, the policy keeps the
// last 24 hours, the newest of each of the last 14 days and of each of the last 8 ISO weeks.
func TestRetentionKeeps24Hourly14Daily8Weekly(t *testing.T) {
	end := time.Date(2026, 12, 2, 6, 0, 0, 0, time.UTC) // a Wednesday
	var times []time.Time
	for at := end.Add(-70 * 24 * time.Hour); !at.After(end); at = at.Add(time.Hour) {
		times = append(times, at)
	}
	keep := backup.DefaultRetention().Keep(times)
	hours, days, weeks := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for i := range keep {
		at := times[i]
		if end.Sub(at) < 24*time.Hour {
			hours[at.Format("2006010215")] = true
		}
		days[at.Format("20060102")] = true
		y, w := at.ISOWeek()
		weeks[time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 7*w).Format("2006-01-02")] = true
		if end.Sub(at) > 8*7*24*time.Hour {
			t.Errorf("kept %s, older than 8 weeks", at)
		}
	}
	if len(hours) != 24 {
		t.Errorf("backups of the last 24 hours kept: %d, want 24", len(hours))
	}
	if len(days) < 14 {
		t.Errorf("days with a backup kept: %d, want at least 14", len(days))
	}
	if len(weeks) != 8 {
		t.Errorf("weeks with a backup kept: %d, want 8", len(weeks))
	}
	// 24 hourly (Dec 2 00:00–06:00 and Dec 1 07:00–23:00); 12 more days (Nov 19–30, at 23:00); the
	// ISO weeks of Dec 2, Nov 29 and Nov 22 already have theirs, so 5 more weeks (Nov 15 back to Oct 18).
	if len(keep) != 24+12+5 {
		t.Errorf("kept %d backups, want %d", len(keep), 24+12+5)
	}
}

// TestScheduledBackupsUnderTheInjectedClock runs the backup job in the jobs runner on a fake clock
// across seven weeks (every 6 hours, then hourly for the last three days): each run on the hour takes
// one verified 0600 backup, the directory is pruned to the retention, and the status follows.
func TestScheduledBackupsUnderTheInjectedClock(t *testing.T) {
	d := openDB(t)
	dir := filepath.Join(t.TempDir(), "backups")
	start := time.Date(2026, 10, 14, 0, 0, 0, 0, time.UTC)
	clk := clock.NewFake(start)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	m := backup.NewManager(d, dir, time.Hour, log)
	r := jobs.NewRunner(clk, log)
	r.Register(jobs.Job{Name: "backup", Every: time.Minute, Run: m.RunDue})
	runs := make(chan error, 1)
	r.Observe(func(_ string, _ time.Duration, err error) { runs <- err })
	ctx, cancel := context.WithCancel(t.Context())
	r.Start(ctx)
	defer func() { cancel(); r.Wait() }()
	wait := func() {
		t.Helper()
		select {
		case err := <-runs:
			if err != nil {
				t.Fatalf("backup job at %s: %v", clk.Now(), err)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("the backup job did not run at %s", clk.Now())
		}
	}
	wait() // the run at start takes the first backup

	// A tick half an hour later is not due: still one backup.
	clk.Advance(30 * time.Minute)
	wait()
	if files, _ := db.ListBackups(dir); len(files) != 1 {
		t.Fatalf("after 30 minutes: %d backups, want 1", len(files))
	}
	clk.Set(start)
	end := start.Add(7 * 7 * 24 * time.Hour)
	for clk.Now().Before(end) {
		step := 6 * time.Hour
		if end.Sub(clk.Now()) <= 72*time.Hour {
			step = time.Hour
		}
		clk.Advance(step)
		wait()
	}
	now := clk.Now()
	files, err := db.ListBackups(dir)
	if err != nil {
		t.Fatal(err)
	}
	if files[0].Time != now {
		t.Errorf("newest backup %s, want one at %s", files[0].Time, now)
	}
	times := make([]time.Time, len(files))
	lastDay := 0
	for i, f := range files {
		times[i] = f.Time
		info, err := os.Stat(f.Path)
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", f.Path, info.Mode().Perm())
		}
		if now.Sub(f.Time) < 24*time.Hour {
			lastDay++
		}
	}
	if lastDay != 24 {
		t.Errorf("%d backups of the last 24 hours, want 24", lastDay)
	}
	if keep := m.Retention.Keep(times); len(keep) != len(files) {
		t.Errorf("%d files, of which the retention keeps %d: pruning left extra files", len(files), len(keep))
	}
	if oldest := files[len(files)-1].Time; now.Sub(oldest) > 8*7*24*time.Hour {
		t.Errorf("oldest backup %s is older than 8 weeks", oldest)
	}
	if len(files) > 24+14+8 {
		t.Errorf("%d backups kept, more than 24+14+8", len(files))
	}
	if v, err := db.VerifyFile(t.Context(), files[0].Path); err != nil || v != db.LatestVersion() {
		t.Errorf("newest backup: schema %d, %v", v, err)
	}
	if st := m.Status(now); st.State != "ok" || st.Last == nil || st.Last.Time != now || st.Count != len(files) {
		t.Errorf("status now: %+v", st)
	}
	if st := m.Status(now.Add(3 * time.Hour)); st.State != "overdue" {
		t.Errorf("status 3 hours without a backup: %q, want overdue", st.State)
	}
}

// TestFailedBackupIsReportedAndLeavesNothing: a backup directory that cannot be written makes the job
// fail, the status say "failing" with the reason, and no half-written file remain.
func TestFailedBackupIsReportedAndLeavesNothing(t *testing.T) {
	d := openDB(t)
	parent := t.TempDir()
	blocker := filepath.Join(parent, "not-a-dir")
	if err := os.WriteFile(blocker, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	m := backup.NewManager(d, filepath.Join(blocker, "backups"), time.Hour, nil)
	now := time.Date(2026, 12, 2, 6, 0, 0, 0, time.UTC)
	if err := m.RunDue(t.Context(), now); err == nil {
		t.Fatal("backup into a path under a file succeeded")
	}
	st := m.Status(now)
	if st.State != "failing" || st.LastError == "" {
		t.Errorf("status after a failure: %+v", st)
	}
	if off := backup.NewManager(d, "", time.Hour, nil); off.Status(now).State != "off" || off.RunDue(t.Context(), now) != nil {
		t.Error("a manager without a directory is not off")
	}
}
