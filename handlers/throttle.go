package handlers

import (
	"context"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// Sign-in throttling: after too many failures within the window, an account (by the email typed, which
// need not exist) or a client address must wait until the window since its last failure has passed.
// Failures of unknown emails count exactly like those of real ones, so the answers tell nothing about
// which accounts exist. An address gets more tries than an account: a team behind one office NAT shares it.
const (
	throttleWindow     = 15 * time.Minute
	throttlePerAccount = 5
	throttlePerAddress = 20
)

// throttleKeys are the sign_in_failures keys of a sign-in attempt.
func (h *Handler) throttleKeys(c echo.Context, email string) (account, address string) {
	return "email:" + strings.ToLower(strings.TrimSpace(email)), "ip:" + c.RealIP()
}

// throttled reports how long the attempt must wait (0 = go ahead).
func (h *Handler) throttled(ctx context.Context, account, address string) (time.Duration, error) {
	now := h.Clock.Now()
	since := now.Add(-throttleWindow)
	var wait time.Duration
	for _, k := range []struct {
		key   string
		limit int
	}{{account, throttlePerAccount}, {address, throttlePerAddress}} {
		n, last, err := h.DB.SignInFailures(ctx, k.key, since)
		if err != nil {
			return 0, err
		}
		if n >= k.limit {
			if w := last.Add(throttleWindow).Sub(now); w > wait {
				wait = w
			}
		}
	}
	return wait, nil
}

// failedSignIn counts a failure against both keys.
func (h *Handler) failedSignIn(ctx context.Context, account, address string) error {
	now := h.Clock.Now()
	return h.DB.RecordSignInFailure(ctx, now, now.Add(-throttleWindow), account, address)
}
