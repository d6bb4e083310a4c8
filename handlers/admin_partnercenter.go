package handlers

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"leaddesk/db"
	"leaddesk/partnercenter"
	"leaddesk/pcsync"
)

// PartnerCenterWeb is where a person opens referrals in Partner Center (the web UI, not the API).
// UNCONFIRMED deep link: Microsoft documents no per-referral URL, so this opens the leads workspace
// with the id in the query; change it here if Microsoft publishes one.
const (
	PartnerCenterWeb         = "https://partner.microsoft.com/dashboard/referrals/v2/leads"
	partnerCenterReferralWeb = PartnerCenterWeb + "?referralId="
)

// adminPCData is Admin › Partner Center.
type adminPCData struct {
	Configured  bool
	Conn        *db.PCConnection
	Connected   bool
	Revoked     bool
	WebhookURL  string
	Queue       map[string]int
	Waiting     int
	Problems    []db.PCProblem
	Calls       []db.PCCall
	SyncErrors  []db.PCSyncError
	RedirectURI string // for the README's Entra app registration
}

// adminPartnerCenter shows the connection, the last pull, the queue, failures and the recent calls.
func (h *Handler) adminPartnerCenter(c echo.Context) error {
	ctx := c.Request().Context()
	d := &adminPCData{Configured: h.PC != nil, RedirectURI: h.Cfg.BaseURL + pcsync.CallbackPath}
	conn, err := h.DB.PCConnection(ctx)
	if err != nil {
		return err
	}
	if conn.WebhookSecret == "" {
		if conn.WebhookSecret, err = newWebhookSecret(); err != nil {
			return err
		}
		if err := h.DB.SetPCWebhookSecret(ctx, conn.WebhookSecret); err != nil {
			return err
		}
	}
	d.Conn, d.Connected, d.Revoked = conn, conn.Connected(), conn.RefreshSealed != "" && conn.RevokedAt != nil
	d.WebhookURL = h.Cfg.BaseURL + "/intake/partnercenter/" + conn.WebhookSecret
	if d.Queue, err = h.DB.PCQueueCounts(ctx); err != nil {
		return err
	}
	d.Waiting = d.Queue["queued"] + d.Queue["sending"]
	if d.Problems, err = h.DB.PCProblems(ctx, 50); err != nil {
		return err
	}
	if d.Calls, err = h.DB.RecentPCCalls(ctx, 30); err != nil {
		return err
	}
	if d.SyncErrors, err = h.DB.RecentPCSyncErrors(ctx, 20); err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "admin/partner_center", h.page(c, h.T(c, "pc.title"), "admin", d))
}

func newWebhookSecret() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// requirePC answers 409 when the sync is not configured.
func (h *Handler) requirePC(c echo.Context) error {
	if h.PC == nil {
		return echo.NewHTTPError(http.StatusConflict, h.T(c, "pc.not_configured"))
	}
	return nil
}

// pcConnect starts the authorization-code flow with PKCE: the state and verifier stay on the server.
func (h *Handler) pcConnect(c echo.Context) error {
	if err := h.requirePC(c); err != nil {
		return err
	}
	to, err := h.PC.StartConnect(c.Request().Context(), h.user(c).ID)
	if err != nil {
		return err
	}
	if c.Request().Header.Get("HX-Request") == "true" {
		c.Response().Header().Set("HX-Redirect", to)
		return c.NoContent(http.StatusNoContent)
	}
	return c.Redirect(http.StatusSeeOther, to)
}

// pcCallback is where Entra sends the admin back with the code (or an error).
func (h *Handler) pcCallback(c echo.Context) error {
	if err := h.requirePC(c); err != nil {
		return err
	}
	if e := c.QueryParam("error"); e != "" {
		h.Log.Warn("partner center: consent refused", "error", e)
		h.setFlash(c, "danger", "pc.flash.consent_refused")
		return h.redirect(c, "/admin/partner-center")
	}
	err := h.PC.FinishConnect(c.Request().Context(), h.user(c).ID, c.QueryParam("state"), c.QueryParam("code"))
	switch {
	case errors.Is(err, pcsync.ErrBadState):
		return echo.NewHTTPError(http.StatusBadRequest, h.T(c, "pc.bad_state"))
	case err != nil:
		h.Log.Warn("partner center: connect failed", "err", err)
		h.setFlash(c, "danger", "pc.flash.connect_failed")
		return h.redirect(c, "/admin/partner-center")
	}
	h.Log.Info("partner center: connected", "by", h.user(c).ID)
	h.auditPC(c, "partner_center.connect")
	h.setFlash(c, "success", "pc.flash.connected")
	return h.redirect(c, "/admin/partner-center")
}

