package handlers

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"leaddesk/db"
)

// Version is set at build time (-ldflags "-X leaddesk/handlers.Version=…").
var Version = "dev"

// healthz answers 200 with JSON when the database can be read and written, 503 with the reason
// otherwise: a database that still answers reads but cannot store a lead (disk full, read-only) is
// not healthy. The check makes a real write (db.CheckWritable).
func (h *Handler) healthz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 5*time.Second)
	defer cancel()
	unavailable := func(db, reason string, err error) error {
		noteLogError(c, err, false)
		return c.JSON(http.StatusServiceUnavailable, map[string]any{"status": "unavailable", "database": db, "reason": reason})
	}
	v, err := h.DB.SchemaVersion(ctx)
	if err != nil {
		return unavailable("error", "cannot be read", err)
	}
	if err := h.DB.CheckWritable(ctx, h.Clock.Now()); err != nil {
		reason := "write failed"
		if uw := new(db.UnwritableError); errors.As(err, &uw) {
			reason = uw.Reason
		}
		return unavailable("not writable", reason, err)
	}
	return c.JSON(http.StatusOK, map[string]any{
		"status": "ok", "database": "ok", "schema": v, "schema_latest": db.LatestVersion(), "version": Version,
		"backup": h.backupHealth(),
	})
}

// backupHealth is the scheduled backups' part of /healthz: "off", "ok", "overdue" or "failing", with
// the newest backup's time and age. A failing backup does not make the server unhealthy for a load
// balancer (it still serves), but a monitoring check can alert on it.
func (h *Handler) backupHealth() map[string]any {
	now := h.Clock.Now()
	st := h.ops.backups.Status(now)
	out := map[string]any{"status": st.State}
	if st.Last != nil {
		out["last"] = st.Last.Time.UTC().Format(time.RFC3339)
		out["age_seconds"] = int(now.Sub(st.Last.Time).Seconds())
	}
	if st.LastError != "" {
		out["error"] = st.LastError
	}
	return out
}
