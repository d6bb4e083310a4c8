// Package jobs runs Leaddesk's background work — expiry, archival, reminders, digests, the mail
// outbox — as plain goroutines with a ticker each under `leaddesk serve`, or every job once under
// `leaddesk jobs [--now T]`. Features register their jobs; the clock is injected so tests move time.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"leaddesk/internal/clock"
)

// Job is one kind of background work. Run must be idempotent and safe to run twice at once (two
// instances, or `leaddesk jobs` beside a running server): it works as of now, not since last time.
type Job struct {
	Name  string
	Every time.Duration
	Run   func(ctx context.Context, now time.Time) error
}

// Runner holds the registered jobs.
type Runner struct {
	clock clock.Clock
	log   *slog.Logger
	jobs  []Job
	wg    sync.WaitGroup
	// observe, when set, hears of every run (metrics, Admin › System); set before Start.
	observe func(job string, took time.Duration, err error)
	last    sync.Map // job name → LastRun
}

// LastRun is a job's most recent run.
type LastRun struct {
	At   time.Time // as of the runner's clock
	Took time.Duration
	Err  string
}

// Observe sets a function told of every run, with its duration and error. Call it before Start.
func (r *Runner) Observe(fn func(job string, took time.Duration, err error)) { r.observe = fn }

// LastRuns returns each job's most recent run, by name; a job that has not run yet is absent.
func (r *Runner) LastRuns() map[string]LastRun {
	out := map[string]LastRun{}
	r.last.Range(func(k, v any) bool {
		out[k.(string)] = v.(LastRun)
		return true
	})
	return out
}

func (r *Runner) record(j Job, at time.Time, took time.Duration, err error) {
	lr := LastRun{At: at, Took: took}
	if err != nil {
		lr.Err = err.Error()
	}
	r.last.Store(j.Name, lr)
	if r.observe != nil {
		r.observe(j.Name, took, err)
	}
}

// NewRunner returns a runner with no jobs.
func NewRunner(c clock.Clock, log *slog.Logger) *Runner {
	return &Runner{clock: c, log: log}
}

// Register adds a job.
func (r *Runner) Register(j Job) { r.jobs = append(r.jobs, j) }

// Jobs lists the registered jobs.
func (r *Runner) Jobs() []Job { return append([]Job(nil), r.jobs...) }

// RunOnce runs every job once, in registration order, as of now. Every job runs even when one fails;
// the errors are returned together.
func (r *Runner) RunOnce(ctx context.Context, now time.Time) error {
	var errs []error
	for _, j := range r.jobs {
		start := time.Now()
		err := j.Run(ctx, now)
		r.record(j, now, time.Since(start), err)
		if err != nil {
			errs = append(errs, fmt.Errorf("job %s: %w", j.Name, err))
			continue
		}
		r.log.Debug("job done", "job", j.Name, "took", time.Since(start))
	}
	return errors.Join(errs...)
}

// Start runs each job at once and then on every tick of the runner's clock until ctx ends; Wait
// returns once every run in flight finished. The tickers exist when Start returns, so a test that
// moves a fake clock right after Start sees the next run.
func (r *Runner) Start(ctx context.Context) {
	for _, j := range r.jobs {
		every := j.Every
		if every <= 0 {
			every = time.Minute
		}
		ticks, stop := r.clock.Tick(every)
		r.wg.Add(1)
		go func(j Job) {
			defer r.wg.Done()
			defer stop()
			for {
				r.runLogged(ctx, j)
				select {
				case <-ctx.Done():
					return
				case <-ticks:
				}
			}
		}(j)
	}
}

func (r *Runner) runLogged(ctx context.Context, j Job) {
	if ctx.Err() != nil {
		return
	}
	// A job in flight finishes even when shutdown starts: it gets its own context with a deadline.
	runCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Minute)
	defer cancel()
	now, start := r.clock.Now(), time.Now()
	err := j.Run(runCtx, now)
	r.record(j, now, time.Since(start), err)
	if err != nil {
		r.log.Error("job failed", "job", j.Name, "err", err)
	}
}

// Wait blocks until every job goroutine has stopped.
func (r *Runner) Wait() { r.wg.Wait() }
