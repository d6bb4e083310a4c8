package handlers

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"leaddesk/lead"
	"leaddesk/leadfilter"
	"leaddesk/leads"
)

// maxFavoriteMatching bounds one "add all matching to favorites": a favourites list of more leads
// than this is no longer a short list anyone works through.
const maxFavoriteMatching = 5000

// leadsFavoriteMatching hearts every lead of a list view (issue 15's bulk bar: "add all N matching to
// favorites"), not only the page on screen. The form's view field is the list's canonical query.
func (h *Handler) leadsFavoriteMatching(c echo.Context) error {
	ctx := c.Request().Context()
	u := h.user(c)
	q, err := url.ParseQuery(c.FormValue("view"))
	if err != nil || c.FormValue("view") == "" {
		return echo.NewHTTPError(http.StatusUnprocessableEntity, h.T(c, "mobile.bulk.bad_view"))
	}
	f := leadfilter.ParseView(q)
	f.Me = u.ID
	var ids []int64
	// The ids are read first, and the favourites written after, so no read is open during the writes.
	err = h.DB.ExportLeads(ctx, f, u.ID, func(l *lead.Lead) error {
		if len(ids) >= maxFavoriteMatching {
			return errStopWalk
		}
		ids = append(ids, l.ID)
		return nil
	})
	if err != nil && !errors.Is(err, errStopWalk) {
		return err
	}
	for _, id := range ids {
		if err := h.Leads.SetFavorite(ctx, u.LeadActor(), id, true); err != nil && !errors.Is(err, leads.ErrNotFound) {
			return err
		}
	}
	if len(ids) == 0 {
		h.setFlash(c, "warning", "ws.bulk.none")
	} else {
		h.setFlash(c, "success", "mobile.bulk.favorited_all")
	}
	next := safeNext(c.FormValue("next"), "/leads")
	return h.backToList(c, next)
}

// errStopWalk ends a walk over a view's leads early.
var errStopWalk = errors.New("stop walk")
