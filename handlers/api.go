package handlers

import (
	"encoding/base64"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"leaddesk/contact"
	"leaddesk/db"
	"leaddesk/intake"
	"leaddesk/leadfilter"
)

// apiCreateLead is POST /api/v1/leads: qualified leads from Microsoft (qualification
// MarketingQualified/SalesQualified, with the sender's name and email) and historical leads with their
// original createdDateTime. 201/200 like the marketplace endpoint; 400 naming each bad field.
func (h *Handler) apiCreateLead(c echo.Context) error {
	body, err := h.readIntakeBody(c)
	if err != nil {
		return err
	}
	l, errs := intake.ParseAPILead(body, h.Clock.Now())
	if len(errs) > 0 {
		return h.intakeBadRequest(c, errs)
	}
	return h.storeIncoming(c, l, 0, "api:"+h.apiToken(c).Name)
}

// apiListLeads is GET /api/v1/leads: the workspace's filters (docs/design.md §3.2, repeated or comma-separated
// parameters OR-ed), with the same rules as the Leads list (leadfilter: a filter narrows only the
// leads it applies to; test leads only with test=1), newest first, `limit` per page (default 50, at
// most 500) and an opaque `cursor` from nextCursor.
func (h *Handler) apiListLeads(c echo.Context) error {
	if isFeedRequest(c) {
		return h.apiChanges(c) // api_changes.go
	}
	q := c.QueryParams()
	f, problems := leadfilter.ParseStrict(q, contact.CountryCode)
	f.Loc = h.Cfg.Location // created_from and created_to are days in the configured time zone
	var errs intake.Errors
	for _, p := range problems {
		errs = append(errs, intake.FieldError{Field: p.Field, Message: p.Message})
	}
	if slices.Contains(f.Owner, leadfilter.OwnerMe) {
		errs = append(errs, intake.FieldError{Field: "owner", Message: "me stands for a signed-in person; give a user id or none"})
	}
	limit := 50
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			errs = append(errs, intake.FieldError{Field: "limit", Message: "must be a number from 1 to 500"})
		}
		limit = n
	}
	var cursor db.LeadCursor
	if cur := q.Get("cursor"); cur != "" {
		var ok bool
		if cursor.Created, cursor.ID, ok = apiDecodeCursor(cur); !ok {
			errs = append(errs, intake.FieldError{Field: "cursor", Message: "is not a cursor from nextCursor"})
		}
	}
	if len(errs) > 0 {
		return h.intakeBadRequest(c, errs)
	}
	leads, more, err := h.DB.LeadsAfter(c.Request().Context(), f, cursor, limit)
	if err != nil {
		return err
	}
	out := struct {
		Value      []apiLead `json:"value"`
		NextCursor string    `json:"nextCursor,omitempty"`
	}{Value: make([]apiLead, 0, len(leads))}
	for _, l := range leads {
		out.Value = append(out.Value, toAPILead(l))
	}
	if err := h.withActivities(c.Request().Context(), out.Value); err != nil {
		return err
	}
	if more {
		last := leads[len(leads)-1]
		out.NextCursor = apiEncodeCursor(last.CreatedAt.Unix(), last.ID)
	}
	return c.JSON(http.StatusOK, out)
}

// apiGetLead is GET /api/v1/leads/:id.
func (h *Handler) apiGetLead(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return echo.NewHTTPError(http.StatusNotFound, h.T(c, "error.not_found"))
	}
	l, err := h.DB.LeadByID(c.Request().Context(), id)
	if err != nil {
		return err
	}
	one := []apiLead{toAPILead(l)}
	if err := h.withActivities(c.Request().Context(), one); err != nil {
		return err
	}
	c.Response().Header().Set("ETag", etag(l))
	return c.JSON(http.StatusOK, one[0])
}

// encodeCursor makes the opaque paging cursor over (created_at, id).
func apiEncodeCursor(created, id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(created, 10) + "." + strconv.FormatInt(id, 10)))
}

func apiDecodeCursor(s string) (int64, int64, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return 0, 0, false
	}
	a, b2, ok := strings.Cut(string(b), ".")
	created, err1 := strconv.ParseInt(a, 10, 64)
	id, err2 := strconv.ParseInt(b2, 10, 64)
	if !ok || err1 != nil || err2 != nil || id <= 0 {
		return 0, 0, false
	}
	return created, id, true
}