// pcDisconnect deletes the grant.
func (h *Handler) pcDisconnect(c echo.Context) error {
	if err := h.requirePC(c); err != nil {
		return err
	}
	if err := h.PC.Disconnect(c.Request().Context()); err != nil {
		return err
	}
	h.Log.Info("partner center: disconnected", "by", h.user(c).ID)
	h.auditPC(c, "partner_center.disconnect")
	h.setFlash(c, "success", "pc.flash.disconnected")
	return h.redirect(c, "/admin/partner-center")
}

// pcSyncNow pulls now and sends the queue.
func (h *Handler) pcSyncNow(c echo.Context) error {
	if err := h.requirePC(c); err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, err := h.PC.Pull(ctx); err != nil {
		h.Log.Warn("partner center: sync now", "err", err)
		h.setFlash(c, "danger", "pc.flash.sync_failed")
		return h.redirect(c, "/admin/partner-center")
	}
	if err := h.PC.RunQueue(ctx, h.Clock.Now()); err != nil {
		return err
	}
	h.setFlash(c, "success", "pc.flash.synced")
	return h.redirect(c, "/admin/partner-center")
}

// pcNewWebhookSecret replaces the webhook URL's secret (the old URL stops working).
func (h *Handler) pcNewWebhookSecret(c echo.Context) error {
	s, err := newWebhookSecret()
	if err != nil {
		return err
	}
	if err := h.DB.SetPCWebhookSecret(c.Request().Context(), s); err != nil {
		return err
	}
	h.auditPC(c, "partner_center.webhook_secret")
	h.setFlash(c, "success", "pc.flash.webhook_secret")
	return h.redirect(c, "/admin/partner-center")
}

// pcWebhook receives Partner Center's webhook events. The body is capped before anything else, the
// URL's secret compared in constant time; a referral event queues a fetch of that referral by its id
// from the configured API base (never the event's URI), which the pc-queue job runs within a second,
// so the answer is immediate.
func (h *Handler) pcWebhook(c echo.Context) error {
	req := c.Request()
	req.Body = http.MaxBytesReader(c.Response(), req.Body, partnercenter.MaxEventBytes)
	ctx := req.Context()
	conn, err := h.DB.PCConnection(ctx)
	if err != nil {
		return err
	}
	got := c.Param("secret")
	if h.PC == nil || conn.WebhookSecret == "" || subtle.ConstantTimeCompare([]byte(got), []byte(conn.WebhookSecret)) != 1 {
		return echo.NewHTTPError(http.StatusNotFound, h.T(c, "error.not_found"))
	}
	body, err := io.ReadAll(req.Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge, h.T(c, "pc.webhook.too_large"))
	}
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, h.T(c, "pc.webhook.bad_event"))
	}
	if err := h.PC.ReceiveEvent(ctx, body); err != nil {
		if errors.Is(err, partnercenter.ErrForeignLink) {
			h.Log.Warn("partner center: webhook event points outside the API base")
			return echo.NewHTTPError(http.StatusUnprocessableEntity, h.T(c, "pc.webhook.foreign"))
		}
		if errors.Is(err, pcsync.ErrBadEvent) {
			return echo.NewHTTPError(http.StatusBadRequest, h.T(c, "pc.webhook.bad_event"))
		}
		return err
	}
	return c.JSON(http.StatusAccepted, map[string]string{"status": "accepted"})
}

