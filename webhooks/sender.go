package webhooks

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"leaddesk/config"
	"leaddesk/db"
	"leaddesk/internal/secretkey"
)

// Delivery is at-least-once: a delivery is marked 'sending' with a lease before the request and 'sent'
// after a 2xx answer. If the process dies in between, the lease runs out and the delivery goes again
// with the same webhook-id, so receivers that remember ids see it once. A restart never loses one.

// GiveUpAfter is how long a delivery is retried, and how long an endpoint may fail before it is
// disabled and its owner told.
const GiveUpAfter = 24 * time.Hour

// ResponseExcerpt is how much of a receiver's answer the delivery log keeps; more is never read.
const ResponseExcerpt = 1024

// Backoff is the wait before retry number attempts+1: 30 s, 1 min, 2, 4, … capped at two hours,
// which spreads about 18 attempts over GiveUpAfter.
func Backoff(attempts int) time.Duration {
	d := 30 * time.Second
	for i := 1; i < attempts && d < 2*time.Hour; i++ {
		d *= 2
	}
	return min(d, 2*time.Hour)
}

// Sender delivers due webhooks (the webhooks job).
type Sender struct {
	Store     *Store
	Guard     Guard
	Lease     time.Duration // how long a claimed delivery is left to its sender; default 2 min
	MaxPerRun int           // default 200
	Log       *slog.Logger
	BaseURL   string // for the link in the owner's mail

	https, http *http.Client
}

// DefaultTimeout bounds one request: connecting, the TLS handshake, the answer's headers and the
// excerpt of its body.
const DefaultTimeout = 10 * time.Second

// NewSender builds the sender; its HTTP clients dial only what g allows and give up after timeout.
func NewSender(st *Store, g Guard, timeout time.Duration, log *slog.Logger) *Sender {
	return &Sender{Store: st, Guard: g, Log: log,
		https: g.forScheme("https").Client(timeout), http: g.forScheme("http").Client(timeout)}
}

func (s *Sender) client(scheme string) *http.Client {
	if scheme == "http" {
		return s.http
	}
	return s.https
}

// Run delivers every delivery due at now, one at a time, oldest first, never two of the same
// endpoint and lead out of order.
func (s *Sender) Run(ctx context.Context, now time.Time) error {
	lease := s.Lease
	if lease <= 0 {
		lease = 2 * time.Minute
	}
	max := s.MaxPerRun
	if max <= 0 {
		max = 200
	}
	for i := 0; i < max && ctx.Err() == nil; i++ {
		d, err := s.claim(ctx, now, lease)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := s.deliver(ctx, d, now); err != nil {
			return err
		}
	}
	return nil
}

// claim takes the next due delivery atomically (one UPDATE … RETURNING): a queued one whose time
// has come, or one left 'sending' by a sender that died (its lease ran out), of an enabled endpoint,
// and only if no earlier delivery to the same endpoint about the same lead is still waiting — so a
// receiver sees a lead's changes in the order they happened. (An expiry card held for its time does
// not hold up what follows it.)
func (s *Sender) claim(ctx context.Context, now time.Time, lease time.Duration) (*Delivery, error) {
	d, err := scanDelivery(s.Store.DB.QueryRowContext(ctx, `UPDATE webhook_deliveries SET status = 'sending', attempts = attempts + 1, next_at = ?
		WHERE id = (SELECT d.id FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
			WHERE d.status IN ('queued', 'sending') AND d.next_at <= ? AND e.disabled_at IS NULL
			  AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p WHERE p.endpoint_id = d.endpoint_id AND p.lead_id = d.lead_id
			                  AND p.id < d.id AND p.status IN ('queued', 'sending') AND p.event_type != 'channel.expiring')
			ORDER BY d.next_at, d.id LIMIT 1)
		RETURNING `+deliveryColumns, now.Add(lease).Unix(), now.Unix()))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("webhooks: claim: %w", err)
	}
	return d, nil
}

// attempt is what one request came to.
type attempt struct {
	status   int
	latency  time.Duration
	response string
	err      error
}

func (a attempt) ok() bool { return a.err == nil && a.status >= 200 && a.status < 300 }

