package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"leaddesk/leads"
)

// activityInput is the details page's datetime-local format for when an activity happened.
const activityInput = "2006-01-02T15:04"

// leadLogActivity is POST /leads/:id/activities: log a call, email, meeting or note (kind, outcome,
// text, when — now when left empty) with an optional next step (next_step and next_due together).
// A bad field is a 422 naming it.
func (h *Handler) leadLogActivity(c echo.Context) error {
	l, err := h.loadDetailLead(c)
	if err != nil {
		return err
	}
	a := leads.Activity{Kind: c.FormValue("kind"), Outcome: c.FormValue("outcome"), Body: strings.TrimSpace(c.FormValue("body")),
		NextStep: strings.TrimSpace(c.FormValue("next_step")), NextDue: strings.TrimSpace(c.FormValue("next_due"))}
	bad := func(key string) error { return echo.NewHTTPError(http.StatusUnprocessableEntity, h.T(c, key)) }
	if at := c.FormValue("at"); at != "" {
		t, err := time.ParseInLocation(activityInput, at, h.Cfg.Location)
		if err != nil {
			return bad("activity.err.at")
		}
		a.At = t
	}
	switch {
	case a.NextStep != "" && a.NextDue == "":
		return bad("activity.err.next_due")
	case a.NextStep == "" && a.NextDue != "":
		return bad("activity.err.next_step")
	}
	if a.NextDue != "" {
		if _, err := time.Parse(leadDateInput, a.NextDue); err != nil {
			return bad("activity.err.next_due")
		}
	}
	if _, err := h.Leads.LogActivity(c.Request().Context(), h.user(c).LeadActor(), l.ID, a); err != nil {
		if errors.Is(err, leads.ErrInvalid) {
			return bad("activity.err.field")
		}
		if status, msg := h.lifecycleRefusal(c, l, err); status != 0 {
			return echo.NewHTTPError(status, msg)
		}
		return err
	}
	return h.actionDone(c, l.ID, "activity.done")
}

// nextStepDone is POST /next-steps/:id/done: the next step is done and leaves the Action Center.
func (h *Handler) nextStepDone(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return echo.NewHTTPError(http.StatusNotFound, h.T(c, "error.not_found"))
	}
	leadID, err := h.Leads.CompleteNextStep(c.Request().Context(), h.user(c).LeadActor(), id)
	if err != nil {
		switch {
		case errors.Is(err, leads.ErrState):
			return echo.NewHTTPError(http.StatusConflict, h.T(c, "activity.err.archived"))
		case errors.Is(err, leads.ErrNotFound):
			return echo.NewHTTPError(http.StatusNotFound, h.T(c, "error.not_found"))
		case errors.Is(err, leads.ErrRole):
			return echo.NewHTTPError(http.StatusForbidden, h.T(c, "error.forbidden"))
		}
		return err
	}
	h.setFlash(c, "success", "activity.next_done")
	return c.Redirect(http.StatusSeeOther, safeNext(c.FormValue("next"), "/leads/"+strconv.FormatInt(leadID, 10)))
}
