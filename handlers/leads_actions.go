package handlers

import (
	"bufio"
	"encoding/csv"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"leaddesk/lead"
	"leaddesk/leadfilter"
	"leaddesk/leads"
	"leaddesk/money"
	"leaddesk/views"
)

// heartData is the answer to a heart click: the new heart and the Favorites tab's new count.
type heartData struct {
	ID        int64
	On        bool
	Favorites int
}

// leadFavorite toggles this user's heart on a lead (form field on=1/0 sets it; without it, it flips).
func (h *Handler) leadFavorite(c echo.Context) error {
	ctx := c.Request().Context()
	u := h.user(c)
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return echo.NewHTTPError(http.StatusNotFound, h.T(c, "error.not_found"))
	}
	by := u.LeadActor()
	on := c.FormValue("on") == "1"
	if c.FormValue("on") == "" {
		on, err = h.Leads.ToggleFavorite(ctx, by, id)
	} else {
		err = h.Leads.SetFavorite(ctx, by, id, on)
	}
	if err != nil {
		if errors.Is(err, leads.ErrNotFound) {
			return echo.NewHTTPError(http.StatusNotFound, h.T(c, "error.not_found"))
		}
		return err
	}
	if c.Request().Header.Get(views.HXRequest) != "true" {
		return h.redirect(c, safeNext(c.FormValue("next"), "/leads"))
	}
	favs, err := h.DB.FavoriteCount(ctx, u.ID)
	if err != nil {
		return err
	}
	p := h.page(c, "", "leads", heartData{ID: id, On: on, Favorites: favs})
	c.Response().Header().Set("Content-Type", "text/html; charset=utf-8")
	c.Response().WriteHeader(http.StatusOK)
	return h.Views.RenderBlock(c.Response(), "leads/index", "heart-answer", p)
}

// leadsBulkFavorite hearts every lead in the repeated ids field.
func (h *Handler) leadsBulkFavorite(c echo.Context) error {
	ctx := c.Request().Context()
	u := h.user(c)
	form, err := c.FormParams()
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, h.T(c, "error.bad_request"))
	}
	n := 0
	for _, s := range form["ids"] {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			continue
		}
		if err := h.Leads.SetFavorite(ctx, u.LeadActor(), id, true); err != nil && !errors.Is(err, leads.ErrNotFound) {
			return err
		}
		n++
	}
	if n == 0 {
		h.setFlash(c, "warning", "ws.bulk.none")
	} else {
		h.setFlash(c, "success", "ws.bulk.favorited")
	}
	next := safeNext(c.FormValue("next"), "/leads")
	return h.backToList(c, next)
}

// exportColumns are the CSV columns of docs/design.md §3.5.
var exportColumns = []string{"LeadId", "LeadCreationDateTime", "CustomerCompany", "ContactName", "ContactEmail", "EmailValidity",
	"ContactPhone", "PhoneValidity", "Country", "Source", "LeadType", "CallToAction", "Classification", "OfferId", "OfferTitle",
	"Quality", "Status", "Outcome", "Reason", "DealName", "DealValue", "Currency", "PurchaseDate", "CRMId", "CampaignId", "Notes", "Location", "Owner", "Activities", "LastActivity"}

