package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// authorizeToken checks the API token of a token-scoped route. Until API tokens exist every such
// request is refused.
func (h *Handler) authorizeToken(c echo.Context, scope string, next echo.HandlerFunc) error {
	return echo.NewHTTPError(http.StatusUnauthorized, h.T(c, "error.token_required"))
}
