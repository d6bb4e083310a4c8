package handlers

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"leaddesk/contact"
	"leaddesk/db"
	"leaddesk/internal/password"
)

// One-time links: the first-run setup link printed by `leaddesk serve`, invitations and password
// resets. Each page asks for what is missing, and the link works once, until it expires.

const (
	setupLinkTTL  = 24 * time.Hour
	inviteLinkTTL = 7 * 24 * time.Hour
	resetLinkTTL  = 24 * time.Hour
)

// FirstRunLink returns a new one-time setup link when no user exists yet, else "". Older setup links
// stop working, so only the link printed last is good.
func FirstRunLink(ctx context.Context, d *db.DB, baseURL string, now time.Time) (string, error) {
	var secret string
	err := d.InTx(ctx, func(tx *sql.Tx) error {
		n, err := db.CountUsersTx(ctx, tx)
		if err != nil || n > 0 {
			return err
		}
		if err := db.RetireSetupTokensTx(ctx, tx, now); err != nil {
			return err
		}
		secret, err = db.CreateAuthTokenTx(ctx, tx, &db.AuthToken{Kind: db.TokenSetup, CreatedAt: now, ExpiresAt: now.Add(setupLinkTTL)})
		return err
	})
	if err != nil || secret == "" {
		return "", err
	}
	return baseURL + "/setup/" + secret, nil
}

// accountForm is the form of a one-time link page.
type accountForm struct {
	Token  string
	Email  string
	Name   string
	Roles  []string
	Errors map[string]string
}

func (h *Handler) renderAccountForm(c echo.Context, status int, page, titleKey string, f accountForm) error {
	p := h.page(c, h.T(c, titleKey), "", f)
	p.Layout = "auth"
	return h.render(c, status, page, p)
}

// linkGone is the answer for an unknown, expired or used link: the same for all three.
func (h *Handler) linkGone(c echo.Context) error {
	return echo.NewHTTPError(http.StatusGone, h.T(c, "auth.link_invalid"))
}

// validName, validEmail and validNewPassword add field messages to errs.
func (h *Handler) validName(c echo.Context, name string, errs map[string]string) {
	if name == "" {
		errs["name"] = h.T(c, "auth.name_required")
	} else if utf8.RuneCountInString(name) > 100 {
		errs["name"] = h.T(c, "auth.name_too_long")
	}
}

func (h *Handler) validEmail(c echo.Context, email string, errs map[string]string) {
	if !contact.EmailSyntaxOK(email) {
		errs["email"] = h.T(c, "auth.email_invalid")
	}
}

// userInputs are the account's email and name, which a password must not be made of.
func (h *Handler) validNewPassword(c echo.Context, pw string, errs map[string]string, userInputs ...string) {
	switch password.Check(pw, userInputs...) {
	case password.ErrTooShort:
		errs["password"] = h.T(c, "auth.password_too_short", password.MinLength)
	case password.ErrTooLong:
		errs["password"] = h.T(c, "auth.password_too_long", password.MaxBytes)
	case password.ErrTooGuessable:
		errs["password"] = h.T(c, "auth.password_too_guessable")
	}
}

func (h *Handler) setupForm(c echo.Context) error {
	ctx := c.Request().Context()
	if _, err := h.DB.ValidAuthToken(ctx, db.TokenSetup, c.Param("token"), h.Clock.Now()); err != nil {
		return h.linkGone(c)
	}
	if n, err := h.DB.CountUsers(ctx); err != nil {
		return err
	} else if n > 0 {
		return h.linkGone(c) // set up already (for example with `leaddesk user add`)
	}
	return h.renderAccountForm(c, http.StatusOK, "setup", "auth.setup_title", accountForm{Token: c.Param("token")})
}

// setupSubmit creates the first Account admin and signs them in.
func (h *Handler) setupSubmit(c echo.Context) error {
	ctx := c.Request().Context()
	now := h.Clock.Now()
	t, err := h.DB.ValidAuthToken(ctx, db.TokenSetup, c.Param("token"), now)
	if err != nil {
		return h.linkGone(c)
	}
	f := accountForm{Token: c.Param("token"), Name: strings.TrimSpace(c.FormValue("name")),
		Email: strings.TrimSpace(c.FormValue("email")), Errors: map[string]string{}}
	pw := c.FormValue("password")
	h.validName(c, f.Name, f.Errors)
	h.validEmail(c, f.Email, f.Errors)
	h.validNewPassword(c, pw, f.Errors, f.Email, f.Name)
	if len(f.Errors) > 0 {
		return h.renderAccountForm(c, http.StatusUnprocessableEntity, "setup", "auth.setup_title", f)
	}
	hash, err := password.Hash(pw)
	if err != nil {
		return err
	}
	u := &db.User{Email: f.Email, Name: f.Name, PasswordHash: hash, Roles: []string{db.RoleAccount}, CreatedAt: now}
	err = h.DB.InTx(ctx, func(tx *sql.Tx) error {
		n, err := db.CountUsersTx(ctx, tx)
		if err != nil {
			return err
		}
		if n > 0 {
			return db.ErrNotFound // someone finished setup meanwhile: the link is spent
		}
		if err := db.UseAuthTokenTx(ctx, tx, t.ID, now); err != nil {
			return err
		}
		if err := db.CreateUserTx(ctx, tx, u); err != nil {
			return err
		}
		return db.Audit(ctx, tx, now, u.ID, "setup", "user.create", u.Email, auditJSON(map[string]any{"roles": [2][]string{nil, u.Roles}, "via": "setup"}))
	})
	if errors.Is(err, db.ErrNotFound) {
		return h.linkGone(c)
	}
	if err != nil {
		return err
	}
	return h.signIn(c, u, "/admin/users", "auth.setup_done")
}

