// Package partnercenter is Leaddesk's client of Microsoft's Partner Center Referrals API: the App +
// User sign-in of the Secure Application Model (authorization code with PKCE, then refresh tokens),
// the referrals calls (list with OData paging, get, JSON-Patch update with If-Match), the webhook
// event pointer, and the pure mapping between a referral and a lead. It knows nothing of the
// database or of HTTP handlers; the sync queue, the admin page and the CLI build on it.
package partnercenter

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"leaddesk/internal/clock"
)

// Defaults of Config.
const (
	DefaultAPIBase   = "https://api.partner.microsoft.com"
	DefaultAuthority = "https://login.microsoftonline.com/{tenant}"
	// DefaultScope asks for the Partner Center resource and a refresh token (Entra v2 endpoint).
	DefaultScope        = "https://api.partner.microsoft.com/.default offline_access"
	DefaultTimeout      = 30 * time.Second
	DefaultPageSize     = 100
	DefaultMaxBodyBytes = 8 << 20
	// ReferralsPath is where the referrals live under the API base.
	ReferralsPath = "/v1.0/engagements/referrals"
	// documentedEventPrefix is the ResourceUri prefix of the referral events in Microsoft's webhook
	// documentation; it names another host than the API, so it is only accepted for the real API.
	documentedEventPrefix = "https://api.partnercenter.microsoft.com/engagements/v1/referrals/"
	// tokenSkew is how long before its expiry a cached access token is replaced.
	tokenSkew = 2 * time.Minute
)

// Config is what the client needs; only Tenant, ClientID and ClientSecret have no default.
type Config struct {
	Tenant       string
	ClientID     string
	ClientSecret string
	// RedirectURL is where the authorize endpoint sends the admin back (the app's callback).
	RedirectURL string
	// Authority is the Entra authority; "{tenant}" in it is replaced by Tenant.
	Authority string
	// APIBase is scheme://host of the Referrals API; nothing outside it is ever requested.
	APIBase string
	Scope   string
	// RefreshToken is the stored grant, if the partner has connected already.
	RefreshToken string
	// OnRefreshToken is called with every new refresh token (Entra rotates them) so the caller can
	// store it encrypted; an error is returned from the call that refreshed.
	OnRefreshToken func(ctx context.Context, refreshToken string) error
	// OnCall, if set, hears of every HTTP call made (for the admin page's log; never a secret).
	OnCall func(CallLog)
	// WebhookResourcePrefixes are further ResourceUri prefixes a webhook event may point at.
	WebhookResourcePrefixes []string
	HTTPClient              *http.Client
	Clock                   clock.Clock
	Timeout                 time.Duration // per HTTP call
	PageSize                int           // $top of a list call
	MaxBodyBytes            int64         // larger answers are an error
}

// CallLog is one HTTP call, as the admin page lists it. Path has no query secrets: the API takes none.
type CallLog struct {
	Method   string
	Path     string
	Status   int
	Duration time.Duration
	Err      string
	// RequestID is the MS-RequestId sent, to quote to Microsoft support.
	RequestID string
}

// newUUID is a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// Errors a caller acts on.
var (
	// ErrGrantRevoked is a refresh token Entra refuses (revoked, expired, consent withdrawn): an admin
	// has to connect again.
	ErrGrantRevoked = errors.New("partnercenter: the Partner Center grant was revoked or has expired; reconnect")
	// ErrNotConnected is a call made before any grant was stored.
	ErrNotConnected = errors.New("partnercenter: not connected to Partner Center")
	// ErrStale is a PATCH whose If-Match no longer matches: someone else changed the referral.
	ErrStale = errors.New("partnercenter: the referral changed in Partner Center since it was read")
	// ErrNotFound is a referral that does not exist (or the signed-in user may not see).
	ErrNotFound = errors.New("partnercenter: referral not found")
	// ErrTooLarge is an answer larger than Config.MaxBodyBytes.
	ErrTooLarge = errors.New("partnercenter: answer too large")
	// ErrForeignLink is an @odata.nextLink or ResourceUri outside the configured API base.
	ErrForeignLink = errors.New("partnercenter: link points outside the configured API base")
)

