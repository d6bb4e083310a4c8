package handlers

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"leaddesk/db"
	"leaddesk/lifecycle"
)

// Policy says who may call a route. Every route is registered through Handler.handle with one, so a
// route without a decision cannot exist (and the role-matrix test walks them all).
type Policy struct {
	Public   bool     // anyone, signed in or not
	SignedIn bool     // any signed-in user, even one with no role yet
	Roles    []string // any one of these roles
	Scope    string   // an API token with this scope (intake, read, write) instead of a session
	// URLSecret: a machine-to-machine route that the handler authorises by a secret in its URL
	// (a webhook receiver). It carries no cookie, so it has no CSRF token to check.
	URLSecret bool
}

var (
	public   = Policy{Public: true}
	signedIn = Policy{SignedIn: true}
	// A webhook receiver: anyone may call it; the handler checks the URL's secret.
	webhookReceiver = Policy{Public: true, URLSecret: true}
	// Who may read leads: every role (Business profile admins read-only, docs/design.md §2).
	leadReaders = anyRole(db.RoleReferrals, db.RoleProfile, db.RoleAccount)
	// Who may work leads: accept, decline, favourite, export.
	leadWorkers    = anyRole(db.RoleReferrals, db.RoleAccount)
	profileEditors = anyRole(db.RoleProfile, db.RoleAccount)
	accountAdmins  = anyRole(db.RoleAccount)
)

func anyRole(roles ...string) Policy { return Policy{Roles: roles} }

// Allows reports whether u (nil = not signed in) may call a route with this policy.
func (p Policy) Allows(u *db.User) bool {
	switch {
	case p.Scope != "":
		return false // decided by the token, not the session
	case p.Public:
		return true
	case u == nil:
		return false
	case p.SignedIn:
		return true
	default:
		return u.HasAny(p.Roles...)
	}
}

// handle registers one route with its policy.
func (h *Handler) handle(e *echo.Echo, method, path string, fn echo.HandlerFunc, p Policy, mw ...echo.MiddlewareFunc) {
	h.policies[method+" "+path] = p
	chain := []echo.MiddlewareFunc{h.authorize(p)}
	if p.Scope == "" && !p.URLSecret {
		// Browser routes: the CSRF check after the policy, so a request refused for who sent it is
		// refused before its body is read. Token and webhook routes carry no cookie to ride on.
		chain = append(chain, h.verifyCSRF, h.refuseInvalidText)
	}
	e.Add(method, path, fn, append(chain, mw...)...)
}

// handleUpload registers a multipart upload route: after the policy, the CSRF token is taken without
// reading the file (verifyUploadCSRF), and only then may the handler raise the body limit.
func (h *Handler) handleUpload(e *echo.Echo, path string, fn echo.HandlerFunc, p Policy) {
	h.policies[http.MethodPost+" "+path] = p
	e.Add(http.MethodPost, path, fn, h.authorize(p), h.verifyUploadCSRF)
}

// Policies returns every registered route's policy, keyed "METHOD path".
func (h *Handler) Policies() map[string]Policy { return h.policies }