// pcResolve applies a Referrals admin's choice on a lead in conflict: keep ours (pushed again on the
// fresh eTag) or take Partner Center's (applied through the leads service).
func (h *Handler) pcResolve(c echo.Context) error {
	id, err := h.detailLeadID(c)
	if err != nil {
		return err
	}
	if err := h.requirePC(c); err != nil {
		return err
	}
	ctx := c.Request().Context()
	switch c.FormValue("choice") {
	case "ours":
		err = h.PC.KeepOurs(ctx, id)
	case "theirs":
		err = h.PC.TakeTheirs(ctx, id)
	default:
		return echo.NewHTTPError(http.StatusUnprocessableEntity, h.T(c, "pc.resolve.choice"))
	}
	var fe *partnercenter.FieldError
	switch {
	case errors.Is(err, pcsync.ErrNoConflict):
		return echo.NewHTTPError(http.StatusConflict, h.T(c, "pc.resolve.no_conflict"))
	case errors.As(err, &fe):
		return echo.NewHTTPError(http.StatusUnprocessableEntity, h.T(c, "pc.resolve.not_allowed", fe.Problem))
	case err != nil:
		return err
	}
	h.setFlash(c, "success", "pc.flash.resolved")
	return h.redirect(c, "/leads/"+c.Param("id"))
}

// pcDismissReminder dismisses the reminder to mark a marketplace lead in Partner Center.
func (h *Handler) pcDismissReminder(c echo.Context) error {
	id, err := h.detailLeadID(c)
	if err != nil {
		return err
	}
	if err := h.DB.DismissPCReminder(c.Request().Context(), id, h.user(c).ID, h.Clock.Now()); err != nil {
		return err
	}
	return h.redirect(c, safeNext(c.FormValue("next"), "/action-center"))
}

// pcLeadView is the Partner Center state a lead's details page shows.
type pcLeadView struct {
	State       string // in_sync, pending, failed, conflict
	Error       string
	LastSyncAt  *time.Time
	Link        string
	Conflict    *pcsync.Conflict
	Marketplace bool // a marketplace lead: open in Partner Center, marked by hand
	Reminder    bool // its "mark it in Partner Center" reminder is open
}

// pcLeadState reads what the details page shows of a lead's Partner Center sync, nil for a lead
// that has none.
func (h *Handler) pcLeadState(c echo.Context, leadID int64, tab string) (*pcLeadView, error) {
	ctx := c.Request().Context()
	if tab == "marketplace" {
		open, err := h.DB.PCReminderOpen(ctx, leadID)
		if err != nil {
			return nil, err
		}
		return &pcLeadView{Marketplace: true, Link: PartnerCenterWeb, Reminder: open}, nil
	}
	ref, err := db.PCReferralByLead(ctx, h.DB, leadID)
	if errors.Is(err, db.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	v := &pcLeadView{State: ref.State, Error: ref.Error, LastSyncAt: ref.LastSyncAt, Link: partnerCenterReferralWeb + ref.ReferralID}
	if ref.State == db.PCConflict && ref.Conflict != "" {
		var cf pcsync.Conflict
		if json.Unmarshal([]byte(ref.Conflict), &cf) == nil {
			v.Conflict = &cf
		}
	}
	return v, nil
}

// pcActionItems are the Partner Center items of the Action Center: "reconnect" for Account admins when
// Entra refused the grant, and the open reminders to mark marketplace leads accepted here.
type pcActionItems struct {
	Reconnect bool
	Reminders []db.PCReminder
}

func (h *Handler) pcActionItems(c echo.Context) (*pcActionItems, error) {
	ctx := c.Request().Context()
	out := &pcActionItems{}
	if h.PC != nil && h.user(c).HasAny(db.RoleAccount) {
		conn, err := h.DB.PCConnection(ctx)
		if err != nil {
			return nil, err
		}
		out.Reconnect = conn.RefreshSealed != "" && conn.RevokedAt != nil
	}
	var err error
	if out.Reminders, err = h.DB.OpenPCReminders(ctx, 20); err != nil {
		return nil, err
	}
	if !out.Reconnect && len(out.Reminders) == 0 {
		return nil, nil
	}
	return out, nil
}

// auditPC records an Account admin's change of the Partner Center connection (never a secret).
func (h *Handler) auditPC(c echo.Context, action string) {
	if err := db.Audit(c.Request().Context(), h.DB, h.Clock.Now(), h.user(c).ID, "", action, "", "{}"); err != nil {
		h.Log.Error("audit", "action", action, "err", err)
	}
}
