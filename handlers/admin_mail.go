package handlers

import (
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"leaddesk/config"
	"leaddesk/db"
)

// adminMailPerPage is the admin mail list's page size.
const adminMailPerPage = 50

// adminMailData is the Account admin's view of the outbox.
type adminMailData struct {
	Rows     []*db.OutboxRow
	Total    int
	Counts   map[string]int
	All      int
	Statuses []string
	Status   string
	Q        string
	Page     int
	Pages    int
	Server   string // host:port of the SMTP server, never the credentials; "" = not configured
	Query    string // the current filter as a query string, for the pager and the resend's way back
}

// adminMail lists queued, sent and failed mail with a status filter, a recipient search and pages.
func (h *Handler) adminMail(c echo.Context) error {
	ctx := c.Request().Context()
	d := &adminMailData{Statuses: db.OutboxStatuses, Q: strings.TrimSpace(c.QueryParam("q"))}
	if s := c.QueryParam("status"); slices.Contains(db.OutboxStatuses, s) {
		d.Status = s
	}
	d.Page, _ = strconv.Atoi(c.QueryParam("page"))
	if d.Page < 1 {
		d.Page = 1
	}
	rows, total, err := h.DB.ListOutbox(ctx, db.OutboxFilter{Status: d.Status, Q: d.Q, Page: d.Page, PerPage: adminMailPerPage})
	if err != nil {
		return err
	}
	d.Rows, d.Total = rows, total
	d.Pages = max(1, (total+adminMailPerPage-1)/adminMailPerPage)
	if d.Counts, err = h.DB.OutboxCounts(ctx); err != nil {
		return err
	}
	for _, n := range d.Counts {
		d.All += n
	}
	if h.Cfg.SMTPURL != "" {
		if s, err := config.ParseSMTPURL(h.Cfg.SMTPURL); err == nil {
			d.Server = net.JoinHostPort(s.Host, s.Port)
		}
	}
	v := url.Values{}
	if d.Status != "" {
		v.Set("status", d.Status)
	}
	if d.Q != "" {
		v.Set("q", d.Q)
	}
	d.Query = v.Encode()
	return h.render(c, http.StatusOK, "admin/mail", h.page(c, h.T(c, "notify.admin.title"), "admin", d))
}

// resendMail queues a failed (or sent) message again; it keeps its id and so its Message-ID.
func (h *Handler) resendMail(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return echo.NewHTTPError(http.StatusNotFound, h.T(c, "notify.admin.not_found"))
	}
	u := h.user(c)
	now := h.Clock.Now()
	err = h.DB.InTx(c.Request().Context(), func(tx *sql.Tx) error {
		if err := db.ResendOutboxTx(c.Request().Context(), tx, id, now); err != nil {
			return err
		}
		return db.Audit(c.Request().Context(), tx, now, u.ID, "", "mail.resend", fmt.Sprintf("outbox:%d", id), "{}")
	})
	if errors.Is(err, db.ErrNotFound) {
		return echo.NewHTTPError(http.StatusNotFound, h.T(c, "notify.admin.not_found"))
	}
	if err != nil {
		return err
	}
	h.setFlash(c, "success", "notify.admin.resent")
	return h.redirect(c, safeNext(c.FormValue("next"), "/admin/mail"))
}