// routes is the one route table, grouped by resource, with the roles each needs beside it.
func (h *Handler) routes(e *echo.Echo) {
	// Health and static files
	h.handle(e, http.MethodGet, "/healthz", h.healthz, public)
	h.handle(e, http.MethodGet, "/static/*", echo.WrapHandler(h.Assets), public)
	h.handle(e, http.MethodGet, "/", h.home, public)
	h.handle(e, http.MethodPost, "/lang", h.setLanguage, public)

	// Sign-in
	h.handle(e, http.MethodGet, "/login", h.loginForm, public)
	h.handle(e, http.MethodPost, "/login", h.login, public)
	h.handle(e, http.MethodPost, "/logout", h.logout, public)
	h.handle(e, http.MethodGet, "/no-role", h.noRole, signedIn)

	// Accounts, settings and admin (issue 3: sign-in, roles and sessions)
	// Single sign-on and one-time links are public: the provider or the link's secret decides.
	h.handle(e, http.MethodGet, "/auth/:provider", h.ssoBegin, public)
	h.handle(e, http.MethodGet, "/auth/:provider/callback", h.ssoCallback, public)
	h.handle(e, http.MethodGet, "/setup/:token", h.setupForm, public)
	h.handle(e, http.MethodPost, "/setup/:token", h.setupSubmit, public)
	h.handle(e, http.MethodGet, "/invite/:token", h.inviteForm, public)
	h.handle(e, http.MethodPost, "/invite/:token", h.inviteSubmit, public)
	h.handle(e, http.MethodGet, "/reset/:token", h.resetForm, public)
	h.handle(e, http.MethodPost, "/reset/:token", h.resetSubmit, public)
	// Own settings: anyone signed in, even without a role.
	h.handle(e, http.MethodGet, "/settings", h.settings, signedIn)
	h.handle(e, http.MethodPost, "/settings/password", h.changePassword, signedIn)
	h.handle(e, http.MethodPost, "/settings/sign-out-everywhere", h.signOutEverywhere, signedIn)
	h.handle(e, http.MethodPost, "/settings/mails", h.saveMailSubscriptions, signedIn)
	// Users, roles and the audit log: Account admins.
	h.handle(e, http.MethodGet, "/admin", h.adminIndex, accountAdmins)
	h.handle(e, http.MethodGet, "/admin/users", h.adminUsers, accountAdmins)
	h.handle(e, http.MethodGet, "/admin/users/invite", h.adminInviteForm, accountAdmins)
	h.handle(e, http.MethodPost, "/admin/users/invite", h.adminInvite, accountAdmins)
	h.handle(e, http.MethodGet, "/admin/users/:id", h.adminUser, accountAdmins)
	h.handle(e, http.MethodPost, "/admin/users/:id/roles", h.adminSetRoles, accountAdmins)
	h.handle(e, http.MethodPost, "/admin/users/:id/disable", h.adminDisable, accountAdmins)
	h.handle(e, http.MethodPost, "/admin/users/:id/enable", h.adminEnable, accountAdmins)
	h.handle(e, http.MethodPost, "/admin/users/:id/reset", h.adminResetLink, accountAdmins)
	h.handle(e, http.MethodGet, "/admin/audit", h.adminAudit, accountAdmins)
	// Operations (issue 20): what runs, backups, configuration in effect.
	h.handle(e, http.MethodGet, "/admin/system", h.adminSystem, accountAdmins)

	// Leads workspace (issue 4): list, favourites, export
	h.handle(e, http.MethodGet, "/leads", h.leadsIndex, leadReaders)
	h.handle(e, http.MethodGet, "/leads/export.csv", h.leadsExport, leadWorkers)
	h.handle(e, http.MethodPost, "/leads/:id/favorite", h.leadFavorite, leadWorkers)
	h.handle(e, http.MethodPost, "/leads/bulk/favorite", h.leadsBulkFavorite, leadWorkers)
	// Saved views (issue 17): everyone who reads leads saves views and shares them with the team; a
	// shared view is changed only by its author or an Account admin (the handlers answer 403).
	h.handle(e, http.MethodGet, "/leads/views", h.savedViewsIndex, leadReaders)
	h.handle(e, http.MethodPost, "/leads/views", h.savedViewCreate, leadReaders)
	h.handle(e, http.MethodGet, "/leads/views/:id", h.savedViewOpen, leadReaders)
	h.handle(e, http.MethodGet, "/leads/views/:id/edit", h.savedViewEdit, leadReaders)
	h.handle(e, http.MethodPost, "/leads/views/:id", h.savedViewUpdate, leadReaders)
	h.handle(e, http.MethodPost, "/leads/views/:id/delete", h.savedViewDelete, leadReaders)
	h.handle(e, http.MethodPost, "/leads/views/:id/move", h.savedViewMove, leadReaders)
	h.handle(e, http.MethodPost, "/leads/bulk/favorite-matching", h.leadsFavoriteMatching, leadWorkers)

	// Insights (issue 16): everyone with a role reads the figures and downloads them.
	h.handle(e, http.MethodGet, "/insights", h.insightsIndex, leadReaders)
	h.handle(e, http.MethodGet, "/insights/:chart", h.insightsCSV, leadReaders)

	// Lead details and lifecycle (issue 5): everyone with a role reads; Referrals and Account admins act.
	// /leads/bulk/… are static segments, which Echo prefers over /leads/:id.
	h.handle(e, http.MethodGet, "/leads/bulk/decline", h.bulkDeclineForm, leadWorkers)
	h.handle(e, http.MethodPost, "/leads/bulk/decline", h.bulkDecline, leadWorkers)
	// Owners (issue 17): assign from the details page and, in bulk, from the list.
	h.handle(e, http.MethodPost, "/leads/bulk/assign", h.leadsBulkAssign, leadWorkers)
	h.handle(e, http.MethodPost, "/leads/:id/owner", h.leadAssign, leadWorkers)
	// Activities and next steps (issue 17).
	h.handle(e, http.MethodPost, "/leads/:id/activities", h.leadLogActivity, leadWorkers)
	h.handle(e, http.MethodPost, "/next-steps/:id/done", h.nextStepDone, leadWorkers)
	// Assignment (issue 17), linked from Admin and the Leads page: Account and Referrals admins, so not
	// under /admin (Account admins only); everyone there sets their own away days.
	h.handle(e, http.MethodGet, "/assignment", h.adminAssignment, leadWorkers)
	h.handle(e, http.MethodPost, "/assignment", h.adminAddAssignmentRule, leadWorkers)
	h.handle(e, http.MethodPost, "/assignment/rerun", h.adminRerunAssignment, leadWorkers)
	h.handle(e, http.MethodPost, "/assignment/away", h.adminSetAway, leadWorkers)
	h.handle(e, http.MethodPost, "/assignment/:id/delete", h.adminDeleteAssignmentRule, leadWorkers)
	h.handle(e, http.MethodPost, "/assignment/:id/move", h.adminMoveAssignmentRule, leadWorkers)
	// Response targets (issue 17): Account and Referrals admins, like Assignment.
	h.handle(e, http.MethodGet, "/response-targets", h.responseTargets, leadWorkers)
	h.handle(e, http.MethodPost, "/response-targets", h.saveResponseTargets, leadWorkers)
	h.handle(e, http.MethodGet, "/leads/:id", h.leadShow, leadReaders)
	h.handle(e, http.MethodGet, "/leads/:id/accept", h.acceptForm, leadWorkers)
	h.handle(e, http.MethodPost, "/leads/:id/accept", h.accept, leadWorkers)
	h.handle(e, http.MethodGet, "/leads/:id/decline", h.reasonFormGet(lifecycle.Decline, "decline"), leadWorkers)
	h.handle(e, http.MethodPost, "/leads/:id/decline", h.decline, leadWorkers)
	h.handle(e, http.MethodGet, "/leads/:id/edit", h.editForm, leadWorkers)
	h.handle(e, http.MethodPost, "/leads/:id", h.edit, leadWorkers)
	h.handle(e, http.MethodGet, "/leads/:id/employees", h.employeeForm, leadWorkers)
	h.handle(e, http.MethodPost, "/leads/:id/employees", h.addEmployee, leadWorkers)
	h.handle(e, http.MethodPost, "/leads/:id/won", h.won, leadWorkers)
	h.handle(e, http.MethodGet, "/leads/:id/lost", h.reasonFormGet(lifecycle.Lost, "lost"), leadWorkers)
	h.handle(e, http.MethodPost, "/leads/:id/lost", h.lost, leadWorkers)

	// Notifications, outbox and Action Center (issue 6): everyone sets their own notifications; the
	// Action Center is for those who work leads; the outbox is the Account admin's.
	h.handle(e, http.MethodGet, "/settings/notifications", h.notificationPrefs, signedIn)
	h.handle(e, http.MethodPost, "/settings/notifications", h.saveNotificationPrefs, signedIn)
	h.handle(e, http.MethodGet, "/action-center", h.actionCenter, leadWorkers)
	h.handle(e, http.MethodGet, "/action-center/count", h.actionCenterCount, leadWorkers)
	h.handle(e, http.MethodGet, "/action-center/more", h.actionCenterMore, leadWorkers)
	h.handle(e, http.MethodPost, "/action-center/read-all", h.actionCenterReadAll, leadWorkers)
	h.handle(e, http.MethodPost, "/action-center/:id/dismiss", h.dismissActionItem, leadWorkers)
	h.handle(e, http.MethodGet, "/admin/mail", h.adminMail, accountAdmins)
	h.handle(e, http.MethodPost, "/admin/mail/:id/resend", h.resendMail, accountAdmins)

	// Intake: marketplace endpoint, JSON API, CSV import, tokens, spam list (issue 7)
	h.handle(e, http.MethodPost, "/intake/marketplace/:token", h.marketplaceLead, Policy{Scope: "intake"})
	h.handle(e, http.MethodPost, "/api/v1/leads", h.apiCreateLead, Policy{Scope: "intake"}) // intake or write
	h.handle(e, http.MethodGet, "/api/v1/leads", h.apiListLeads, Policy{Scope: "read"})
	h.handle(e, http.MethodGet, "/api/v1/leads/:id", h.apiGetLead, Policy{Scope: "read"})
	// Activities (issue 17): read to list a lead's, write to log one (the lifecycle rules of the web).
	h.handle(e, http.MethodGet, "/api/v1/leads/:id/activities", h.apiListActivities, Policy{Scope: "read"})
	h.handle(e, http.MethodPost, "/api/v1/leads/:id/activities", h.apiLogActivity, Policy{Scope: "write"})
	h.handle(e, http.MethodGet, "/api/v1/openapi.json", h.apiOpenAPI, Policy{Scope: "read"})
	// The write API (issue 18): If-Match required; the token's name is the timeline's actor.
	h.handle(e, http.MethodPatch, "/api/v1/leads/:id", h.apiPatchLead, Policy{Scope: "write"})
	h.handle(e, http.MethodPost, "/api/v1/leads/:id/accept", h.apiAccept, Policy{Scope: "write"})
	h.handle(e, http.MethodPost, "/api/v1/leads/:id/decline", h.apiDecline, Policy{Scope: "write"})
	h.handle(e, http.MethodPost, "/api/v1/leads/:id/lost", h.apiLost, Policy{Scope: "write"})
	h.handle(e, http.MethodPost, "/api/v1/leads/:id/won", h.apiWon, Policy{Scope: "write"})
	h.handle(e, http.MethodGet, "/admin/tokens", h.adminTokens, accountAdmins)
	h.handle(e, http.MethodPost, "/admin/tokens", h.adminCreateToken, accountAdmins)
	h.handle(e, http.MethodPost, "/admin/tokens/:id/revoke", h.adminRevokeToken, accountAdmins)
	h.handle(e, http.MethodGet, "/admin/spam", h.adminSpam, accountAdmins)
	h.handle(e, http.MethodPost, "/admin/spam", h.adminAddSpam, accountAdmins)
	h.handle(e, http.MethodPost, "/admin/spam/:id/delete", h.adminDeleteSpam, accountAdmins)

	// Integrations (issue 18): webhook endpoints and their delivery log, Account admins.
	h.handle(e, http.MethodGet, "/admin/integrations", h.adminIntegrations, accountAdmins)
	h.handle(e, http.MethodPost, "/admin/integrations", h.adminCreateEndpoint, accountAdmins)
	h.handle(e, http.MethodPost, "/admin/integrations/channels", h.adminCreateChannel, accountAdmins)
	h.handle(e, http.MethodGet, "/admin/integrations/:id", h.adminEndpoint, accountAdmins)
	h.handle(e, http.MethodPost, "/admin/integrations/:id/delete", h.adminDeleteEndpoint, accountAdmins)
	h.handle(e, http.MethodPost, "/admin/integrations/:id/enable", h.adminEnableEndpoint, accountAdmins)
	h.handle(e, http.MethodPost, "/admin/integrations/:id/deliveries/:delivery/redeliver", h.adminRedeliver, accountAdmins)

	// Privacy (issue 19): erasure on request, retention rules, records of processing; Account admins.
	h.handle(e, http.MethodGet, "/admin/privacy", h.adminPrivacy, accountAdmins)
	h.handle(e, http.MethodPost, "/admin/privacy/preview", h.adminPrivacyPreview, accountAdmins)
	h.handle(e, http.MethodPost, "/admin/privacy/erase", h.adminPrivacyErase, accountAdmins)
	h.handle(e, http.MethodPost, "/admin/privacy/settings", h.adminPrivacySettings, accountAdmins)
	h.handle(e, http.MethodPost, "/admin/privacy/export", h.adminPrivacyExport, accountAdmins)
	h.handle(e, http.MethodGet, "/admin/privacy/records", h.adminPrivacyRecords, accountAdmins)

	h.handle(e, http.MethodGet, "/leads/import", h.importForm, leadWorkers)
	h.handleUpload(e, "/leads/import", h.importUpload, leadWorkers)
	h.handle(e, http.MethodGet, "/leads/import/:id", h.importPreview, leadWorkers)
	h.handle(e, http.MethodPost, "/leads/import/:id", h.importConfirm, leadWorkers)

	// Business profile (issue 8): every role reads it; Business profile and Account admins change it.
	h.handle(e, http.MethodGet, "/profile", h.profileIndex, leadReaders)
	h.handle(e, http.MethodGet, "/profile/:section", h.profileSection, leadReaders)
	h.handle(e, http.MethodGet, "/profile/:section/edit", h.profileEditSection, profileEditors)
	h.handle(e, http.MethodPost, "/profile/company", h.profileSaveCompany, profileEditors)
	h.handle(e, http.MethodPost, "/profile/keywords", h.profileAddKeyword, profileEditors)
	h.handle(e, http.MethodPost, "/profile/keywords/:id/remove", h.profileRemoveKeyword, profileEditors)
	h.handle(e, http.MethodPost, "/profile/preferences", h.profileSavePreferences, profileEditors)
	h.handle(e, http.MethodGet, "/profile/locations/new", h.profileNewLocation, profileEditors)
	h.handle(e, http.MethodPost, "/profile/locations", h.profileCreateLocation, profileEditors)
	h.handle(e, http.MethodGet, "/profile/locations/:id/edit", h.profileEditLocation, profileEditors)
	h.handle(e, http.MethodPost, "/profile/locations/:id", h.profileUpdateLocation, profileEditors)
	h.handle(e, http.MethodGet, "/profile/locations/:id/remove", h.profileConfirmRemoveLocation, profileEditors)
	h.handle(e, http.MethodPost, "/profile/locations/:id/remove", h.profileRemoveLocation, profileEditors)

	// Partner Center sync (issue 14): Account admins connect and watch it; the webhook's URL secret
	// decides who may post events; Referrals and Account admins resolve a lead's conflict.
	h.handle(e, http.MethodGet, "/admin/partner-center", h.adminPartnerCenter, accountAdmins)
	h.handle(e, http.MethodPost, "/admin/partner-center/connect", h.pcConnect, accountAdmins)
	h.handle(e, http.MethodGet, "/admin/partner-center/callback", h.pcCallback, accountAdmins)
	h.handle(e, http.MethodPost, "/admin/partner-center/disconnect", h.pcDisconnect, accountAdmins)
	h.handle(e, http.MethodPost, "/admin/partner-center/sync", h.pcSyncNow, accountAdmins)
	h.handle(e, http.MethodPost, "/admin/partner-center/webhook-secret", h.pcNewWebhookSecret, accountAdmins)
	h.handle(e, http.MethodPost, "/intake/partnercenter/:secret", h.pcWebhook, webhookReceiver)
	h.handle(e, http.MethodPost, "/leads/:id/partner-center/resolve", h.pcResolve, leadWorkers)
	h.handle(e, http.MethodPost, "/leads/:id/partner-center/reminder/dismiss", h.pcDismissReminder, leadWorkers)
}

