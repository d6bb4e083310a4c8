package jobs_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"leaddesk/internal/clock"
	"leaddesk/jobs"
)

var t0 = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

// syncBuffer is a log destination the job goroutines and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newRunner(c clock.Clock) (*jobs.Runner, *syncBuffer) {
	var buf syncBuffer
	return jobs.NewRunner(c, slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))), &buf
}

// recv waits for one value (the job runs in a goroutine), failing after a generous deadline.
func recv(t *testing.T, c <-chan time.Time, what string) time.Time {
	t.Helper()
	select {
	case v := <-c:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: the job did not run", what)
		return time.Time{}
	}
}

// TestRunOnceRunsEveryJobAtTheGivenTime: `leaddesk jobs --now T` runs each job once, in
// registration order, as of T; a failing job is reported by name and the others still run.
func TestRunOnceRunsEveryJobAtTheGivenTime(t *testing.T) {
	r, _ := newRunner(clock.NewFake(t0))
	var order []string
	var seen []time.Time
	for _, name := range []string{"expiry", "broken", "outbox"} {
		r.Register(jobs.Job{Name: name, Every: time.Minute, Run: func(_ context.Context, now time.Time) error {
			order = append(order, name)
			seen = append(seen, now)
			if name == "broken" {
				return errors.New("disk full")
			}
			return nil
		}})
	}
	at := time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC)
	err := r.RunOnce(t.Context(), at)
	if strings.Join(order, ",") != "expiry,broken,outbox" {
		t.Errorf("ran %v, want every job once in registration order", order)
	}
	for i, now := range seen {
		if !now.Equal(at) {
			t.Errorf("job %s ran as of %v, want %v", order[i], now, at)
		}
	}
	if err == nil || !strings.Contains(err.Error(), "job broken: disk full") {
		t.Errorf("RunOnce error = %v, want the failing job named", err)
	}
	if got := len(r.Jobs()); got != 3 {
		t.Errorf("Jobs() lists %d jobs, want 3", got)
	}
}

// TestStartTicksWithTheClockAndStopsOnCancel: under serve each job runs at once, then every time
// the (fake) clock passes its interval, as of the clock's time; a job that fails is logged and
// neither it nor the others stop; cancelling the context stops every goroutine.
func TestStartTicksWithTheClockAndStopsOnCancel(t *testing.T) {
	fake := clock.NewFake(t0)
	r, logs := newRunner(fake)
	fast := make(chan time.Time, 10)
	slow := make(chan time.Time, 10)
	broken := make(chan time.Time, 10)
	r.Register(jobs.Job{Name: "fast", Every: 5 * time.Second, Run: func(_ context.Context, now time.Time) error {
		fast <- now
		return nil
	}})
	r.Register(jobs.Job{Name: "slow", Every: time.Minute, Run: func(_ context.Context, now time.Time) error {
		slow <- now
		return nil
	}})
	r.Register(jobs.Job{Name: "broken", Every: 5 * time.Second, Run: func(_ context.Context, now time.Time) error {
		broken <- now
		return errors.New("smtp refused")
	}})
	ctx, cancel := context.WithCancel(t.Context())
	r.Start(ctx)

	// Each job runs once at start, as of the clock's time.
	for name, c := range map[string]chan time.Time{"fast": fast, "slow": slow, "broken": broken} {
		if got := recv(t, c, name+" at start"); !got.Equal(t0) {
			t.Errorf("%s ran at start as of %v, want %v", name, got, t0)
		}
	}

	// Five seconds later the 5-second jobs run again — the failing one too — and the minute job not.
	fake.Advance(5 * time.Second)
	if got := recv(t, fast, "fast after 5 s"); !got.Equal(t0.Add(5 * time.Second)) {
		t.Errorf("fast ran as of %v, want %v", got, t0.Add(5*time.Second))
	}
	recv(t, broken, "broken after 5 s")
	fake.Advance(55 * time.Second)
	if got := recv(t, slow, "slow after 1 min"); !got.Equal(t0.Add(time.Minute)) {
		t.Errorf("slow ran as of %v, want %v", got, t0.Add(time.Minute))
	}
	recv(t, fast, "fast after 1 min")
	recv(t, broken, "broken after 1 min")
	if !strings.Contains(logs.String(), "job failed") || !strings.Contains(logs.String(), "smtp refused") {
		t.Errorf("the failing job was not logged with its error; log:\n%s", logs)
	}

	cancel()
	stopped := make(chan struct{})
	go func() { r.Wait(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("Wait did not return after the context was cancelled")
	}
	// Every goroutine has returned, so moving the clock runs nothing.
	fake.Advance(time.Hour)
	for name, c := range map[string]chan time.Time{"fast": fast, "slow": slow, "broken": broken} {
		select {
		case now := <-c:
			t.Errorf("%s ran as of %v after the runner stopped", name, now)
		default:
		}
	}
}
