package handlers

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"leaddesk/views"
	"leaddesk/webhooks"
)

// integrationsData is Admin › Integrations: the endpoints, the form with its errors, and a new
// endpoint's signing secret to show exactly once.
type integrationsData struct {
	Endpoints  []*webhooks.Endpoint
	EventTypes []string
	Name       string
	URL        string
	Events     []string
	Errors     map[string]string
	NewSecret  string
	NewName    string

	// The channel form (Teams, Slack).
	ChannelKinds   []string
	ChannelEvents  []string
	Languages      []string
	Channel        webhooks.NewChannel
	ChannelErrors  map[string]string
	NewChannelName string
}

func (h *Handler) renderIntegrations(c echo.Context, status int, d integrationsData) error {
	eps, err := h.hooks.Endpoints(c.Request().Context())
	if err != nil {
		return err
	}
	d.Endpoints, d.EventTypes = eps, webhooks.EventTypes
	d.ChannelKinds, d.ChannelEvents, d.Languages = webhooks.ChannelKinds, webhooks.ChannelEvents, views.Languages
	if d.Channel.Kind == "" && d.ChannelErrors == nil {
		d.Channel = webhooks.NewChannel{Kind: "teams", Events: webhooks.ChannelEvents, Lang: h.lang(c)}
	}
	return h.render(c, status, "admin/integrations", h.page(c, h.T(c, "integ.title"), "admin", d))
}

// adminIntegrations lists the webhook endpoints and offers the form for a new one.
func (h *Handler) adminIntegrations(c echo.Context) error {
	return h.renderIntegrations(c, http.StatusOK, integrationsData{Events: webhooks.EventTypes})
}

// adminCreateEndpoint adds an endpoint and shows its signing secret once, on this answer only (never
// in a redirect, a flash or a log).
func (h *Handler) adminCreateEndpoint(c echo.Context) error {
	form, _ := c.FormParams()
	d := integrationsData{Name: strings.TrimSpace(c.FormValue("name")), URL: strings.TrimSpace(c.FormValue("url")),
		Events: form["events"], Errors: map[string]string{}}
	if d.Name == "" || len([]rune(d.Name)) > 100 {
		d.Errors["name"] = h.T(c, "integ.err.name")
	}
	if msg := h.checkTargetURL(c, d.URL); msg != "" {
		d.Errors["url"] = msg
	}
	if len(d.Events) == 0 || slices.ContainsFunc(d.Events, func(e string) bool { return !slices.Contains(webhooks.EventTypes, e) }) {
		d.Errors["events"] = h.T(c, "integ.err.events")
	}
	if len(d.Errors) > 0 {
		return h.renderIntegrations(c, http.StatusUnprocessableEntity, d)
	}
	e, secret, err := h.hooks.Create(c.Request().Context(), webhooks.NewEndpoint{Name: d.Name, URL: d.URL, Events: d.Events}, h.user(c).ID, h.Clock.Now())
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return h.renderIntegrations(c, http.StatusCreated, integrationsData{Events: webhooks.EventTypes, NewSecret: secret, NewName: e.Name})
}

// adminCreateChannel adds a Microsoft Teams or Slack channel target.
func (h *Handler) adminCreateChannel(c echo.Context) error {
	form, _ := c.FormParams()
	in := webhooks.NewChannel{Kind: c.FormValue("kind"), Name: strings.TrimSpace(c.FormValue("name")), URL: strings.TrimSpace(c.FormValue("url")),
		Events: form["events"], Lang: c.FormValue("lang"), IncludeContact: c.FormValue("include_contact") == "1"}
	errs := map[string]string{}
	if !slices.Contains(webhooks.ChannelKinds, in.Kind) {
		errs["kind"] = h.T(c, "integ.err.kind")
	}
	if in.Name == "" || len([]rune(in.Name)) > 100 {
		errs["name"] = h.T(c, "integ.err.name")
	}
	if msg := h.checkTargetURL(c, in.URL); msg != "" {
		errs["url"] = msg
	}
	if len(in.Events) == 0 || slices.ContainsFunc(in.Events, func(e string) bool { return !slices.Contains(webhooks.ChannelEvents, e) }) {
		errs["events"] = h.T(c, "integ.err.events")
	}
	if !slices.Contains(views.Languages, in.Lang) {
		errs["lang"] = h.T(c, "integ.err.lang")
	}
	if len(errs) > 0 {
		return h.renderIntegrations(c, http.StatusUnprocessableEntity, integrationsData{Events: webhooks.EventTypes, Channel: in, ChannelErrors: errs})
	}
	e, err := h.hooks.CreateChannel(c.Request().Context(), in, h.user(c).ID, h.Clock.Now())
	if err != nil {
		return err
	}
	return h.renderIntegrations(c, http.StatusCreated, integrationsData{Events: webhooks.EventTypes, NewChannelName: e.Name})
}

