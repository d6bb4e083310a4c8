package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"leaddesk/apidoc"
)

// apiOpenAPI is GET /api/v1/openapi.json: the OpenAPI 3.1 document of the API and the webhooks
// (apidoc/openapi.json), for any token with the read scope like the rest of /api/ (the same file is
// in the repository for anyone without one).
func (h *Handler) apiOpenAPI(c echo.Context) error {
	return c.Blob(http.StatusOK, "application/json", apidoc.OpenAPI)
}
