package handlers

import (
	"context"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"sync"

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
	mu      sync.Mutex
	slots   int             // requests that may work at once
	working int             // requests working now
	queue   []chan struct{} // requests waiting, the longest-waiting first; closed when let in
}

// admissionSlots is how many requests work at once: a few per core, so that one waiting on disk or
// on SQLite's write lock does not idle a core, and fewer than the database's eight connections, so
// admitted requests do not queue for a connection as well.
func admissionSlots() int {
	return min(max(2*runtime.GOMAXPROCS(0), 2), 6)
}

func newAdmission(n int) *admission {
	return &admission{slots: n}
}

// enter waits for a slot, in arrival order; false when ctx ends first (the client went away).
func (a *admission) enter(ctx context.Context) bool {
	a.mu.Lock()
	if a.working < a.slots {
		a.working++
		a.mu.Unlock()
		return true
	}
	turn := make(chan struct{})
	a.queue = append(a.queue, turn)
	a.mu.Unlock()
	select {
	case <-turn:
		return true
	case <-ctx.Done():
		a.mu.Lock()
		defer a.mu.Unlock()
		if i := slices.Index(a.queue, turn); i >= 0 {
			a.queue = slices.Delete(a.queue, i, i+1)
			return false
		}
		// Let in just as the client left: pass the slot on.
		a.handOver()
		return false
	}
}

// leave frees the slot of a finished request: the longest-waiting request takes it over.
func (a *admission) leave() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.handOver()
}

// handOver gives a working request's slot to the head of the queue, or frees it. The caller holds mu.
func (a *admission) handOver() {
	if len(a.queue) == 0 {
		a.working--
		return
	}
	close(a.queue[0])
	a.queue = slices.Delete(a.queue, 0, 1)
}

// waiting is how many requests are queued.
func (a *admission) waiting() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.queue)
}

// middleware queues each page and API read for a slot, except those that must not wait behind the
// others or would hold a slot for long: static files and health checks (cheap, and a load balancer's
// check must answer under load) and the leads export (it streams for seconds; its own buffers bound
// its cost). Writes pass too: they are few, and one with a body reads it from the client while it
// works — a slow upload must not hold a slot that pages wait for.
func (a *admission) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if m := c.Request().Method; (m != http.MethodGet && m != http.MethodHead) || unqueued(c.Request().URL.Path) {
			return next(c)
		}
		if !a.enter(c.Request().Context()) {
			// The client went away while queued: nothing was done, nothing to answer.
			return echo.NewHTTPError(http.StatusServiceUnavailable)
		}
		defer a.leave()
		return next(c)
	}
}

func unqueued(path string) bool {
	return strings.HasPrefix(path, "/static/") || path == "/healthz" || path == "/leads/export.csv"
}
