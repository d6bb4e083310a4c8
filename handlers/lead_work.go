package handlers

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"leaddesk/db"
	"leaddesk/lead"
	"leaddesk/leads"
)

// This file is what every lifecycle action's handler shares: finding the lead for its form, reading
// the version the form was based on, and wording a refusal of the leads service.

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

// lifecycleRefusal turns a refusal of the leads service into the status and message the user reads
// (0 for any other error).
func (h *Handler) lifecycleRefusal(c echo.Context, l *lead.Lead, err error) (int, string) {
	switch {
	case errors.Is(err, leads.ErrNotFound):
		return http.StatusNotFound, h.T(c, "error.not_found")
	case errors.Is(err, leads.ErrRole):
		return http.StatusForbidden, h.T(c, "error.forbidden")
	case errors.Is(err, leads.ErrState):
		return http.StatusConflict, h.T(c, "lifecycle.err.state", h.leadStateText(c, l))
	case errors.Is(err, leads.ErrStale):
		return http.StatusConflict, h.T(c, "lifecycle.err.stale")
	case errors.Is(err, leads.ErrInvalid):
		return http.StatusUnprocessableEntity, h.T(c, "error.bad_request")
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

// formVersion reads the version a form was based on: 0 (none given: whatever is stored) or a
// positive number; anything else can match no stored version, so the service answers ErrStale.
func formVersion(s string) int64 {
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return -1
	}
	return n
}
