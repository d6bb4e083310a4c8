package handlers

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"leaddesk/lead"
	"leaddesk/leads"
)

// maxBulk bounds one bulk decline, so its transaction stays short.
const maxBulk = leads.MaxDeclineMany

// bulkDeclineData is the bulk decline dialog and its result.
type bulkDeclineData struct {
	IDs       []int64 // the selected leads that can be declined
	Skipped   int     // selected leads that are not received actionable leads (left alone)
	Reason    reasonForm
	Reasons   []string
	Next      string // the list view to return to
	Done      bool
	Declined  int
	NoneValid bool
}

// bulkIDs reads the repeated ids parameter; more than maxBulk or a non-number is a 400.
func (h *Handler) bulkIDs(c echo.Context, values []string) ([]int64, error) {
	if len(values) > maxBulk {
		return nil, echo.NewHTTPError(http.StatusBadRequest, h.T(c, "lifecycle.err.bulk_too_many", maxBulk))
	}
	seen := map[int64]bool{}
	var ids []int64
	for _, v := range values {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return nil, echo.NewHTTPError(http.StatusBadRequest, h.T(c, "lifecycle.err.bulk_ids"))
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids, nil
}

func (h *Handler) renderBulk(c echo.Context, status int, d *bulkDeclineData) error {
	p := h.page(c, h.T(c, "lifecycle.title.bulk_decline"), "leads", d)
	p.Fragment = "modal"
	return h.render(c, status, "leads/bulk_decline", p)
}

func (h *Handler) bulkDeclineForm(c echo.Context) error {
	ids, err := h.bulkIDs(c, c.QueryParams()["ids"])
	if err != nil {
		return err
	}
	d := &bulkDeclineData{Reasons: lead.DeclineReasons, Next: safeNext(c.QueryParam("next"), "/leads"), Reason: reasonForm{Errors: map[string]string{}}}
	if d.IDs, d.Skipped, err = h.Leads.Declinable(c.Request().Context(), h.user(c).LeadActor(), ids); err != nil {
		return err
	}
	d.NoneValid = len(d.IDs) == 0
	return h.renderBulk(c, http.StatusOK, d)
}

// bulkDecline declines the selected received leads with one reason through the leads service (one
// transaction). A lead that moved on meanwhile (accepted, declined, expired) is skipped and counted,
// never changed.
func (h *Handler) bulkDecline(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, h.T(c, "error.bad_request"))
	}
	ids, err := h.bulkIDs(c, form["ids"])
	if err != nil {
		return err
	}
	d := &bulkDeclineData{IDs: ids, Reasons: lead.DeclineReasons, Next: safeNext(c.FormValue("next"), "/leads")}
	d.Reason = h.readReasonForm(c, lead.DeclineReasons)
	if len(ids) == 0 {
		d.NoneValid = true
		return h.renderBulk(c, http.StatusUnprocessableEntity, d)
	}
	if len(d.Reason.Errors) > 0 {
		return h.renderBulk(c, http.StatusUnprocessableEntity, d)
	}
	declined, skipped, err := h.Leads.DeclineMany(c.Request().Context(), h.user(c).LeadActor(), ids, d.Reason.Reason, d.Reason.Notes)
	if err != nil {
		if errors.Is(err, leads.ErrRole) {
			return echo.NewHTTPError(http.StatusForbidden, h.T(c, "error.forbidden"))
		}
		return err
	}
	c.Response().Header().Set("HX-Trigger", "leadChanged")
	d.Done, d.Declined, d.Skipped = true, declined, skipped
	return h.renderBulk(c, http.StatusOK, d)
}