// deliver sends one claimed delivery and records the outcome; only a database error is returned.
func (s *Sender) deliver(ctx context.Context, d *Delivery, now time.Time) error {
	e, err := s.Store.Endpoint(ctx, d.EndpointID)
	if errors.Is(err, ErrNotFound) {
		return nil // deleted meanwhile, its deliveries with it
	}
	if err != nil {
		return err
	}
	if d.EventType == "channel.expiring" {
		l, err := s.Store.DB.LeadByID(ctx, d.LeadID)
		if err != nil && !errors.Is(err, db.ErrNotFound) {
			return err
		}
		if err != nil || l.Status != "received" {
			// Answered (or gone) since the card was queued: it would tell the channel something false.
			_, err := s.Store.DB.ExecContext(ctx, `UPDATE webhook_deliveries SET status = 'skipped', next_at = ?, last_at = ? WHERE id = ?`,
				now.Unix(), now.Unix(), d.ID)
			return err
		}
	}
	a := s.send(ctx, e, d, now)
	if a.ok() {
		s.log().Info("webhook delivered", "delivery", d.ID, "endpoint", e.ID, "type", d.EventType, "status", a.status, "attempt", d.Attempts)
	} else {
		s.log().Warn("webhook failed", "delivery", d.ID, "endpoint", e.ID, "type", d.EventType, "status", a.status, "attempt", d.Attempts, "err", a.errorText())
	}
	return s.Store.DB.InTx(ctx, func(tx *sql.Tx) error { return s.recordTx(ctx, tx, e, d, a, now) })
}

func (a attempt) errorText() string {
	switch {
	case a.err != nil:
		return a.err.Error()
	case a.status >= 300 && a.status < 400:
		return "HTTP " + strconv.Itoa(a.status) + ": redirects are not followed"
	case !a.ok():
		return "HTTP " + strconv.Itoa(a.status)
	}
	return ""
}

// send makes the signed request. The secret never leaves this function but in the signature.
func (s *Sender) send(ctx context.Context, e *Endpoint, d *Delivery, now time.Time) attempt {
	u, err := url.Parse(e.URL)
	if err != nil {
		return attempt{err: fmt.Errorf("the endpoint URL does not parse")}
	}
	body := []byte(d.Payload)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.URL, bytes.NewReader(body))
	if err != nil {
		return attempt{err: fmt.Errorf("the endpoint URL is not usable")}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Leaddesk-Webhooks/1")
	if e.Kind == "webhook" { // Teams and Slack check no signature: their URL is the secret
		secret, err := s.Store.secret(e)
		if err != nil {
			return attempt{err: fmt.Errorf("the signing secret cannot be opened (%w): the instance key changed; make a new endpoint", err)}
		}
		sig, err := Sign(secret, d.MsgID, now, body)
		if err != nil {
			return attempt{err: err}
		}
		req.Header.Set("webhook-id", d.MsgID)
		req.Header.Set("webhook-timestamp", strconv.FormatInt(now.Unix(), 10))
		req.Header.Set("webhook-signature", sig)
	}
	start := time.Now()
	res, err := s.client(u.Scheme).Do(req)
	if err != nil {
		return attempt{latency: time.Since(start), err: cleanErr(err)}
	}
	defer res.Body.Close()
	excerpt, _ := io.ReadAll(io.LimitReader(res.Body, ResponseExcerpt))
	return attempt{status: res.StatusCode, latency: time.Since(start), response: validUTF8(excerpt)}
}

// cleanErr drops the URL from a client error (it may carry a token in its query) and keeps the cause.
func cleanErr(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(err, ErrRefusedAddress) {
		// net.OpError wraps the Control error; show just the guard's words.
		msg := err.Error()
		if i := strings.Index(msg, ErrRefusedAddress.Error()); i >= 0 {
			return errors.New(msg[i:])
		}
	}
	return err
}

func validUTF8(b []byte) string {
	for len(b) > 0 && !utf8.Valid(b) {
		b = b[:len(b)-1] // an excerpt cut inside a character
	}
	return string(b)
}

