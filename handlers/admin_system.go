package handlers

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/labstack/echo/v4"

	"leaddesk/backup"
	"leaddesk/config"
	"leaddesk/db"
)

// systemData is Admin › System: what runs, how big it is, the backups, the jobs and the settings.
type systemData struct {
	Version               string
	Schema, SchemaLatest  int
	Uptime                string
	Started               time.Time
	DataDir               string
	DataBytes, DBBytes    string
	WALBytes              string
	Backup                backup.Status
	BackupSize, BackupAge string
	BackupEvery           string
	Outbox                map[string]int
	OutboxStatuses        []string
	OutboxOldest          string // "" when nothing waits
	Queues                map[string]map[string]int
	QueueStatuses         []string
	Jobs                  []systemJob
	Settings              []config.Value
}

type systemJob struct {
	Name, Every string
	LastAt      *time.Time
	Took, Err   string
}

// adminSystem shows the instance's state to Account admins.
func (h *Handler) adminSystem(c echo.Context) error {
	ctx := c.Request().Context()
	now := h.Clock.Now()
	d := &systemData{Version: Version, SchemaLatest: db.LatestVersion(), Started: h.ops.started,
		DataDir: h.Cfg.DataDir, OutboxStatuses: db.OutboxStatuses, Settings: h.Cfg.Values()}
	var err error
	if d.Schema, err = h.DB.SchemaVersion(ctx); err != nil {
		return err
	}
	d.Uptime = h.duration(c, now.Sub(h.ops.started))
	d.DataBytes = humanBytes(dirSize(h.Cfg.DataDir))
	d.DBBytes = humanBytes(fileSize(h.DB.Path))
	d.WALBytes = humanBytes(fileSize(h.DB.Path + "-wal"))
	d.Backup = h.ops.backups.Status(now)
	d.BackupEvery = h.duration(c, d.Backup.Every)
	if l := d.Backup.Last; l != nil {
		d.BackupSize, d.BackupAge = humanBytes(l.Size), h.duration(c, now.Sub(l.Time))
	}
	stats, err := h.DB.OpsStats(ctx, now)
	if err != nil {
		return err
	}
	d.Outbox, d.Queues, d.QueueStatuses = stats.Outbox, stats.Queues, db.QueueStatuses
	if stats.OutboxOldestAge > 0 {
		d.OutboxOldest = h.duration(c, stats.OutboxOldestAge)
	}
	if h.ops.jobs != nil {
		last := h.ops.jobs.LastRuns()
		for _, j := range h.ops.jobs.Jobs() {
			sj := systemJob{Name: j.Name, Every: h.duration(c, j.Every)}
			if lr, ok := last[j.Name]; ok {
				at := lr.At
				sj.LastAt, sj.Took, sj.Err = &at, lr.Took.Round(time.Millisecond).String(), lr.Err
			}
			d.Jobs = append(d.Jobs, sj)
		}
		sort.Slice(d.Jobs, func(i, j int) bool { return d.Jobs[i].Name < d.Jobs[j].Name })
	}
	return h.render(c, http.StatusOK, "admin/system", h.page(c, h.T(c, "system.title"), "admin", d))
}

// duration writes d in days, hours and minutes (seconds under a minute) in the request's language.
func (h *Handler) duration(c echo.Context, d time.Duration) string {
	switch {
	case d < time.Minute:
		return h.T(c, "system.seconds", int(d.Seconds()))
	case d < time.Hour:
		return h.T(c, "system.minutes", int(d.Minutes()))
	case d < 24*time.Hour && int(d.Minutes())%60 == 0:
		return h.T(c, "system.hours", int(d.Hours()))
	case d < 24*time.Hour:
		return h.T(c, "system.hours_minutes", int(d.Hours()), int(d.Minutes())%60)
	}
	return h.T(c, "system.days_hours", int(d.Hours())/24, int(d.Hours())%24)
}

// observeRequests tells the metrics of every answered request, with its route pattern. It runs
// outside logRequests, which has turned an error into its response by then, so the status is final.
func (h *Handler) observeRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		h.ops.observe(c.Request().Method, c.Path(), c.Response().Status, time.Since(start))
		return err
	}
}

func fileSize(path string) int64 {
	if info, err := os.Stat(path); err == nil {
		return info.Size()
	}
	return 0
}

// dirSize adds up the files under dir (backups inside it included).
func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, e os.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			if info, err := e.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}

// humanBytes writes n in binary units with one decimal (KiB, MiB, GiB).
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
