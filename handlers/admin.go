package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// adminIndex is the Account admin's start page, linking every admin area.
func (h *Handler) adminIndex(c echo.Context) error {
	return h.render(c, http.StatusOK, "admin/index", h.page(c, h.T(c, "admin.title"), "admin", nil))
}
