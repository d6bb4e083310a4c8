package handlers

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"leaddesk/db"
)

// tokensData is the API tokens page: the list, the create form with its errors, and a new token to
// show exactly once.
type tokensData struct {
	Tokens    []*db.APIToken
	AllScopes []string
	Name      string
	Scopes    []string
	Errors    map[string]string
	NewSecret string
	NewToken  *db.APIToken
	IntakeURL string
	BaseURL   string
	Revoked   bool
}

func (h *Handler) renderTokens(c echo.Context, status int, d tokensData) error {
	toks, err := h.DB.ListTokens(c.Request().Context())
	if err != nil {
		return err
	}
	d.Tokens, d.AllScopes, d.BaseURL = toks, db.TokenScopes, h.Cfg.BaseURL
	return h.render(c, status, "admin/tokens", h.page(c, h.T(c, "intake.tokens.title"), "admin", d))
}

// adminTokens lists API tokens with their scopes, creation and last use.
func (h *Handler) adminTokens(c echo.Context) error {
	return h.renderTokens(c, http.StatusOK, tokensData{Scopes: []string{"intake"}})
}

// adminCreateToken creates a token and shows its secret once, on this answer only (never in a
// redirect, a flash or a log).
func (h *Handler) adminCreateToken(c echo.Context) error {
	name := strings.TrimSpace(c.FormValue("name"))
	form, _ := c.FormParams()
	scopes := form["scopes"]
	d := tokensData{Name: name, Scopes: scopes, Errors: map[string]string{}}
	if name == "" || len([]rune(name)) > 100 {
		d.Errors["name"] = h.T(c, "intake.tokens.name_required")
	}
	if _, ok := db.ValidScopes(scopes); !ok {
		d.Errors["scopes"] = h.T(c, "intake.tokens.scopes_required")
	}
	if len(d.Errors) > 0 {
		return h.renderTokens(c, http.StatusUnprocessableEntity, d)
	}
	secret, t, err := h.DB.CreateToken(c.Request().Context(), name, scopes, h.user(c).ID, "", h.Clock.Now())
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	d = tokensData{Scopes: []string{"intake"}, NewSecret: secret, NewToken: t}
	if t.Has("intake") || t.Has("write") {
		d.IntakeURL = h.Cfg.BaseURL + "/intake/marketplace/" + secret
	}
	return h.renderTokens(c, http.StatusCreated, d)
}

// adminRevokeToken revokes a token; its integrations get 401 from the next request on.
func (h *Handler) adminRevokeToken(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return echo.NewHTTPError(http.StatusNotFound, h.T(c, "error.not_found"))
	}
	if err := h.DB.RevokeToken(c.Request().Context(), id, h.user(c).ID, h.Clock.Now()); err != nil {
		return err
	}
	h.setFlash(c, "success", "intake.tokens.revoked")
	return h.redirect(c, "/admin/tokens")
}
