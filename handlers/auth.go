package handlers

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"leaddesk/db"
	"leaddesk/internal/password"
)

// loginData is the sign-in form.
type loginData struct {
	Email string
	Next  string
	Error string
}

func (h *Handler) loginForm(c echo.Context) error {
	next := safeNext(c.QueryParam("next"), "/leads")
	if h.user(c) != nil {
		return c.Redirect(http.StatusSeeOther, next)
	}
	p := h.page(c, h.T(c, "auth.signin_title"), "", loginData{Next: next})
	p.Layout = "auth"
	return h.render(c, http.StatusOK, "login", p)
}

// login checks an email and password. A wrong password and an unknown email give the same message
// and take the same time, so the form tells nothing about which accounts exist.
func (h *Handler) login(c echo.Context) error {
	email := strings.TrimSpace(c.FormValue("email"))
	pw := c.FormValue("password")
	next := safeNext(c.FormValue("next"), "/leads")
	u, err := h.DB.UserByEmail(c.Request().Context(), email)
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		return err
	}
	hash := password.Dummy()
	if u != nil {
		hash = u.PasswordHash
	}
	ok := password.Verify(hash, pw) && u != nil && !u.Disabled
	if !ok {
		p := h.page(c, h.T(c, "auth.signin_title"), "", loginData{Email: email, Next: next, Error: h.T(c, "auth.bad_credentials")})
		p.Layout = "auth"
		return h.render(c, http.StatusUnauthorized, "login", p)
	}
	if err := h.DB.RecordSignIn(c.Request().Context(), u.ID, h.Clock.Now()); err != nil {
		return err
	}
	if err := h.startSession(c, u); err != nil {
		return err
	}
	return h.redirect(c, next)
}

func (h *Handler) logout(c echo.Context) error {
	h.endSession(c, h.session(c))
	h.rotateCSRF(c)
	h.setFlash(c, "success", "auth.signed_out")
	return h.redirect(c, "/login")
}

// noRole is the page for a signed-in user who holds no role yet (DESIGN §2).
func (h *Handler) noRole(c echo.Context) error {
	return h.render(c, http.StatusOK, "no_role", h.page(c, h.T(c, "auth.no_role_title"), "", nil))
}

// home sends people to their workspace.
func (h *Handler) home(c echo.Context) error {
	u := h.user(c)
	switch {
	case u == nil:
		return c.Redirect(http.StatusSeeOther, "/login")
	case len(u.Roles) == 0:
		return c.Redirect(http.StatusSeeOther, "/no-role")
	}
	return c.Redirect(http.StatusSeeOther, "/leads")
}
