package handlers

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"leaddesk/db"
	"leaddesk/lead"
	"leaddesk/lifecycle"
	"leaddesk/mail"
)

// This file is the machinery every lifecycle action shares: finding the lead, doing the action in one
// transaction under the lifecycle rules and the version guard, and wording a refusal.

// detailLeadID reads :id; anything but a positive number is "not found".
func (h *Handler) detailLeadID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, echo.NewHTTPError(http.StatusNotFound, h.T(c, "error.not_found"))
	}
	return id, nil
}

// loadDetailLead reads :id's lead, or answers 404.
func (h *Handler) loadDetailLead(c echo.Context) (*lead.Lead, error) {
	id, err := h.detailLeadID(c)
	if err != nil {
		return nil, err
	}
	l, err := h.DB.LeadByID(c.Request().Context(), id)
	if errors.Is(err, db.ErrNotFound) {
		return nil, echo.NewHTTPError(http.StatusNotFound, h.T(c, "error.not_found"))
	}
	return l, err
}

// lifecycleRefusal turns a lifecycle refusal or a stale version into the message the user reads.
func (h *Handler) lifecycleRefusal(c echo.Context, l *lead.Lead, err error) (int, string) {
	switch {
	case errors.Is(err, lifecycle.ErrRole):
		return http.StatusForbidden, h.T(c, "error.forbidden")
	case errors.Is(err, lifecycle.ErrState):
		return http.StatusConflict, h.T(c, "lifecycle.err.state", h.leadStateText(c, l))
	case errors.Is(err, db.ErrStale):
		return http.StatusConflict, h.T(c, "lifecycle.err.stale")
	}
	return 0, ""
}

// leadStateText names a lead's state for messages: "Received", "Archived (Won)", ….
func (h *Handler) leadStateText(c echo.Context, l *lead.Lead) string {
	s := h.catalogOr(c, "lead.status."+l.Status, l.Status)
	if l.Outcome != "" {
		s += " (" + h.catalogOr(c, "lead.outcome."+l.Outcome, l.Outcome) + ")"
	}
	return s
}

// actionHooks are what an action stores beside the lead, inside its transaction: before the guarded
// save (team, contacts — their change joins the same timeline entry) and after it (mail, Action Center).
type actionHooks struct {
	before func(ctx context.Context, tx *sql.Tx, l *lead.Lead, extra map[string][2]string) error
	after  func(ctx context.Context, tx *sql.Tx, l *lead.Lead) error
}

// workLead does action a on lead id in one transaction: it reads the lead afresh, asks the lifecycle
// whether this user may do a now, refuses a form based on another version, saves with the version
// guard, and records the timeline. The lead as saved comes back; a lifecycleRefusal is a lifecycle or db error.
func (h *Handler) workLead(c echo.Context, id int64, version string, a lifecycle.Action, in lifecycle.Input, hooks actionHooks) (*lead.Lead, error) {
	ctx := c.Request().Context()
	u := h.user(c)
	now := h.Clock.Now()
	var saved *lead.Lead
	err := h.DB.InTx(ctx, func(tx *sql.Tx) error {
		l, err := db.LeadByIDTx(ctx, tx, id)
		if err != nil {
			return err
		}
		after, err := lifecycle.Apply(l, u, a, in, now)
		if err != nil {
			return err
		}
		if version != "" && version != strconv.FormatInt(l.Version, 10) {
			return db.ErrStale
		}
		extra := map[string][2]string{}
		if hooks.before != nil {
			if err := hooks.before(ctx, tx, l, extra); err != nil {
				return err
			}
		}
		if err := db.SaveLeadTx(ctx, tx, l, after, db.Actor{UserID: u.ID}, lifecycle.EventKind(a), extra); err != nil {
			return err
		}
		if hooks.after != nil {
			if err := hooks.after(ctx, tx, after); err != nil {
				return err
			}
		}
		saved = after
		return nil
	})
	return saved, err
}

func (h *Handler) lifecycleMailEnv() mail.Env {
	return mail.Env{BaseURL: h.Cfg.BaseURL, Loc: h.Cfg.Location, Now: h.Clock.Now()}
}
