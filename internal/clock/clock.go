// Package clock gives jobs and handlers an injectable notion of now, so tests move time instead of sleeping.
package clock

import (
	"sync"
	"time"
)

// Clock tells the time and ticks.
type Clock interface {
	Now() time.Time
	// Tick returns a channel that receives a value every d (dropping ticks a slow reader misses, as
	// time.Ticker does) and a func that stops the ticks.
	Tick(d time.Duration) (<-chan time.Time, func())
}

// System is the real clock.
type System struct{}

// Now returns the current time in UTC.
func (System) Now() time.Time { return time.Now().UTC() }

// Tick is time.NewTicker.
func (System) Tick(d time.Duration) (<-chan time.Time, func()) {
	t := time.NewTicker(d)
	return t.C, t.Stop
}

// Fake is a clock that tests set and move; its tickers fire when Set or Advance moves it past them.
type Fake struct {
	mu      sync.Mutex
	t       time.Time
	tickers map[*fakeTicker]struct{}
}

type fakeTicker struct {
	every time.Duration
	next  time.Time
	c     chan time.Time
}

// NewFake returns a fake clock at t.
func NewFake(t time.Time) *Fake { return &Fake{t: t.UTC(), tickers: map[*fakeTicker]struct{}{}} }

// Now returns the fake time.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

// Tick returns a ticker that fires each time the fake clock is moved to or past its next tick.
func (f *Fake) Tick(d time.Duration) (<-chan time.Time, func()) {
	if d <= 0 {
		panic("clock: non-positive tick interval")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	tk := &fakeTicker{every: d, next: f.t.Add(d), c: make(chan time.Time, 1)}
	if f.tickers == nil {
		f.tickers = map[*fakeTicker]struct{}{}
	}
	f.tickers[tk] = struct{}{}
	return tk.c, func() {
		f.mu.Lock()
		delete(f.tickers, tk)
		f.mu.Unlock()
	}
}

// Set moves the clock to t.
func (f *Fake) Set(t time.Time) {
	f.mu.Lock()
	f.t = t.UTC()
	f.fire()
	f.mu.Unlock()
}

// Advance moves the clock forward by d.
func (f *Fake) Advance(d time.Duration) {
	f.mu.Lock()
	f.t = f.t.Add(d)
	f.fire()
	f.mu.Unlock()
}

// fire sends one tick to every ticker whose next tick the clock has reached; like time.Ticker, a
// ticker whose reader has not taken the previous tick drops this one. Called with f.mu held.
func (f *Fake) fire() {
	for tk := range f.tickers {
		if f.t.Before(tk.next) {
			continue
		}
		select {
		case tk.c <- f.t:
		default:
		}
		for !f.t.Before(tk.next) {
			tk.next = tk.next.Add(tk.every)
		}
	}
}
