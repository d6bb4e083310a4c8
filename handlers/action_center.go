package handlers

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"leaddesk/db"
	"leaddesk/lifecycle"
	"leaddesk/views"
)

// actionCenterPage is how many leads the panel and the page show at a time; "Load more" adds the
// next ones.
const actionCenterPage = 20

// actionRow is one lead of the Action Center with its time phrase ("5 h left", "3 days ago").
type actionRow struct {
	db.ActionRow
	When   string
	Urgent bool // expires within the day: the row is marked as danger
}

// actionCenterData is the Action Center's rows, and the unread count for the bell.
type actionCenterData struct {
	Rows []actionRow
	Next int // the offset "Load more" asks for; 0 = nothing more
	// Count is the unread leads the bell shows; OOB also sends it out of band (after the panel
	// opens, more rows load, an item is dismissed or everything is marked read).
	Count int
	OOB   bool
	PC    *pcActionItems // Partner Center: a grant to reconnect, marketplace leads to mark there
	// NextSteps are this user's next steps due today or earlier (issue 17).
	NextSteps []db.DueStep
	// Targets are this user's leads near or past their response target (issue 17).
	Targets []slaActionItem
}

// actionCenterRows reads one page of this user's Action Center from offset, marks it read, and
// counts what is still unread.
func (h *Handler) actionCenterRows(c echo.Context, offset int) (*actionCenterData, error) {
	ctx := c.Request().Context()
	u := h.user(c)
	now := h.Clock.Now()
	rows, more, err := h.DB.ActionRows(ctx, u.ID, now, offset, actionCenterPage)
	if err != nil {
		return nil, err
	}
	d := &actionCenterData{OOB: true}
	ids := make([]int64, 0, len(rows))
	for _, r := range rows {
		ids = append(ids, r.LeadID)
		d.Rows = append(d.Rows, h.actionRow(c, r, now))
	}
	if more {
		d.Next = offset + len(rows)
	}
	if err := h.DB.MarkActionLeadsRead(ctx, u.ID, ids, now); err != nil {
		return nil, err
	}
	if d.Count, err = h.DB.UnreadActionItems(ctx, u.ID, now); err != nil {
		return nil, err
	}
	return d, nil
}

// actionRow phrases a row's time: how long is left while the lead waits for an answer, how long ago
// it expired.
func (h *Handler) actionRow(c echo.Context, r db.ActionRow, now time.Time) actionRow {
	row := actionRow{ActionRow: r}
	if r.Reason != "expired" && r.ExpiresAt != nil && r.ExpiresAt.After(now) {
		// Said as the list and the details page say it (lifecycle.TimeLeft): whole days from 48 hours
		// on, else hours rounded up.
		left := r.ExpiresAt.Sub(now)
		unit, n := lifecycle.TimeLeft(left)
		row.When = h.T(c, map[string]string{"hours": "notify.ac.left.h", "days": "notify.ac.left.d"}[unit], n)
		row.Urgent = left < 24*time.Hour
		return row
	}
	ago := now.Sub(r.At)
	row.When = h.T(c, map[string]string{"m": "notify.ac.ago.m", "h": "notify.ac.ago.h", "d": "notify.ac.ago.d"}[relUnit(ago)], relCount(ago))
	return row
}

// relUnit is the unit a span since something is said in: minutes under an hour, hours under two days, else days.
func relUnit(d time.Duration) string {
	switch {
	case d < time.Hour:
		return "m"
	case d < 48*time.Hour:
		return "h"
	}
	return "d"
}

// relCount is the span in relUnit's unit, rounded to the nearest, at least 1.
func relCount(d time.Duration) int {
	unit := map[string]time.Duration{"m": time.Minute, "h": time.Hour, "d": 24 * time.Hour}[relUnit(d)]
	return max(int((d+unit/2)/unit), 1)
}

// actionCenter shows the recommended actions, one row per lead by urgency: as the bell's panel for
// htmx, as a page without JavaScript (?offset= pages on). Opening it marks the rows shown as read.
func (h *Handler) actionCenter(c echo.Context) error {
	offset, _ := strconv.Atoi(c.QueryParam("offset"))
	d, err := h.actionCenterRows(c, max(offset, 0))
	if err != nil {
		return err
	}
	if d.PC, err = h.pcActionItems(c); err != nil {
		return err
	}
	today := h.Clock.Now().In(h.Cfg.Location).Format(leadDateInput)
	if d.NextSteps, err = h.DB.DueNextSteps(c.Request().Context(), h.user(c).ID, today); err != nil {
		return err
	}
	if d.Targets, err = h.slaActionItems(c, h.user(c).ID, h.Clock.Now()); err != nil {
		return err
	}
	p := h.page(c, h.T(c, "notify.ac.title"), "", d)
	p.Fragment = "panel"
	return h.render(c, http.StatusOK, "action_center", p)
}

// actionCenterMore answers "Load more" in the panel: the next rows, the next "Load more", and the
// badge out of band. It pages by offset: a lead that arrives, is answered or is dismissed after the
// panel opened shifts the rows after it, so a row may be skipped or repeated until the panel is opened
// again.
func (h *Handler) actionCenterMore(c echo.Context) error {
	offset, err := strconv.Atoi(c.QueryParam("offset"))
	if err != nil || offset < 0 {
		return echo.NewHTTPError(http.StatusBadRequest, h.T(c, "notify.ac.bad_offset"))
	}
	d, err := h.actionCenterRows(c, offset)
	if err != nil {
		return err
	}
	return h.notifyBlock(c, "notify_ac_more", d)
}

// actionCenterReadAll marks every open item read for this user: for htmx the list is shown again
// (all read) with the badge at its new count; without JavaScript the page reloads.
func (h *Handler) actionCenterReadAll(c echo.Context) error {
	u := h.user(c)
	if err := h.DB.MarkAllActionItemsRead(c.Request().Context(), u.ID, h.Clock.Now()); err != nil {
		return err
	}
	if c.Request().Header.Get("HX-Request") != "true" {
		h.setFlash(c, "success", "notify.ac.all_read")
		return h.redirect(c, "/action-center")
	}
	d, err := h.actionCenterRows(c, 0)
	if err != nil {
		return err
	}
	return h.notifyBlock(c, "notify_ac_refresh", d)
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

// dismissActionItem hides one lead's row for this user (the route's id is the lead's): for htmx the
// row disappears and the badge is refreshed; without JavaScript the page reloads.
func (h *Handler) dismissActionItem(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return echo.NewHTTPError(http.StatusNotFound, h.T(c, "notify.ac.not_found"))
	}
	u := h.user(c)
	err = h.DB.DismissActionLead(c.Request().Context(), u.ID, id, h.Clock.Now())
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