// leadsExport streams the view as CSV: exactly the tab, filters and sort of the list, RFC 4180
// (CRLF), flushed as it goes so memory stays flat. Two flavours (docs/design.md §3.5): for spreadsheets (the
// default) UTF-8 with a BOM for Excel and formula-like cells neutralized; for CRM import (format=crm)
// the values as stored, without the BOM or the apostrophe a CRM would keep in a phone number.
func (h *Handler) leadsExport(c echo.Context) error {
	q := c.Request().URL.Query()
	f := leadfilter.ParseView(q)
	f.Me, f.Loc = h.user(c).ID, h.Cfg.Location
	var crm bool
	switch q.Get("format") {
	case "", "spreadsheet":
	case "crm":
		crm = true
	default:
		return echo.NewHTTPError(http.StatusUnprocessableEntity, h.T(c, "ws.export.bad_format"))
	}
	// The Location column names the location the lead was routed to; our CSV import reads it back.
	locs, err := h.DB.ListLocations(c.Request().Context())
	if err != nil {
		return err
	}
	// The Owner column is the owner's email address (unique, and what a CRM matches users by).
	owners, err := h.DB.Owners(c.Request().Context())
	if err != nil {
		return err
	}
	ownerEmail := make(map[int64]string, len(owners))
	for _, o := range owners {
		ownerEmail[o.ID] = o.Email
	}
	locName := make(map[int64]string, len(locs))
	for _, loc := range locs {
		locName[loc.ID] = loc.Name
	}
	res := c.Response()
	name := "leads-" + h.Clock.Now().In(h.Cfg.Location).Format("2006-01-02")
	if crm {
		name += "-crm"
	}
	name += ".csv"
	res.Header().Set("Content-Type", "text/csv; charset=utf-8")
	res.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	res.Header().Set("Cache-Control", "no-store")
	res.WriteHeader(http.StatusOK)
	bw := bufio.NewWriterSize(res, 64<<10)
	if !crm {
		bw.WriteString("\ufeff")
	}
	w := csv.NewWriter(bw)
	w.UseCRLF = true
	if err := w.Write(exportColumns); err != nil {
		return err
	}
	rec := make([]string, len(exportColumns))
	n := 0
	err = h.DB.ExportLeads(c.Request().Context(), f, h.user(c).ID, func(l *lead.Lead) error {
		exportRecord(rec, l, crm)
		tail := rec[len(rec)-4:]
		tail[0], tail[1], tail[2], tail[3] = locName[l.LocationID], ownerEmail[l.OwnerID], strconv.Itoa(l.Activities), ""
		if l.LastActivityAt != nil {
			tail[3] = l.LastActivityAt.UTC().Format(time.RFC3339)
		}
		if !crm {
			tail[0], tail[1] = csvSafe(tail[0]), csvSafe(tail[1])
		}
		if err := w.Write(rec); err != nil {
			return err
		}
		if n++; n%2000 == 0 {
			w.Flush()
			if err := bw.Flush(); err != nil {
				return err
			}
			res.Flush()
		}
		return nil
	})
	w.Flush()
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	if err != nil {
		// The status is sent; all that can be done is to stop and log.
		h.Log.Warn("export stopped", "err", err, "rows", n)
	}
	return nil
}

// exportRecord fills rec with a lead's cells, formula-guarded unless raw (the CRM flavour). Expired
// leads never carry contact details.
func exportRecord(rec []string, l *lead.Lead, raw bool) {
	contact, email, phone := l.ContactName(), l.ContactEmail, l.ContactPhone
	if l.ContactHidden() {
		contact, email, phone = "", "", ""
	}
	value := ""
	if l.DealValue != 0 || l.Currency != "" {
		value = money.Amount{Minor: l.DealValue, Currency: l.Currency}.Plain()
	}
	vals := []string{strconv.FormatInt(l.ID, 10), l.CreatedAt.UTC().Format(time.RFC3339), l.CustomerCompany, contact, email,
		l.EmailValidity, phone, l.PhoneValidity, l.Country, l.Source, l.LeadType, l.CTA, l.Classification, l.OfferID, l.OfferTitle,
		l.Quality, l.Status, l.Outcome, l.Reason, l.DealName, value, l.Currency, l.PurchaseDate, l.CRMID, l.CampaignID, l.Notes}
	for i, v := range vals {
		if raw {
			rec[i] = v
		} else {
			rec[i] = csvSafe(v)
		}
	}
}

// csvSafe neutralizes a cell a spreadsheet would run as a formula (CSV injection): a leading
// = + - @, tab or carriage return gets a leading apostrophe.
func csvSafe(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
