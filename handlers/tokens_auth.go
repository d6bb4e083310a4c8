package handlers

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"leaddesk/db"
)

const ctxToken = "api_token"

// authorizeToken checks the API token of a token-scoped route: taken from the path for /intake/ (the
// marketplace only lets partners enter a URL) and from `Authorization: Bearer` for /api/, looked up by
// its hash, not revoked, carrying the scope. Its last use is stamped at most once a minute. The token
// itself is never logged (the request logger hides /intake/ paths).
func (h *Handler) authorizeToken(c echo.Context, scope string, next echo.HandlerFunc) error {
	var secret string
	if strings.HasPrefix(c.Request().URL.Path, "/intake/") {
		secret = c.Param("token")
	} else if auth := c.Request().Header.Get("Authorization"); len(auth) > 7 && strings.EqualFold(auth[:7], "bearer ") {
		secret = strings.TrimSpace(auth[7:])
	}
	if secret == "" {
		return echo.NewHTTPError(http.StatusUnauthorized, h.T(c, "error.token_required"))
	}
	ctx := c.Request().Context()
	t, err := h.DB.TokenBySecret(ctx, secret)
	if errors.Is(err, db.ErrNotFound) {
		return echo.NewHTTPError(http.StatusUnauthorized, h.T(c, "error.token_required"))
	}
	if err != nil {
		return err
	}
	// "write" is the wider intake: a token allowed to create and edit may also deliver leads.
	if !t.Has(scope) && !(scope == "intake" && t.Has("write")) {
		return echo.NewHTTPError(http.StatusUnauthorized, h.T(c, "intake.api.scope_missing", scope))
	}
	if err := h.DB.TouchToken(ctx, t, h.Clock.Now()); err != nil {
		h.Log.Warn("stamp token use", "token_id", t.ID, "err", err)
	}
	c.Set(ctxToken, t)
	return next(c)
}

// apiToken returns the token that authorized this request.
func (h *Handler) apiToken(c echo.Context) *db.APIToken {
	t, _ := c.Get(ctxToken).(*db.APIToken)
	return t
}