// authorize enforces a route's policy: no session → sign-in (401 for htmx and API), wrong role → 403.
func (h *Handler) authorize(p Policy) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if p.Scope != "" {
				return h.authorizeToken(c, p.Scope, next)
			}
			u := h.user(c)
			if p.Allows(u) {
				return next(c)
			}
			if u == nil {
				req := c.Request()
				if req.Method == http.MethodGet && req.Header.Get("HX-Request") != "true" && !wantsJSON(c) {
					return c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(req.URL.RequestURI()))
				}
				return echo.NewHTTPError(http.StatusUnauthorized, h.T(c, "error.signin_required"))
			}
			if len(u.Roles) == 0 && c.Request().Method == http.MethodGet && !wantsJSON(c) {
				return c.Redirect(http.StatusSeeOther, "/no-role?next="+url.QueryEscape(c.Request().URL.RequestURI()))
			}
			return echo.NewHTTPError(http.StatusForbidden, h.T(c, "error.forbidden"))
		}
	}
}

// secretPaths are the path prefixes whose rest is a secret: the marketplace URL's token and the
// one-time links for first setup, invitations and password resets (anyone reading the log could use
// an unused link).
var secretPaths = []string{"/intake/", "/setup/", "/invite/", "/reset/"}

// logPath is a request path as it may be logged.
func logPath(path string) string {
	for _, p := range secretPaths {
		if strings.HasPrefix(path, p) {
			return p + "…"
		}
	}
	return path
}