// checkTargetURL is the form's message for a target URL the guard refuses, or "".
func (h *Handler) checkTargetURL(c echo.Context, raw string) string {
	if len(raw) > 2000 {
		return h.T(c, "integ.err.url")
	}
	err := h.hookGuard.CheckURL(c.Request().Context(), raw)
	if err == nil {
		return ""
	}
	var p *webhooks.URLProblem
	if errors.As(err, &p) {
		switch p.Code {
		case "scheme":
			return h.T(c, "integ.err.scheme")
		case "address":
			return h.T(c, "integ.err.address")
		case "resolve":
			return h.T(c, "integ.err.resolve")
		}
	}
	return h.T(c, "integ.err.url")
}

// endpointParam reads the :id of an endpoint route.
func (h *Handler) endpointParam(c echo.Context) (*webhooks.Endpoint, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return nil, echo.NewHTTPError(http.StatusNotFound, h.T(c, "error.not_found"))
	}
	e, err := h.hooks.Endpoint(c.Request().Context(), id)
	if errors.Is(err, webhooks.ErrNotFound) {
		return nil, echo.NewHTTPError(http.StatusNotFound, h.T(c, "error.not_found"))
	}
	return e, err
}

// endpointData is one endpoint's delivery log.
type endpointData struct {
	Endpoint   *webhooks.Endpoint
	Deliveries []*webhooks.Delivery
}

// adminEndpoint shows an endpoint's last 100 deliveries with status, latency and the answer's
// excerpt, each with "redeliver" once it is finished.
func (h *Handler) adminEndpoint(c echo.Context) error {
	e, err := h.endpointParam(c)
	if err != nil {
		return err
	}
	ds, err := h.hooks.Deliveries(c.Request().Context(), e.ID, 100)
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "admin/integration", h.page(c, h.T(c, "integ.deliveries_named", e.Name), "admin", endpointData{e, ds}))
}

// adminDeleteEndpoint removes an endpoint with its queue and log.
func (h *Handler) adminDeleteEndpoint(c echo.Context) error {
	e, err := h.endpointParam(c)
	if err != nil {
		return err
	}
	if err := h.hooks.Delete(c.Request().Context(), e.ID, h.user(c).ID, h.Clock.Now()); err != nil {
		return err
	}
	h.setFlash(c, "success", "integ.deleted")
	return h.redirect(c, "/admin/integrations")
}

// adminEnableEndpoint resumes a stopped endpoint; what was held goes out on the sender's next run.
func (h *Handler) adminEnableEndpoint(c echo.Context) error {
	e, err := h.endpointParam(c)
	if err != nil {
		return err
	}
	if err := h.hooks.Enable(c.Request().Context(), e.ID, h.user(c).ID, h.Clock.Now()); err != nil {
		return err
	}
	h.setFlash(c, "success", "integ.enabled")
	return h.redirect(c, "/admin/integrations/"+strconv.FormatInt(e.ID, 10))
}

// adminRedeliver queues a finished delivery again with the same webhook-id.
func (h *Handler) adminRedeliver(c echo.Context) error {
	e, err := h.endpointParam(c)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(c.Param("delivery"), 10, 64)
	if err != nil {
		return echo.NewHTTPError(http.StatusNotFound, h.T(c, "error.not_found"))
	}
	err = h.hooks.Redeliver(c.Request().Context(), e.ID, id, h.Clock.Now())
	if errors.Is(err, webhooks.ErrNotFound) {
		return echo.NewHTTPError(http.StatusNotFound, h.T(c, "error.not_found"))
	}
	if err != nil {
		return err
	}
	h.setFlash(c, "success", "integ.redelivered")
	return h.redirect(c, "/admin/integrations/"+strconv.FormatInt(e.ID, 10))
}
