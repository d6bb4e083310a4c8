package handlers

import (
	"database/sql"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"leaddesk/contact"
	"leaddesk/db"
	"leaddesk/views"
)

// notifyPrefsForm is the preferences page's data: the values shown and the field messages.
type notifyPrefsForm struct {
	Email   string
	Enabled bool
	Mode    string
	Lang    string
	Modes   []string
	Langs   []string
	Errors  map[string]string
}

// notificationPrefs shows the signed-in user's own notification settings.
func (h *Handler) notificationPrefs(c echo.Context) error {
	p, err := h.DB.NotificationPrefs(c.Request().Context(), h.user(c).ID)
	if err != nil {
		return err
	}
	f := &notifyPrefsForm{Email: p.Email, Enabled: p.Enabled, Mode: p.Mode, Lang: p.Lang}
	return h.renderPrefs(c, http.StatusOK, f)
}

func (h *Handler) renderPrefs(c echo.Context, status int, f *notifyPrefsForm) error {
	f.Modes, f.Langs = db.NotifyModes, views.Languages
	return h.render(c, status, "settings/notifications", h.page(c, h.T(c, "notify.prefs.title"), "settings", f))
}

// saveNotificationPrefs validates and stores the settings; bad input re-renders the form with 422.
func (h *Handler) saveNotificationPrefs(c echo.Context) error {
	u := h.user(c)
	f := &notifyPrefsForm{Email: strings.TrimSpace(c.FormValue("email")), Enabled: c.FormValue("enabled") != "",
		Mode: c.FormValue("mode"), Lang: c.FormValue("lang"), Errors: map[string]string{}}
	if f.Email != "" && !contact.EmailSyntaxOK(f.Email) {
		f.Errors["email"] = h.T(c, "notify.prefs.bad_email")
	}
	if !slices.Contains(db.NotifyModes, f.Mode) {
		f.Errors["mode"] = h.T(c, "notify.prefs.bad_mode")
	}
	if f.Lang != "" && !views.ValidLanguage(f.Lang) {
		f.Errors["lang"] = h.T(c, "notify.prefs.bad_lang")
	}
	if len(f.Errors) > 0 {
		return h.renderPrefs(c, http.StatusUnprocessableEntity, f)
	}
	now := h.Clock.Now()
	err := h.DB.InTx(c.Request().Context(), func(tx *sql.Tx) error {
		p := &db.NotificationPrefs{UserID: u.ID, Email: f.Email, Enabled: f.Enabled, Mode: f.Mode, Lang: f.Lang}
		if err := db.SaveNotificationPrefsTx(c.Request().Context(), tx, p, now); err != nil {
			return err
		}
		return db.Audit(c.Request().Context(), tx, now, u.ID, "", "notify.prefs", u.Email, "{}")
	})
	if err != nil {
		return err
	}
	h.setFlash(c, "success", "notify.prefs.saved")
	return h.redirect(c, "/settings/notifications")
}
