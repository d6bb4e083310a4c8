package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"leaddesk/contact"
	"leaddesk/db"
)

// spamData is the spam list page with its add form.
type spamData struct {
	Entries []db.SpamEntry
	Value   string
	Note    string
	Errors  map[string]string
}

func (h *Handler) renderSpam(c echo.Context, status int, d spamData) error {
	entries, err := h.DB.ListSpam(c.Request().Context())
	if err != nil {
		return err
	}
	d.Entries = entries
	return h.render(c, status, "admin/spam", h.page(c, h.T(c, "intake.spam.title"), "admin", d))
}

// adminSpam lists spam-listed domains and addresses.
func (h *Handler) adminSpam(c echo.Context) error { return h.renderSpam(c, http.StatusOK, spamData{}) }

// adminAddSpam adds a domain (example.com; subdomains included) or a single address. New leads from
// it are marked spam; leads already stored keep their validity.
func (h *Handler) adminAddSpam(c echo.Context) error {
	value := strings.ToLower(strings.TrimSpace(c.FormValue("value")))
	value = strings.TrimPrefix(strings.TrimPrefix(value, "*."), "@")
	note := strings.TrimSpace(c.FormValue("note"))
	d := spamData{Value: value, Note: note, Errors: map[string]string{}}
	e := &db.SpamEntry{Value: value, Note: note, Kind: "domain"}
	switch {
	case value == "":
		d.Errors["value"] = h.T(c, "intake.spam.value_required")
	case strings.Contains(value, "@"):
		e.Kind = "address"
		if !contact.EmailSyntaxOK(value) {
			d.Errors["value"] = h.T(c, "intake.spam.value_invalid")
		}
	case !contact.DomainOK(value):
		d.Errors["value"] = h.T(c, "intake.spam.value_invalid")
	}
	if len([]rune(note)) > 200 {
		d.Errors["note"] = h.T(c, "intake.spam.note_too_long")
	}
	if len(d.Errors) == 0 {
		err := h.DB.AddSpam(c.Request().Context(), e, h.user(c).ID, h.Clock.Now())
		if errors.Is(err, db.ErrConflict) {
			d.Errors["value"] = h.T(c, "intake.spam.value_exists")
		} else if err != nil {
			return err
		}
	}
	if len(d.Errors) > 0 {
		return h.renderSpam(c, http.StatusUnprocessableEntity, d)
	}
	h.setFlash(c, "success", "intake.spam.added")
	return h.redirect(c, "/admin/spam")
}

// adminDeleteSpam removes an entry.
func (h *Handler) adminDeleteSpam(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return echo.NewHTTPError(http.StatusNotFound, h.T(c, "error.not_found"))
	}
	if err := h.DB.DeleteSpam(c.Request().Context(), id, h.user(c).ID, h.Clock.Now()); err != nil {
		return err
	}
	h.setFlash(c, "success", "intake.spam.deleted")
	return h.redirect(c, "/admin/spam")
}