// APIError is an HTTP answer the client did not expect. Body is the (capped) answer, so a permanent
// failure can be shown as Microsoft worded it.
type APIError struct {
	Method     string
	Path       string
	StatusCode int
	Body       string
	// RetryAfter is the wait the server asked for (Retry-After), zero if none.
	RetryAfter time.Duration
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("partnercenter: %s %s: %d %s", e.Method, e.Path, e.StatusCode, http.StatusText(e.StatusCode))
	if e.RetryAfter > 0 {
		s += fmt.Sprintf(" (retry after %s)", e.RetryAfter)
	}
	if e.Body != "" {
		s += ": " + e.Body
	}
	return s
}

// Is lets errors.Is see ErrStale in a 412 and ErrNotFound in a 404.
func (e *APIError) Is(target error) bool {
	return (target == ErrStale && e.StatusCode == http.StatusPreconditionFailed) ||
		(target == ErrNotFound && e.StatusCode == http.StatusNotFound)
}

// Retryable reports whether the same call may succeed later: throttling and passing server trouble.
func (e *APIError) Retryable() bool {
	switch e.StatusCode {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable, http.StatusBadGateway,
		http.StatusGatewayTimeout, http.StatusInternalServerError, http.StatusRequestTimeout:
		return true
	}
	return false
}

// IsRetryable reports whether err is worth retrying with backoff (a retryable APIError or a network
// failure) and the wait the server asked for, if any. ErrStale, ErrGrantRevoked, 400s and oversized
// answers are not: they need a person or a re-read.
func IsRetryable(err error) (bool, time.Duration) {
	if err == nil {
		return false, 0
	}
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Retryable(), ae.RetryAfter
	}
	if errors.Is(err, ErrGrantRevoked) || errors.Is(err, ErrNotConnected) || errors.Is(err, ErrTooLarge) ||
		errors.Is(err, ErrForeignLink) || errors.Is(err, ErrStale) || errors.Is(err, ErrNotFound) {
		return false, 0
	}
	var fe *FieldError
	if errors.As(err, &fe) {
		return false, 0
	}
	return true, 0 // network trouble, timeouts
}

// Client talks to one partner's Partner Center. It is safe for concurrent use.
type Client struct {
	cfg       Config
	authority string
	api       *url.URL
	prefixes  []string

	mu           sync.Mutex // guards the fields below and serialises refreshes (tokens rotate)
	refreshToken string
	accessToken  string
	accessExpiry time.Time
}

