package handlers

import (
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"leaddesk/leadfilter"
)

// arrivalChip adds the chip of the list's arrival range (created_from, created_to: the period an
// Insights drill-down brought along), whose removal drops both ends.
func (h *Handler) arrivalChip(c echo.Context, f leadfilter.View, q url.Values, d *leadsData) {
	if !f.HasArrival() {
		return
	}
	lang := h.lang(c)
	day := func(s string) string {
		t, err := time.Parse("2006-01-02", s)
		if err != nil {
			return s
		}
		return dayText(lang, t)
	}
	var label string
	switch {
	case f.CreatedFrom != "" && f.CreatedTo != "":
		label = h.T(c, "insights.chip.received_between", day(f.CreatedFrom), day(f.CreatedTo))
	case f.CreatedFrom != "":
		label = h.T(c, "insights.chip.received_from", day(f.CreatedFrom))
	default:
		label = h.T(c, "insights.chip.received_to", day(f.CreatedTo))
	}
	rest := url.Values{}
	for k, vs := range q {
		if k != "created_from" && k != "created_to" && k != "page" {
			rest[k] = vs
		}
	}
	d.Chips = append(d.Chips, leadChip{Label: label, Remove: "/leads?" + rest.Encode()})
}
