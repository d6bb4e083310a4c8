package handlers

import (
	"database/sql"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"leaddesk/db"
	"leaddesk/mail"
)

// Account admin pages: the users with their roles, invitations, role changes, disabling and
// password-reset links. Every change is written to the audit log in the same transaction.

// usersData is the users list.
type usersData struct {
	Users   []*db.User
	Invites []*db.AuthToken
}

func (h *Handler) adminUsers(c echo.Context) error {
	ctx := c.Request().Context()
	users, err := h.DB.ListUsers(ctx)
	if err != nil {
		return err
	}
	invites, err := h.DB.OpenInvitations(ctx, h.Clock.Now())
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "admin/users", h.page(c, h.T(c, "users.title"), "admin", usersData{Users: users, Invites: invites}))
}

// inviteData is the invitation form, and after sending, the link.
type inviteData struct {
	Email  string
	Roles  []string
	All    []string
	Link   string
	Errors map[string]string
}

func (h *Handler) adminInviteForm(c echo.Context) error {
	return h.render(c, http.StatusOK, "admin/users_invite", h.page(c, h.T(c, "users.invite_title"), "admin",
		inviteData{All: db.AllRoles, Roles: []string{db.RoleReferrals}}))
}

// formRoles reads the role checkboxes; an unknown role is a mistake in the form.
func (h *Handler) formRoles(c echo.Context, errs map[string]string) []string {
	params, _ := c.FormParams()
	var roles []string
	for _, r := range params["roles"] {
		if !db.ValidRole(r) {
			errs["roles"] = h.T(c, "users.role_unknown")
			continue
		}
		if !slices.Contains(roles, r) {
			roles = append(roles, r)
		}
	}
	slices.SortFunc(roles, func(a, b string) int { return slices.Index(db.AllRoles, a) - slices.Index(db.AllRoles, b) })
	return roles
}

// adminInvite stores an invitation, queues its mail and shows the link to copy.
func (h *Handler) adminInvite(c echo.Context) error {
	ctx := c.Request().Context()
	me := h.user(c)
	d := inviteData{All: db.AllRoles, Email: strings.TrimSpace(c.FormValue("email")), Errors: map[string]string{}}
	h.validEmail(c, d.Email, d.Errors)
	d.Roles = h.formRoles(c, d.Errors)
	if len(d.Roles) == 0 && d.Errors["roles"] == "" {
		d.Errors["roles"] = h.T(c, "users.roles_required")
	}
	if d.Errors["email"] == "" {
		if _, err := h.DB.UserByEmail(ctx, d.Email); err == nil {
			d.Errors["email"] = h.T(c, "users.email_taken")
		} else if !errors.Is(err, db.ErrNotFound) {
			return err
		}
	}
	if len(d.Errors) > 0 {
		return h.render(c, http.StatusUnprocessableEntity, "admin/users_invite", h.page(c, h.T(c, "users.invite_title"), "admin", d))
	}
	now := h.Clock.Now()
	err := h.DB.InTx(ctx, func(tx *sql.Tx) error {
		if err := db.RetireAuthTokensTx(ctx, tx, db.TokenInvite, d.Email, 0, now); err != nil {
			return err
		}
		secret, err := db.CreateAuthTokenTx(ctx, tx, &db.AuthToken{Kind: db.TokenInvite, Email: d.Email, Roles: d.Roles,
			CreatedBy: me.ID, CreatedAt: now, ExpiresAt: now.Add(inviteLinkTTL)})
		if err != nil {
			return err
		}
		d.Link = h.Cfg.BaseURL + "/invite/" + secret
		if err := mail.InvitationTx(ctx, tx, now, h.links, d.Email, h.lang(c), me.Name, d.Link); err != nil {
			return err
		}
		return db.Audit(ctx, tx, now, me.ID, "", "user.invite", d.Email, auditJSON(map[string]any{"roles": [2][]string{nil, d.Roles}}))
	})
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "admin/users_invite", h.page(c, h.T(c, "users.invite_title"), "admin", d))
}

// userData is one user's admin page.
type userData struct {
	Target    *db.User
	All       []string
	ResetLink string
	Error     string
}

func (h *Handler) targetUser(c echo.Context) (*db.User, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, echo.NewHTTPError(http.StatusNotFound, h.T(c, "users.not_found"))
	}
	u, err := h.DB.UserByID(c.Request().Context(), id)
	if errors.Is(err, db.ErrNotFound) {
		return nil, echo.NewHTTPError(http.StatusNotFound, h.T(c, "users.not_found"))
	}
	return u, err
}

func (h *Handler) renderUser(c echo.Context, status int, d userData) error {
	d.All = db.AllRoles
	return h.render(c, status, "admin/users_edit", h.page(c, d.Target.Name, "admin", d))
}

func (h *Handler) adminUser(c echo.Context) error {
	t, err := h.targetUser(c)
	if err != nil {
		return err
	}
	return h.renderUser(c, http.StatusOK, userData{Target: t})
}

