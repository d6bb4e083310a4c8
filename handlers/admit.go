package handlers

import (
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"

	"github.com/labstack/echo/v4"
)

// admission lets a bounded number of requests work at once and queues the rest in arrival order.
//
// Without it, 32 clients on two cores are 32 goroutines sharing the CPU and eight database
// connections, and database/sql hands a freed connection to a random waiter: every request waits a
// random number of times, so at 1,200 requests a second (a mean of ≈ 25 ms each) the slowest
// hundredth took 400–600 ms. Through a gate of a few slots each admitted request runs almost
// undisturbed and the others wait their turn, so a request's time is its place in the queue times
// the service time, for everyone alike — and only a few pages are being rendered at any moment,
// which is also what bounds the memory a burst of clients costs.
type admission struct {
	slots   chan struct{} // a token per working request; channel senders wait first in, first out
	waiting atomic.Int64  // requests queued for a slot (tests)
}

// admissionSlots is how many requests work at once: a few per core, so that one waiting on disk or
// on SQLite's write lock does not idle a core, and fewer than the database's eight connections, so
// admitted requests do not queue for a connection as well.
func admissionSlots() int {
	return min(max(2*runtime.GOMAXPROCS(0), 2), 6)
}

func newAdmission(n int) *admission {
	return &admission{slots: make(chan struct{}, n)}
}

// middleware queues each request for a slot, except those that must not wait behind the others or
// would hold a slot for long: static files and health checks (cheap, and a load balancer's check must
// answer under load) and the leads export (it streams for seconds; its own buffers bound its cost).
func (a *admission) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if unqueued(c.Request().URL.Path) {
			return next(c)
		}
		a.waiting.Add(1)
		select {
		case a.slots <- struct{}{}:
			a.waiting.Add(-1)
		case <-c.Request().Context().Done():
			// The client went away while queued: nothing was done, nothing to answer.
			a.waiting.Add(-1)
			return echo.NewHTTPError(http.StatusServiceUnavailable)
		}
		defer func() { <-a.slots }()
		return next(c)
	}
}

func unqueued(path string) bool {
	return strings.HasPrefix(path, "/static/") || path == "/healthz" || path == "/leads/export.csv"
}
