// Package handlers is Leaddesk's HTTP layer: one route table (routes.go), handlers as methods on
// Handler in one file per resource, and the middleware for sessions, CSRF, language and roles.
package handlers

import (
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"

	"leaddesk/backup"
	"leaddesk/config"
	"leaddesk/contact"
	"leaddesk/db"
	"leaddesk/internal/clock"
	"leaddesk/internal/secretkey"
	"leaddesk/jobs"
	"leaddesk/leads"
	"leaddesk/pcsync"
	"leaddesk/static"
	"leaddesk/views"
	"leaddesk/webhooks"
)

// Handler holds every dependency of the HTTP layer.
type Handler struct {
	Cfg      *config.Config
	DB       *db.DB
	Clock    clock.Clock
	Log      *slog.Logger
	Views    *views.Renderer
	Catalog  *views.Catalog
	Assets   *static.Assets
	Sessions *sessions.CookieStore
	Leads    *leads.Service    // every change to a lead goes through it
	PC       *pcsync.Syncer    // the Partner Center sync; nil when not configured
	DNS      *contact.Resolver // checks that lead email domains take mail; nil when LEADDESK_DNS=off
	// ImportLimits bound CSV uploads (import.go); tests lower them.
	ImportLimits ImportLimits

	policies  map[string]Policy // "METHOD path" → who may call it, filled by the route table
	sso       ssoRegistry       // single-sign-on providers, built on first use (sso.go)
	lastViews lastViews         // each user's newest Leads view, until FlushLastViews writes it
	cells     sync.Map          // rendered cells of the Leads list's rows: cell → template.HTML (leads_rows.go)
	rows      *keptHTML[rowKey] // rendered rows of the Leads list, bounded (leads_rows.go)
	fragments *keptHTML[string] // rendered parts of the Leads page, by their input (fragments.go)
	links     *secretkey.Sealer // seals one-time links queued in the mail outbox (mail.InvitationTx)
	uploads   uploadGuard       // users with a CSV upload in progress (import.go)
	hooks     *webhooks.Store   // webhook endpoints and their delivery log (admin_integrations.go)
	hookGuard webhooks.Guard    // which target URLs an endpoint may have

	countryNames sync.Map // lang+code → localized country name (leads.go)

	insightsBodies insightsBodies // rendered Insights figures and charts of the current lead generation (insights_cache.go)

	ops opsDeps // operations (issue 20): backups, jobs, metrics, start time
}

// Deps are what New needs.
type Deps struct {
	Cfg   *config.Config
	DB    *db.DB
	Clock clock.Clock
	Log   *slog.Logger
	Leads *leads.Service    // required
	DNS   *contact.Resolver // email-domain checks of incoming leads (nil: off)
	PC    *pcsync.Syncer    // optional: the Partner Center sync

	// Operations (issue 20), all optional.
	Backups *backup.Manager // scheduled backups (status in /healthz and Admin › System)
	Jobs    *jobs.Runner    // background jobs (schedule and last runs on Admin › System)
	// ObserveRequest, when set, hears of every answered request with its route pattern (metrics).
	ObserveRequest func(method, route string, status int, took time.Duration)
	Started        time.Time // when the process started (uptime); default: when New ran
}

// opsDeps are the Deps of the operations pages.
type opsDeps struct {
	backups *backup.Manager
	jobs    *jobs.Runner
	observe func(method, route string, status int, took time.Duration)
	started time.Time
}

// Context keys set by the middleware.
const (
	ctxUser = "user"
	ctxLang = "lang"
	ctxCSRF = "csrf"
	// ctxUploadParts holds an upload's multipart reader once the CSRF field was read from it.
	ctxUploadParts = "upload_parts"
)

// user returns the signed-in user, or nil.
func (h *Handler) user(c echo.Context) *db.User {
	u, _ := c.Get(ctxUser).(*db.User)
	return u
}

// lang returns the request's language.
func (h *Handler) lang(c echo.Context) string {
	if l, ok := c.Get(ctxLang).(string); ok {
		return l
	}
	return views.Languages[0]
}

// T translates key in the request's language.
func (h *Handler) T(c echo.Context, key string, args ...any) string {
	return h.Catalog.T(h.lang(c), key, args...)
}

// page starts the template data for a page.
func (h *Handler) page(c echo.Context, title, nav string, data any) *views.Page {
	csrf, _ := c.Get(ctxCSRF).(string)
	p := &views.Page{
		Title:     title,
		Nav:       nav,
		User:      h.user(c),
		CSRF:      csrf,
		Lang:      h.lang(c),
		Path:      c.Request().URL.RequestURI(),
		RequestID: c.Response().Header().Get(echo.HeaderXRequestID),
		Data:      data,
	}
	p.Flash = h.popFlash(c)
	return p
}

// render writes a page with status through the renderer (which applies the htmx rule).
func (h *Handler) render(c echo.Context, status int, name string, p *views.Page) error {
	return h.Views.Respond(c, status, name, p)
}

// redirect answers a form post with 303 See Other, or, for htmx, with HX-Redirect / HX-Location.
func (h *Handler) redirect(c echo.Context, to string) error {
	if c.Request().Header.Get(views.HXRequest) == "true" {
		c.Response().Header().Set("HX-Redirect", to)
		return c.NoContent(http.StatusNoContent)
	}
	return c.Redirect(http.StatusSeeOther, to)
}

// backToList answers a bulk action on the list with 303 See Other to next, or, for htmx, with
// HX-Location: the list is fetched again in place, its view and scroll kept.
func (h *Handler) backToList(c echo.Context, next string) error {
	if c.Request().Header.Get(views.HXRequest) == "true" {
		c.Response().Header().Set("HX-Location", next)
		return c.NoContent(http.StatusNoContent)
	}
	return c.Redirect(http.StatusSeeOther, next)
}

// safeNext returns next when it is a local path, else fallback: a redirect target from a form or
// query never leaves the site.
func safeNext(next, fallback string) string {
	if next == "" || next[0] != '/' || (len(next) > 1 && (next[1] == '/' || next[1] == '\\')) {
		return fallback
	}
	if u, err := url.Parse(next); err != nil || u.Host != "" || u.Scheme != "" {
		return fallback
	}
	return next
}
