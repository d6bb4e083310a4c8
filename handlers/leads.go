package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// leadsData is the leads page: counts per tab until the full workspace lands.
type leadsData struct {
	Tab    string
	Counts map[string]int
}

func (h *Handler) leadsIndex(c echo.Context) error {
	counts, err := h.DB.TabCounts(c.Request().Context(), h.user(c).ID)
	if err != nil {
		return err
	}
	tab := c.QueryParam("tab")
	if _, ok := counts[tab]; !ok {
		tab = "marketplace"
	}
	return h.render(c, http.StatusOK, "leads/index", h.page(c, h.T(c, "leads.title"), "leads", leadsData{Tab: tab, Counts: counts}))
}
