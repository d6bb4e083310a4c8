package handlers

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"leaddesk/db"
)

// Version is set at build time (-ldflags "-X leaddesk/handlers.Version=…").
var Version = "dev"

// healthz answers 200 with JSON when the database answers, 503 otherwise.
func (h *Handler) healthz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	v, err := h.DB.SchemaVersion(ctx)
	if err != nil {
		h.Log.Error("health check", "err", err)
		return c.JSON(http.StatusServiceUnavailable, map[string]any{"status": "unavailable", "database": "error"})
	}
	return c.JSON(http.StatusOK, map[string]any{
		"status": "ok", "database": "ok", "schema": v, "schema_latest": db.LatestVersion(), "version": Version,
	})
}
