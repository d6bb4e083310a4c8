package handlers

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"leaddesk/views"
)

// setLanguage switches the interface language: stored on the account when signed in, in a cookie
// otherwise, then back to the page the switch was on.
func (h *Handler) setLanguage(c echo.Context) error {
	lang := c.FormValue("lang")
	if !views.ValidLanguage(lang) {
		return echo.NewHTTPError(http.StatusBadRequest, h.T(c, "error.bad_language"))
	}
	if u := h.user(c); u != nil {
		if err := h.DB.SetUserLang(c.Request().Context(), u.ID, lang); err != nil {
			return err
		}
	}
	c.SetCookie(&http.Cookie{Name: langCookie, Value: lang, Path: "/", HttpOnly: true, Secure: h.Cfg.Secure(),
		SameSite: http.SameSiteLaxMode, Expires: h.Clock.Now().Add(365 * 24 * time.Hour)})
	return h.redirect(c, safeNext(c.FormValue("next"), "/"))
}
