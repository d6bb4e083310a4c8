package handlers

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/labstack/echo/v4"

	"leaddesk/db"
)

// Sign-in throttling. Every attempt is counted before its password is checked, in one transaction
// with the check of the counters (db.ReserveSignInAttempt), so parallel attempts cannot all pass;
// a success takes its count back.
//
//   - A client address may fail throttlePerAddress times in throttleWindow, then waits until the
//     window since its last failure has passed. The address is the peer's, or the one a trusted proxy
//     reports (LEADDESK_TRUSTED_PROXIES), so users behind a proxy do not share one counter.
//   - An account (by the email typed, which need not exist) slows down rather than locks: after
//     accountFreeFailures, each attempt waits accountDelayBase, doubling with every further failure up
//     to accountDelayMax. Unknown emails count exactly like real ones, so answers tell nothing about
//     which accounts exist.
//   - A browser the account has signed in from before carries a device cookie for it; there the
//     account's delay does not apply, only the browser's own counter (throttlePerDevice in the window).
//     So strangers guessing a named user's password slow down only themselves, never the user who holds
//     the right one (OWASP's device-cookie scheme).
//
// A correct sign-in clears the counter it was held to (the browser's, or the account's from a new
// browser), never the address's: mixing in sign-ins to one's own account buys no more guesses.
const (
	throttleWindow      = 15 * time.Minute
	throttlePerAddress  = 20
	throttlePerDevice   = 5
	accountFreeFailures = 5
	accountDelayBase    = time.Minute
	accountDelayMax     = 15 * time.Minute
	accountMemory       = 24 * time.Hour // an account's failures are forgotten this long after the last
	deviceCookie        = "leaddesk_device"
	// deviceCookieAge: the cookie is sealed by the session store's codecs, which refuse values older
	// than a session can live; so a browser is remembered for a week after its last sign-in.
	deviceCookieAge = sessionAbsolute
)

// throttleKeys are the sign_in_failures keys of a sign-in attempt's account and client address.
func (h *Handler) throttleKeys(c echo.Context, email string) (account, address string) {
	return "email:" + normalEmail(email), "ip:" + c.RealIP()
}

func normalEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// signInAttempt is a sign-in attempt's counters.
type signInAttempt struct {
	keys  []db.AttemptKey
	waits []func(failures int, last time.Time) time.Duration
	clear []string // forgotten on success
	undo  []string // the attempt taken back on success
}

// newSignInAttempt picks the counters for a sign-in to email from this request.
func (h *Handler) newSignInAttempt(c echo.Context, email string) signInAttempt {
	now := h.Clock.Now()
	account, address := h.throttleKeys(c, email)
	a := signInAttempt{undo: []string{address}}
	a.keys = append(a.keys, db.AttemptKey{Key: address, Since: now.Add(-throttleWindow)})
	a.waits = append(a.waits, h.hardLimit(throttlePerAddress))
	if dev := h.knownDevice(c, email); dev != "" {
		key := "device:" + dev
		a.keys = append(a.keys, db.AttemptKey{Key: key, Since: now.Add(-throttleWindow)})
		a.waits = append(a.waits, h.hardLimit(throttlePerDevice))
		// The account's own counter is left alone: the holder's sign-ins must not hand strangers
		// fresh guesses.
		a.clear = append(a.clear, key)
	} else {
		a.keys = append(a.keys, db.AttemptKey{Key: account, Since: now.Add(-accountMemory)})
		a.waits = append(a.waits, h.accountDelay)
		a.clear = append(a.clear, account)
	}
	return a
}

// hardLimit lets limit failures through in the window, then waits for the window to pass.
func (h *Handler) hardLimit(limit int) func(int, time.Time) time.Duration {
	return func(n int, last time.Time) time.Duration {
		if n < limit {
			return 0
		}
		return last.Add(throttleWindow).Sub(h.Clock.Now())
	}
}

// accountDelay is the growing wait after an account's free failures.
func (h *Handler) accountDelay(n int, last time.Time) time.Duration {
	if n < accountFreeFailures {
		return 0
	}
	d := accountDelayMax
	if shift := n - accountFreeFailures; shift < 5 {
		d = min(accountDelayBase<<shift, accountDelayMax)
	}
	return last.Add(d).Sub(h.Clock.Now())
}

// reserve counts the attempt, or reports how long it must wait (0 = go ahead, already counted).
func (h *Handler) reserve(ctx context.Context, a signInAttempt) (time.Duration, error) {
	return h.DB.ReserveSignInAttempt(ctx, h.Clock.Now(), a.keys, func(i, n int, last time.Time) time.Duration {
		return a.waits[i](n, last)
	})
}

// succeeded takes a correct sign-in's count back and remembers the browser for the account.
func (h *Handler) succeeded(c echo.Context, a signInAttempt, email string) error {
	if err := h.DB.SignInSucceeded(c.Request().Context(), a.clear, a.undo); err != nil {
		return err
	}
	value, err := securecookie.EncodeMulti(deviceCookie, normalEmail(email)+"|"+db.NewSecretToken(), h.Sessions.Codecs...)
	if err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{Name: deviceCookie, Value: value, Path: "/login", HttpOnly: true, Secure: h.Cfg.Secure(),
		SameSite: http.SameSiteLaxMode, MaxAge: int(deviceCookieAge / time.Second)})
	return nil
}

// knownDevice returns the id of this browser's device cookie when it was issued for email, else "".
func (h *Handler) knownDevice(c echo.Context, email string) string {
	ck, err := c.Cookie(deviceCookie)
	if err != nil {
		return ""
	}
	var v string
	if err := securecookie.DecodeMulti(deviceCookie, ck.Value, &v, h.Sessions.Codecs...); err != nil {
		return ""
	}
	who, id, ok := strings.Cut(v, "|")
	if !ok || who != normalEmail(email) || id == "" {
		return ""
	}
	return id
}