// New checks cfg and returns a client.
func New(cfg Config) (*Client, error) {
	if cfg.Tenant == "" || cfg.ClientID == "" || cfg.ClientSecret == "" {
		return nil, errors.New("partnercenter: tenant, client id and client secret are required")
	}
	if cfg.APIBase == "" {
		cfg.APIBase = DefaultAPIBase
	}
	if cfg.Authority == "" {
		cfg.Authority = DefaultAuthority
	}
	if cfg.Scope == "" {
		cfg.Scope = DefaultScope
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{}
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.System{}
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.PageSize <= 0 {
		cfg.PageSize = DefaultPageSize
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	api, err := url.Parse(strings.TrimRight(cfg.APIBase, "/"))
	if err != nil || (api.Scheme != "https" && api.Scheme != "http") || api.Host == "" {
		return nil, fmt.Errorf("partnercenter: API base %q is not an http(s) URL", cfg.APIBase)
	}
	authority := strings.TrimRight(strings.ReplaceAll(cfg.Authority, "{tenant}", url.PathEscape(cfg.Tenant)), "/")
	if a, err := url.Parse(authority); err != nil || (a.Scheme != "https" && a.Scheme != "http") || a.Host == "" {
		return nil, fmt.Errorf("partnercenter: authority %q is not an http(s) URL", cfg.Authority)
	}
	c := &Client{cfg: cfg, authority: authority, api: api, refreshToken: cfg.RefreshToken}
	c.prefixes = append([]string{api.String() + ReferralsPath + "/"}, cfg.WebhookResourcePrefixes...)
	if api.String() == DefaultAPIBase {
		c.prefixes = append(c.prefixes, documentedEventPrefix)
	}
	return c, nil
}

// Connected reports whether the client holds a grant.
func (c *Client) Connected() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.refreshToken != ""
}

// SetGrant replaces the refresh token and drops the cached access token: another process of the
// same instance (a CLI run beside the server) rotated the grant and stored the new one.
func (c *Client) SetGrant(refreshToken string) {
	c.mu.Lock()
	c.refreshToken, c.accessToken, c.accessExpiry = refreshToken, "", time.Time{}
	c.mu.Unlock()
}

// Disconnect forgets the grant and any cached access token.
func (c *Client) Disconnect() {
	c.mu.Lock()
	c.refreshToken, c.accessToken, c.accessExpiry = "", "", time.Time{}
	c.mu.Unlock()
}

// request is one API call; body is kept so the call can be sent again after a token refresh.
type request struct {
	method  string
	url     string
	body    []byte
	headers map[string]string
}

// send makes an authenticated API call and returns the answer's status, headers and capped body. A
// 401 invalidates the cached access token, refreshes once and sends again.
func (c *Client) send(ctx context.Context, rq request) (int, http.Header, []byte, error) {
	for attempt := 0; ; attempt++ {
		tok, err := c.token(ctx, attempt > 0)
		if err != nil {
			return 0, nil, nil, err
		}
		// MS-RequestId and MS-CorrelationId are the Partner Center REST headers Microsoft support asks for.
		hdr := map[string]string{"Authorization": "Bearer " + tok, "Accept": "application/json",
			"MS-RequestId": newUUID(), "MS-CorrelationId": newUUID()}
		for k, v := range rq.headers {
			hdr[k] = v
		}
		status, h, body, err := c.roundTrip(ctx, rq.method, rq.url, rq.body, hdr)
		if err != nil {
			return 0, nil, nil, err
		}
		if status == http.StatusUnauthorized && attempt == 0 {
			continue
		}
		return status, h, body, nil
	}
}

// roundTrip sends one HTTP request with the per-call timeout and reads at most MaxBodyBytes.
func (c *Client) roundTrip(ctx context.Context, method, u string, body []byte, hdr map[string]string) (int, http.Header, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("partnercenter: %s: %w", method, err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	start := c.cfg.Clock.Now()
	logPath := req.URL.Path
	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		c.logCall(method, logPath, 0, start, err, req.Header.Get("MS-RequestId"))
		// The url.Error around err repeats the whole URL; the path is enough and the query stays out.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return 0, nil, nil, fmt.Errorf("partnercenter: %s %s: %w", method, logPath, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, c.cfg.MaxBodyBytes+1))
	if err == nil && int64(len(data)) > c.cfg.MaxBodyBytes {
		err = fmt.Errorf("%w: %s %s answered more than %d bytes", ErrTooLarge, method, logPath, c.cfg.MaxBodyBytes)
	} else if err != nil {
		err = fmt.Errorf("partnercenter: %s %s: reading the answer: %w", method, logPath, err)
	}
	c.logCall(method, logPath, resp.StatusCode, start, err, req.Header.Get("MS-RequestId"))
	if err != nil {
		return 0, nil, nil, err
	}
	return resp.StatusCode, resp.Header, data, nil
}

func (c *Client) logCall(method, path string, status int, start time.Time, err error, requestID string) {
	if c.cfg.OnCall == nil {
		return
	}
	l := CallLog{Method: method, Path: path, Status: status, Duration: c.cfg.Clock.Now().Sub(start), RequestID: requestID}
	if err != nil {
		l.Err = err.Error()
	}
	c.cfg.OnCall(l)
}

// apiError builds the error for an unexpected answer, with the server's Retry-After.
func (c *Client) apiError(method, u string, status int, h http.Header, body []byte) error {
	path := u
	if p, err := url.Parse(u); err == nil {
		path = p.Path
	}
	const maxShown = 2000
	b := strings.TrimSpace(string(body))
	if len(b) > maxShown {
		b = b[:maxShown] + "…"
	}
	return &APIError{Method: method, Path: path, StatusCode: status, Body: b,
		RetryAfter: ParseRetryAfter(h.Get("Retry-After"), c.cfg.Clock.Now())}
}

// ParseRetryAfter reads a Retry-After header: delay-seconds or an HTTP date (RFC 9110 §10.2.3).
// Anything else, or a date in the past, is zero.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0
		}
		return time.Duration(min(n, 86400)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
