package handlers

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"leaddesk/db"
	"leaddesk/internal/password"
)

// loginData is the sign-in form.
type loginData struct {
	Email     string
	Next      string
	Error     string
	Providers []ssoButton
}

func (h *Handler) renderLogin(c echo.Context, status int, d loginData) error {
	d.Providers = h.ssoButtons()
	p := h.page(c, h.T(c, "auth.signin_title"), "", d)
	p.Layout = "auth"
	return h.render(c, status, "login", p)
}

func (h *Handler) loginForm(c echo.Context) error {
	next := safeNext(c.QueryParam("next"), "/leads")
	if h.user(c) != nil {
		return c.Redirect(http.StatusSeeOther, next)
	}
	return h.renderLogin(c, http.StatusOK, loginData{Next: next})
}

// login checks an email and password. A wrong password and an unknown email give the same message
// and take the same time, so the form tells nothing about which accounts exist; every attempt is
// counted before the password is checked, per account (or known browser) and per client address
// (throttle.go).
func (h *Handler) login(c echo.Context) error {
	ctx := c.Request().Context()
	email := strings.TrimSpace(c.FormValue("email"))
	pw := c.FormValue("password")
	next := safeNext(c.FormValue("next"), "/leads")
	attempt := h.newSignInAttempt(c, email)
	wait, err := h.reserve(ctx, attempt)
	if err != nil {
		return err
	}
	if wait > 0 {
		minutes := int(math.Ceil(wait.Minutes()))
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		return h.renderLogin(c, http.StatusTooManyRequests, loginData{Email: email, Next: next, Error: h.T(c, "auth.throttled", minutes)})
	}
	u, err := h.DB.UserByEmail(ctx, email)
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		return err
	}
	hash := password.Dummy()
	if u != nil && u.PasswordHash != "" {
		hash = u.PasswordHash
	}
	ok := password.Verify(hash, pw) && u != nil && u.PasswordHash != "" && !u.Disabled
	if !ok {
		// The failure was counted when the attempt was reserved.
		return h.renderLogin(c, http.StatusUnauthorized, loginData{Email: email, Next: next, Error: h.T(c, "auth.bad_credentials")})
	}
	if err := h.succeeded(c, attempt, email); err != nil {
		return err
	}
	return h.signIn(c, u, next)
}

// signIn records the sign-in, starts the session and goes to next, for every way of signing in.
// flashKey, when given, is shown on the next page (set after the fresh session starts, which would
// otherwise drop it).
func (h *Handler) signIn(c echo.Context, u *db.User, next string, flashKey ...string) error {
	if err := h.DB.RecordSignIn(c.Request().Context(), u.ID, h.Clock.Now()); err != nil {
		return err
	}
	if err := h.startSession(c, u); err != nil {
		return err
	}
	for _, k := range flashKey {
		h.setFlash(c, "success", k)
	}
	return h.redirect(c, next)
}

// logout ends the session on the server, so the cookie stops working everywhere a copy of it is kept.
func (h *Handler) logout(c echo.Context) error {
	if err := h.endSession(c, h.session(c)); err != nil {
		return err
	}
	h.rotateCSRF(c)
	h.setFlash(c, "success", "auth.signed_out")
	return h.redirect(c, "/login")
}

// noRole is the page for a signed-in user who holds no role yet (docs/design.md §2).
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
