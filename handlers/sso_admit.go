package handlers

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"github.com/markbates/goth"

	"leaddesk/db"
)

// Who a provider sign-in admits (docs/design.md §2, issue 3).

var errNotAdmitted = errors.New("sso: not admitted")

// ssoVerifiedEmail returns the provider's email for the user when the provider says it is verified
// (OpenID Connect's email_verified, Google's verified_email). Entra ID's provider (sso_entra.go) sets
// an address only from a verified claim of an allowed tenant; GitHub's gives the verified primary
// address (githubVerifiedEmail).
func ssoVerifiedEmail(key string, gu goth.User) string {
	email := strings.ToLower(strings.TrimSpace(gu.Email))
	truthy := func(v any) bool { return v == true || v == "true" }
	switch key {
	case "oidc":
		if !truthy(gu.RawData["email_verified"]) {
			return ""
		}
	case "google":
		if !truthy(gu.RawData["verified_email"]) && !truthy(gu.RawData["email_verified"]) {
			return ""
		}
	}
	if !strings.Contains(email, "@") {
		return ""
	}
	return email
}

// ssoAdmit finds or creates the user for a provider identity: a linked identity, else an existing
// user with the verified email, else an open invitation for it, else (when its domain is admitted)
// a new user with no role. Anyone else, or a disabled user, gets errNotAdmitted.
func (h *Handler) ssoAdmit(ctx context.Context, key string, gu goth.User) (*db.User, error) {
	email := ssoVerifiedEmail(key, gu)
	if email == "" || gu.UserID == "" {
		return nil, errNotAdmitted
	}
	now := h.Clock.Now()
	u, err := h.DB.UserByIdentity(ctx, key, gu.UserID)
	if errors.Is(err, db.ErrNotFound) {
		u, err = h.DB.UserByEmail(ctx, email)
	}
	switch {
	case err == nil:
		if u.Disabled {
			return nil, errNotAdmitted
		}
		return u, h.DB.InTx(ctx, func(tx *sql.Tx) error { return db.LinkIdentityTx(ctx, tx, key, gu.UserID, u.ID, email, now) })
	case !errors.Is(err, db.ErrNotFound):
		return nil, err
	}
	inv, err := h.DB.OpenInvitation(ctx, email, now)
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		return nil, err
	}
	domain := email[strings.LastIndex(email, "@")+1:]
	if inv == nil && !slices.Contains(h.Cfg.SignInDomains, domain) {
		return nil, errNotAdmitted
	}
	name := strings.TrimSpace(gu.Name)
	if name == "" {
		name = email[:strings.LastIndex(email, "@")]
	}
	nu := &db.User{Email: email, Name: name, CreatedAt: now}
	via := "domain"
	if inv != nil {
		nu.Roles, via = inv.Roles, "invite"
	}
	err = h.DB.InTx(ctx, func(tx *sql.Tx) error {
		if inv != nil {
			if err := db.UseAuthTokenTx(ctx, tx, inv.ID, now); err != nil {
				return err
			}
		}
		if err := db.CreateUserTx(ctx, tx, nu); err != nil {
			return err
		}
		if err := db.LinkIdentityTx(ctx, tx, key, gu.UserID, nu.ID, email, now); err != nil {
			return err
		}
		details, _ := json.Marshal(map[string]any{"email": email, "name": name, "roles": [2][]string{nil, nu.Roles}, "via": via, "provider": key})
		return db.Audit(ctx, tx, now, 0, "sso", "user.create", email, string(details))
	})
	if err != nil {
		return nil, err
	}
	return h.DB.UserByID(ctx, nu.ID)
}
