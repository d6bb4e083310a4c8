package handlers

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"leaddesk/db"
	"leaddesk/leads"
)

// Admin › Privacy (issue 19): erasure on request — find a person by email address or phone number,
// preview what will be erased, erase with a reason — and the record of past erasures and retention
// runs. The address travels in POST bodies only, never in a URL that logs would keep.

// privacyData is the Privacy page.
type privacyData struct {
	Email, Phone, Reason string
	Found                *db.PersonData // the preview, once searched
	Runs                 []db.PrivacyRun
	Errors               map[string]string
}

func (h *Handler) renderPrivacy(c echo.Context, status int, d privacyData) error {
	runs, err := h.DB.PrivacyRuns(c.Request().Context(), 20)
	if err != nil {
		return err
	}
	d.Runs = runs
	return h.render(c, status, "admin/privacy", h.page(c, h.T(c, "privacy.title"), "admin", d))
}

// adminPrivacy shows the page.
func (h *Handler) adminPrivacy(c echo.Context) error {
	return h.renderPrivacy(c, http.StatusOK, privacyData{})
}

// privacyFieldError turns the service's ErrInvalid into the form field it names and a message.
func (h *Handler) privacyFieldError(c echo.Context, err error) map[string]string {
	msg := err.Error()
	switch {
	case strings.Contains(msg, ": reason: "):
		return map[string]string{"reason": h.T(c, "privacy.err.reason")}
	case strings.Contains(msg, ": phone: "):
		return map[string]string{"phone": h.T(c, "privacy.err.phone")}
	}
	return map[string]string{"email": h.T(c, "privacy.err.email")}
}

// adminPrivacyPreview finds everything held about the person and shows it with the erase form.
func (h *Handler) adminPrivacyPreview(c echo.Context) error {
	d := privacyData{Email: strings.TrimSpace(c.FormValue("email")), Phone: strings.TrimSpace(c.FormValue("phone"))}
	found, err := h.Leads.FindPerson(c.Request().Context(), d.Email, d.Phone)
	if errors.Is(err, leads.ErrInvalid) {
		d.Errors = h.privacyFieldError(c, err)
		return h.renderPrivacy(c, http.StatusUnprocessableEntity, d)
	}
	if err != nil {
		return err
	}
	d.Found = &found
	return h.renderPrivacy(c, http.StatusOK, d)
}

// adminPrivacyErase erases the person through the leads service and returns to the page, whose list
// of runs shows the counts.
func (h *Handler) adminPrivacyErase(c echo.Context) error {
	req := leads.ErasureRequest{Email: c.FormValue("email"), Phone: c.FormValue("phone"), Reason: c.FormValue("reason")}
	ctx := c.Request().Context()
	_, err := h.Leads.Erase(ctx, h.user(c).LeadActor(), req)
	if errors.Is(err, leads.ErrInvalid) {
		d := privacyData{Email: strings.TrimSpace(req.Email), Phone: strings.TrimSpace(req.Phone), Reason: req.Reason, Errors: h.privacyFieldError(c, err)}
		if found, ferr := h.Leads.FindPerson(ctx, req.Email, req.Phone); ferr == nil {
			d.Found = &found
		}
		return h.renderPrivacy(c, http.StatusUnprocessableEntity, d)
	}
	if errors.Is(err, leads.ErrRole) {
		return echo.NewHTTPError(http.StatusForbidden, h.T(c, "error.forbidden"))
	}
	if err != nil {
		return err
	}
	h.setFlash(c, "success", "privacy.erased")
	return h.redirect(c, "/admin/privacy")
}