// wantsJSON tells API-style requests, which get JSON errors.
func wantsJSON(c echo.Context) bool {
	p := c.Request().URL.Path
	return strings.HasPrefix(p, "/api/") || strings.HasPrefix(p, "/intake/") ||
		strings.HasPrefix(c.Request().Header.Get("Accept"), "application/json")
}

// New builds the Echo server with middleware, routes and the error handler.
func New(d Deps) (*echo.Echo, *Handler, error) {
	h, err := newHandler(d)
	if err != nil {
		return nil, nil, err
	}
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.Renderer = h.Views
	e.HTTPErrorHandler = h.errorHandler
	e.IPExtractor = clientAddress(h.Cfg.TrustedProxyNets)

	e.Use(middleware.RequestID())
	if h.ops.observe != nil {
		e.Use(h.observeRequests)
	}
	// One log line per request (logRequests), written after the response; a panic inside becomes that
	// request's error, with its stack.
	e.Use(h.logRequests)
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{DisableErrorHandler: true, DisableStackAll: true, LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
		return fmt.Errorf("panic: %w\n%s", err, stack)
	}}))
	e.Use(h.cacheAndTransport)
	e.Use(middleware.SecureWithConfig(middleware.SecureConfig{
		XSSProtection: "0", ContentTypeNosniff: "nosniff", XFrameOptions: "DENY", ReferrerPolicy: "same-origin",
		ContentSecurityPolicy: "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
			"connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
	}))
	// Vendor files are already small; the leads export streams hundreds of MB, where compressing would
	// triple its time (issue 4).
	e.Use(newCompressor(func(path string) bool {
		return strings.HasPrefix(path, "/static/vendor") || path == "/leads/export.csv"
	}).middleware)
	e.Use(newAdmission(admissionSlots()).middleware)
	e.Use(h.limitBody, h.loadSession, h.language, h.csrfToken)
	h.routes(e)
	return e, h, nil
}

// clientAddress takes the client's address from the connection, or, when the connection comes from a
// trusted proxy (LEADDESK_TRUSTED_PROXIES), from X-Forwarded-For: the rightmost address there that is
// not itself a trusted proxy, so a client cannot choose its address by sending the header itself.
func clientAddress(trusted []*net.IPNet) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	// Nothing is trusted by default, not even loopback or private networks: only what is configured.
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range trusted {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// cacheAndTransport keeps every response but the static files out of caches — pages show customer
// data, reset links and tokens, and a shared or back-button cache must not hand them to the next
// person — and, when the base URL is https, tells browsers to use nothing else (HSTS), however this
// request arrived (a TLS-terminating proxy talks plain HTTP to us).
func (h *Handler) cacheAndTransport(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		hd := c.Response().Header()
		if !strings.HasPrefix(c.Request().URL.Path, "/static/") {
			hd.Set("Cache-Control", "no-store")
		}
		if h.Cfg.Secure() {
			hd.Set("Strict-Transport-Security", "max-age=31536000")
		}
		return next(c)
	}
}