func (h *Handler) inviteForm(c echo.Context) error {
	t, err := h.DB.ValidAuthToken(c.Request().Context(), db.TokenInvite, c.Param("token"), h.Clock.Now())
	if err != nil {
		return h.linkGone(c)
	}
	return h.renderAccountForm(c, http.StatusOK, "invite", "auth.invite_title", accountForm{Token: c.Param("token"), Email: t.Email, Roles: t.Roles})
}

// inviteSubmit creates the invited user with the invitation's roles and signs them in.
func (h *Handler) inviteSubmit(c echo.Context) error {
	ctx := c.Request().Context()
	now := h.Clock.Now()
	t, err := h.DB.ValidAuthToken(ctx, db.TokenInvite, c.Param("token"), now)
	if err != nil {
		return h.linkGone(c)
	}
	f := accountForm{Token: c.Param("token"), Email: t.Email, Roles: t.Roles, Name: strings.TrimSpace(c.FormValue("name")), Errors: map[string]string{}}
	pw := c.FormValue("password")
	h.validName(c, f.Name, f.Errors)
	h.validNewPassword(c, pw, f.Errors, f.Email, f.Name)
	if len(f.Errors) > 0 {
		return h.renderAccountForm(c, http.StatusUnprocessableEntity, "invite", "auth.invite_title", f)
	}
	hash, err := password.Hash(pw)
	if err != nil {
		return err
	}
	u := &db.User{Email: t.Email, Name: f.Name, PasswordHash: hash, Roles: t.Roles, CreatedAt: now}
	err = h.DB.InTx(ctx, func(tx *sql.Tx) error {
		if err := db.UseAuthTokenTx(ctx, tx, t.ID, now); err != nil {
			return err
		}
		if err := db.CreateUserTx(ctx, tx, u); err != nil {
			return err
		}
		return db.Audit(ctx, tx, now, u.ID, "", "user.create", u.Email, auditJSON(map[string]any{"roles": [2][]string{nil, u.Roles}, "via": "invite"}))
	})
	switch {
	case errors.Is(err, db.ErrNotFound):
		return h.linkGone(c)
	case errors.Is(err, db.ErrConflict):
		// The invited address signed up another way meanwhile (single sign-on): it can sign in already.
		h.setFlash(c, "info", "auth.invite_exists")
		return h.redirect(c, "/login")
	case err != nil:
		return err
	}
	return h.signIn(c, u, "/", "auth.welcome")
}

func (h *Handler) resetForm(c echo.Context) error {
	t, err := h.DB.ValidAuthToken(c.Request().Context(), db.TokenReset, c.Param("token"), h.Clock.Now())
	if err != nil {
		return h.linkGone(c)
	}
	return h.renderAccountForm(c, http.StatusOK, "reset", "auth.reset_title", accountForm{Token: c.Param("token"), Email: t.Email})
}

// resetSubmit sets the new password, ends the user's other sessions and sends them to sign in.
func (h *Handler) resetSubmit(c echo.Context) error {
	ctx := c.Request().Context()
	now := h.Clock.Now()
	t, err := h.DB.ValidAuthToken(ctx, db.TokenReset, c.Param("token"), now)
	if err != nil {
		return h.linkGone(c)
	}
	f := accountForm{Token: c.Param("token"), Email: t.Email, Errors: map[string]string{}}
	pw := c.FormValue("password")
	known := []string{f.Email}
	if u, err := h.DB.UserByID(ctx, t.UserID); err == nil {
		known = append(known, u.Name)
	}
	h.validNewPassword(c, pw, f.Errors, known...)
	if len(f.Errors) > 0 {
		return h.renderAccountForm(c, http.StatusUnprocessableEntity, "reset", "auth.reset_title", f)
	}
	hash, err := password.Hash(pw)
	if err != nil {
		return err
	}
	err = h.DB.InTx(ctx, func(tx *sql.Tx) error {
		if err := db.UseAuthTokenTx(ctx, tx, t.ID, now); err != nil {
			return err
		}
		if err := db.SetPasswordTx(ctx, tx, t.UserID, hash); err != nil {
			return err
		}
		return db.Audit(ctx, tx, now, t.UserID, "", "user.password_reset", t.Email, "{}")
	})
	if errors.Is(err, db.ErrNotFound) {
		return h.linkGone(c)
	}
	if err != nil {
		return err
	}
	account, _ := h.throttleKeys(c, t.Email)
	if err := h.DB.ClearSignInFailures(ctx, account); err != nil {
		return err
	}
	h.endSession(c, h.session(c))
	h.setFlash(c, "success", "auth.password_set")
	return h.redirect(c, "/login")
}

// auditJSON encodes audit details ({"field": [old, new], …}).
func auditJSON(v map[string]any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "{}"
	}
	return string(b)
}