// recordTx stores the attempt: sent; or queued again after Backoff; or failed once GiveUpAfter has
// passed since the delivery was queued. It tracks the endpoint's failing streak and disables an
// endpoint that failed for GiveUpAfter without one success, telling its owner by mail.
func (s *Sender) recordTx(ctx context.Context, tx *sql.Tx, e *Endpoint, d *Delivery, a attempt, now time.Time) error {
	status, next := "queued", now.Add(Backoff(d.Attempts))
	var sent any
	switch {
	case a.ok():
		status, next, sent = "sent", now, now.Unix()
	case now.Sub(d.CreatedAt) >= GiveUpAfter:
		status, next = "failed", now
	}
	if _, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET status = ?, next_at = ?, sent_at = COALESCE(?, sent_at), last_at = ?,
		last_status = ?, last_latency = ?, last_error = ?, last_response = ? WHERE id = ?`,
		status, next.Unix(), sent, now.Unix(), a.status, a.latency.Milliseconds(), a.errorText(), a.response, d.ID); err != nil {
		return fmt.Errorf("webhooks: record delivery %d: %w", d.ID, err)
	}
	if a.ok() {
		_, err := tx.ExecContext(ctx, `UPDATE webhook_endpoints SET failing_since = NULL WHERE id = ?`, e.ID)
		return err
	}
	var since int64
	if err := tx.QueryRowContext(ctx, `UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, ?) WHERE id = ?
		RETURNING failing_since`, now.Unix(), e.ID).Scan(&since); err != nil {
		return fmt.Errorf("webhooks: endpoint %d failing: %w", e.ID, err)
	}
	if now.Sub(time.Unix(since, 0)) < GiveUpAfter {
		return nil
	}
	res, err := tx.ExecContext(ctx, `UPDATE webhook_endpoints SET disabled_at = ?, disabled_reason = ? WHERE id = ? AND disabled_at IS NULL`,
		now.Unix(), a.errorText(), e.ID)
	if err != nil {
		return fmt.Errorf("webhooks: disable endpoint %d: %w", e.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	s.log().Warn("webhook endpoint disabled after failing for 24 hours", "endpoint", e.ID, "err", a.errorText())
	return tellOwnerTx(ctx, tx, e, a.errorText(), s.BaseURL+"/admin/integrations", now)
}

// tellOwnerTx queues the "endpoint disabled" mail to the endpoint's owner (who created it), in their
// language; an endpoint whose owner is gone tells nobody but Admin › Integrations.
func tellOwnerTx(ctx context.Context, tx *sql.Tx, e *Endpoint, reason, link string, now time.Time) error {
	if e.OwnerUserID == 0 {
		return nil
	}
	u, err := db.UserByIDTx(ctx, tx, e.OwnerUserID)
	if errors.Is(err, db.ErrNotFound) || (err == nil && u.Disabled) {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = db.EnqueueMailTx(ctx, tx, now, db.OutboxMessage{Kind: "webhook_disabled", ToEmail: u.Email, ToName: u.Name, Lang: u.Lang,
		Params:    map[string]any{"name": e.Name, "host": hostOf(e.URL), "reason": reason, "link": link},
		DedupeKey: "webhook_disabled:" + strconv.FormatInt(e.ID, 10) + ":" + strconv.FormatInt(now.Unix(), 10)})
	return err
}

func (s *Sender) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

// hostOf is the host of a target URL, for messages: the path and query of incoming-webhook URLs are
// often their secret.
func hostOf(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Host
	}
	return ""
}

// NewSenderFor builds the instance's sender from its configuration: the sealer from the master key,
// the guard from LEADDESK_WEBHOOKS_ALLOW_LOOPBACK.
func NewSenderFor(cfg *config.Config, d *db.DB, log *slog.Logger) (*Sender, error) {
	master, err := secretkey.Load(context.Background(), cfg, d)
	if err != nil {
		return nil, err
	}
	seals, err := secretkey.NewSealer(master)
	if err != nil {
		return nil, err
	}
	s := NewSender(&Store{DB: d, Seals: seals}, Guard{AllowLoopback: cfg.WebhooksAllowLoopback}, DefaultTimeout, log)
	s.BaseURL = cfg.BaseURL
	return s, nil
}
