package handlers

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"leaddesk/db"
	"leaddesk/views"
)

// actionCenterLimit is how many items the panel and the page show.
const actionCenterLimit = 50

// actionCenterData is the Action Center's list, and the unread count for the bell.
type actionCenterData struct {
	Items []db.ActionItem
	Count int
	OOB   bool           // also send the bell's count out of band (after the panel opens or an item is dismissed)
	PC    *pcActionItems // Partner Center: a grant to reconnect, marketplace leads to mark there
}

// actionCenter shows the recommended actions: as the bell's panel for htmx, as a page without
// JavaScript. Opening it marks the items shown as read.
func (h *Handler) actionCenter(c echo.Context) error {
	ctx := c.Request().Context()
	u := h.user(c)
	items, err := h.DB.ActionItems(ctx, u.ID, h.Clock.Now(), actionCenterLimit)
	if err != nil {
		return err
	}
	ids := make([]int64, 0, len(items))
	for _, it := range items {
		ids = append(ids, it.ID)
	}
	if err := h.DB.MarkActionItemsRead(ctx, u.ID, ids, h.Clock.Now()); err != nil {
		return err
	}
	n, err := h.DB.UnreadActionItems(ctx, u.ID, h.Clock.Now())
	if err != nil {
		return err
	}
	pc, err := h.pcActionItems(c)
	if err != nil {
		return err
	}
	p := h.page(c, h.T(c, "notify.ac.title"), "", &actionCenterData{Items: items, Count: n, OOB: true, PC: pc})
	p.Fragment = "panel"
	return h.render(c, http.StatusOK, "action_center", p)
}

// actionCenterCount answers the bell's polling with its badge.
func (h *Handler) actionCenterCount(c echo.Context) error {
	n, err := h.DB.UnreadActionItems(c.Request().Context(), h.user(c).ID, h.Clock.Now())
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return h.notifyBlock(c, "notify_bell_count", &actionCenterData{Count: n})
}

// dismissActionItem hides one item for this user: for htmx the item disappears and the badge is
// refreshed; without JavaScript the page reloads.
func (h *Handler) dismissActionItem(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return echo.NewHTTPError(http.StatusNotFound, h.T(c, "notify.ac.not_found"))
	}
	u := h.user(c)
	err = h.DB.DismissActionItem(c.Request().Context(), u.ID, id, h.Clock.Now())
	if errors.Is(err, db.ErrNotFound) {
		return echo.NewHTTPError(http.StatusNotFound, h.T(c, "notify.ac.not_found"))
	}
	if err != nil {
		return err
	}
	if c.Request().Header.Get("HX-Request") != "true" {
		h.setFlash(c, "success", "notify.ac.dismissed")
		return h.redirect(c, "/action-center")
	}
	n, err := h.DB.UnreadActionItems(c.Request().Context(), u.ID, h.Clock.Now())
	if err != nil {
		return err
	}
	return h.notifyBlock(c, "notify_bell_count", &actionCenterData{Count: n, OOB: true})
}

// notifyBlock writes one block of the Action Center page with data, whatever the request. It builds
// the page data itself: h.page would take the flash meant for the next page.
func (h *Handler) notifyBlock(c echo.Context, block string, data *actionCenterData) error {
	csrf, _ := c.Get(ctxCSRF).(string)
	p := &views.Page{User: h.user(c), CSRF: csrf, Lang: h.lang(c), Data: data}
	var buf bytes.Buffer
	if err := h.Views.RenderBlock(&buf, "action_center", block, p); err != nil {
		return err
	}
	return c.HTMLBlob(http.StatusOK, buf.Bytes())
}
