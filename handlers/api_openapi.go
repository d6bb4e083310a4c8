package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"leaddesk/apidoc"
)

// apiOpenAPI is GET /api/v1/openapi.json: the OpenAPI 3.1 document of the API and the webhooks
// (apidoc/openapi.json), public so that tools can read it before anyone has a token.
func (h *Handler) apiOpenAPI(c echo.Context) error {
	return c.Blob(http.StatusOK, "application/json", apidoc.OpenAPI)
}
