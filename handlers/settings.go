package handlers

import (
	"database/sql"
	"net/http"

	"github.com/labstack/echo/v4"

	"leaddesk/db"
	"leaddesk/internal/password"
)

// settingsData is the user's own settings page.
type settingsData struct {
	HasPassword bool
	Mails       db.MailSubscriptions // the scheduled mails: weekly summary and morning "today" mail
	Errors      map[string]string
}

func (h *Handler) renderSettings(c echo.Context, status int, d settingsData) error {
	u := h.user(c)
	d.HasPassword = u.PasswordHash != ""
	mails, err := h.DB.MailSubscriptions(c.Request().Context(), u.ID, u.Has(db.RoleReferrals))
	if err != nil {
		return err
	}
	d.Mails = mails
	return h.render(c, status, "settings/index", h.page(c, h.T(c, "settings.title"), "settings", d))
}

// saveMailSubscriptions stores the user's choice of scheduled mails (two checkboxes: unticked is off).
func (h *Handler) saveMailSubscriptions(c echo.Context) error {
	ctx := c.Request().Context()
	u := h.user(c)
	s := db.MailSubscriptions{WeeklySummary: c.FormValue("weekly_summary") != "", Today: c.FormValue("today") != ""}
	now := h.Clock.Now()
	err := h.DB.InTx(ctx, func(tx *sql.Tx) error {
		if err := db.SaveMailSubscriptionsTx(ctx, tx, u.ID, s, now); err != nil {
			return err
		}
		return db.Audit(ctx, tx, now, u.ID, "", "user.mail_subscriptions", u.Email,
			auditJSON(map[string]any{"weekly_summary": s.WeeklySummary, "today": s.Today}))
	})
	if err != nil {
		return err
	}
	h.setFlash(c, "success", "settings.mails.saved")
	return h.redirect(c, "/settings#scheduled-mails")
}

// settings shows the account, the password form and "sign out everywhere".
func (h *Handler) settings(c echo.Context) error {
	return h.renderSettings(c, http.StatusOK, settingsData{})
}

// changePassword sets a new password after checking the current one (an account that only ever
// signed in through a provider has none to check). Other browsers are signed out; this one stays.
func (h *Handler) changePassword(c echo.Context) error {
	ctx := c.Request().Context()
	u := h.user(c)
	errs := map[string]string{}
	if u.PasswordHash != "" && !password.Verify(u.PasswordHash, c.FormValue("current")) {
		errs["current"] = h.T(c, "settings.current_wrong")
	}
	pw := c.FormValue("password")
	h.validNewPassword(c, pw, errs, u.Email, u.Name)
	if pw != c.FormValue("confirm") && errs["password"] == "" {
		errs["confirm"] = h.T(c, "settings.confirm_mismatch")
	}
	if len(errs) > 0 {
		return h.renderSettings(c, http.StatusUnprocessableEntity, settingsData{Errors: errs})
	}
	hash, err := password.Hash(pw)
	if err != nil {
		return err
	}
	now := h.Clock.Now()
	err = h.DB.InTx(ctx, func(tx *sql.Tx) error {
		if err := db.SetPasswordTx(ctx, tx, u.ID, hash); err != nil {
			return err
		}
		return db.Audit(ctx, tx, now, u.ID, "", "user.password", u.Email, "{}")
	})
	if err != nil {
		return err
	}
	if err := h.restartSession(c, u.ID); err != nil {
		return err
	}
	h.setFlash(c, "success", "settings.password_changed")
	return h.redirect(c, "/settings")
}

// signOutEverywhere ends every session of this user on every other browser and device, by moving
// the session epoch that each session cookie must match.
func (h *Handler) signOutEverywhere(c echo.Context) error {
	ctx := c.Request().Context()
	u := h.user(c)
	now := h.Clock.Now()
	err := h.DB.InTx(ctx, func(tx *sql.Tx) error {
		epoch, err := db.BumpSessionEpochTx(ctx, tx, u.ID)
		if err != nil {
			return err
		}
		return db.Audit(ctx, tx, now, u.ID, "", "user.sign_out_everywhere", u.Email, auditJSON(map[string]any{"session_epoch": [2]int64{u.SessionEpoch, epoch}}))
	})
	if err != nil {
		return err
	}
	if err := h.restartSession(c, u.ID); err != nil {
		return err
	}
	h.setFlash(c, "success", "settings.signed_out_elsewhere")
	return h.redirect(c, "/settings")
}

// restartSession keeps this browser signed in under the user's new session epoch. The sign-in time
// stays, so the absolute timeout is not extended.
func (h *Handler) restartSession(c echo.Context, id int64) error {
	fresh, err := h.DB.UserByID(c.Request().Context(), id)
	if err != nil {
		return err
	}
	s := h.session(c)
	s.Values[sessEpoch] = fresh.SessionEpoch
	c.Set(ctxUser, fresh)
	return s.Save(c.Request(), c.Response())
}