// errLastAdmin refuses a change that would leave nobody able to manage users.
var errLastAdmin = errors.New("handlers: last account admin")

// adminSetRoles replaces a user's roles. Removing the last enabled Account admin is refused.
func (h *Handler) adminSetRoles(c echo.Context) error {
	t, err := h.targetUser(c)
	if err != nil {
		return err
	}
	errs := map[string]string{}
	roles := h.formRoles(c, errs)
	if len(errs) > 0 {
		return h.renderUser(c, http.StatusUnprocessableEntity, userData{Target: t, Error: errs["roles"]})
	}
	ctx := c.Request().Context()
	now := h.Clock.Now()
	me := h.user(c)
	err = h.DB.InTx(ctx, func(tx *sql.Tx) error {
		old, err := db.UserByIDTx(ctx, tx, t.ID)
		if err != nil {
			return err
		}
		if err := db.SetUserRolesTx(ctx, tx, t.ID, roles); err != nil {
			return err
		}
		if n, err := db.CountActiveAccountAdminsTx(ctx, tx); err != nil {
			return err
		} else if n == 0 {
			return errLastAdmin
		}
		if slices.Equal(old.Roles, roles) {
			return nil
		}
		return db.Audit(ctx, tx, now, me.ID, "", "user.roles", t.Email, auditJSON(map[string]any{"roles": [2][]string{old.Roles, roles}}))
	})
	if errors.Is(err, errLastAdmin) {
		return h.renderUser(c, http.StatusUnprocessableEntity, userData{Target: t, Error: h.T(c, "users.last_admin")})
	}
	if err != nil {
		return err
	}
	h.setFlash(c, "success", "users.roles_saved")
	return h.redirect(c, "/admin/users/"+strconv.FormatInt(t.ID, 10))
}

func (h *Handler) adminDisable(c echo.Context) error { return h.adminSetDisabled(c, true) }
func (h *Handler) adminEnable(c echo.Context) error  { return h.adminSetDisabled(c, false) }

// adminSetDisabled disables (ending their sessions at once) or enables a user. Nobody disables
// themselves, and the last enabled Account admin stays.
func (h *Handler) adminSetDisabled(c echo.Context, disabled bool) error {
	t, err := h.targetUser(c)
	if err != nil {
		return err
	}
	me := h.user(c)
	if disabled && t.ID == me.ID {
		return h.renderUser(c, http.StatusUnprocessableEntity, userData{Target: t, Error: h.T(c, "users.not_yourself")})
	}
	ctx := c.Request().Context()
	now := h.Clock.Now()
	err = h.DB.InTx(ctx, func(tx *sql.Tx) error {
		if err := db.SetUserDisabledTx(ctx, tx, t.ID, disabled); err != nil {
			return err
		}
		if n, err := db.CountActiveAccountAdminsTx(ctx, tx); err != nil {
			return err
		} else if n == 0 {
			return errLastAdmin
		}
		action := "user.enable"
		if disabled {
			action = "user.disable"
		}
		return db.Audit(ctx, tx, now, me.ID, "", action, t.Email, auditJSON(map[string]any{"disabled": [2]bool{t.Disabled, disabled}}))
	})
	if errors.Is(err, errLastAdmin) {
		return h.renderUser(c, http.StatusUnprocessableEntity, userData{Target: t, Error: h.T(c, "users.last_admin")})
	}
	if err != nil {
		return err
	}
	if disabled {
		h.setFlash(c, "success", "users.disabled_done")
	} else {
		h.setFlash(c, "success", "users.enabled_done")
	}
	return h.redirect(c, "/admin/users/"+strconv.FormatInt(t.ID, 10))
}

// adminResetLink makes a password-reset link, queues it to the user and shows it to the admin (who
// may hand it over another way while mail is not set up).
func (h *Handler) adminResetLink(c echo.Context) error {
	t, err := h.targetUser(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	now := h.Clock.Now()
	me := h.user(c)
	var link string
	err = h.DB.InTx(ctx, func(tx *sql.Tx) error {
		if err := db.RetireAuthTokensTx(ctx, tx, db.TokenReset, "", t.ID, now); err != nil {
			return err
		}
		secret, err := db.CreateAuthTokenTx(ctx, tx, &db.AuthToken{Kind: db.TokenReset, UserID: t.ID, Email: t.Email,
			CreatedBy: me.ID, CreatedAt: now, ExpiresAt: now.Add(resetLinkTTL)})
		if err != nil {
			return err
		}
		link = h.Cfg.BaseURL + "/reset/" + secret
		if err := mail.PasswordResetTx(ctx, tx, now, h.links, t.Email, t.Name, t.Lang, link); err != nil {
			return err
		}
		return db.Audit(ctx, tx, now, me.ID, "", "user.reset_link", t.Email, "{}")
	})
	if err != nil {
		return err
	}
	return h.renderUser(c, http.StatusOK, userData{Target: t, ResetLink: link})
}
