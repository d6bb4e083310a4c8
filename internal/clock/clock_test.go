package clock_test

import (
	"testing"
	"time"

	"leaddesk/internal/clock"
)

func TestSystemNowIsUTCAndCurrent(t *testing.T) {
	before := time.Now()
	now := clock.System{}.Now()
	after := time.Now()
	if now.Location() != time.UTC {
		t.Errorf("System.Now() location = %v, want UTC (stored times and digests assume it)", now.Location())
	}
	if now.Before(before.Add(-time.Second)) || now.After(after.Add(time.Second)) {
		t.Errorf("System.Now() = %v, not between %v and %v", now, before, after)
	}
}

func TestFakeSetAndAdvance(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*3600)
	f := clock.NewFake(time.Date(2026, 12, 1, 9, 0, 0, 0, tokyo))
	if got, want := f.Now(), time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC); !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("NewFake: Now() = %v, want %v in UTC", got, want)
	}
	f.Advance(14 * 24 * time.Hour)
	if got, want := f.Now(), time.Date(2026, 12, 15, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("after Advance(14 days): %v, want %v", got, want)
	}
	f.Set(time.Date(2027, 1, 1, 0, 0, 0, 0, tokyo))
	if got := f.Now(); got.Location() != time.UTC || got.Hour() != 15 || got.Day() != 31 {
		t.Errorf("after Set: %v, want 2026-12-31 15:00 UTC", got)
	}
}

// recvTick reports whether a tick is waiting (the fake clock sends while Advance runs, so no wait).
func recvTick(c <-chan time.Time) (time.Time, bool) {
	select {
	case v := <-c:
		return v, true
	default:
		return time.Time{}, false
	}
}

func TestFakeTickerFiresWhenTheClockPassesIt(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	f := clock.NewFake(t0)
	ticks, stop := f.Tick(time.Minute)

	f.Advance(59 * time.Second)
	if v, ok := recvTick(ticks); ok {
		t.Errorf("ticked at %v, before the first minute passed", v)
	}
	f.Advance(time.Second)
	if v, ok := recvTick(ticks); !ok || !v.Equal(t0.Add(time.Minute)) {
		t.Errorf("after one minute: tick %v %v, want one at %v", v, ok, t0.Add(time.Minute))
	}
	// Jumping an hour gives one tick, not sixty (a slow reader drops ticks, as with time.Ticker),
	// and the next one is due on the minute grid after the jump.
	f.Advance(time.Hour)
	if _, ok := recvTick(ticks); !ok {
		t.Error("no tick after jumping an hour")
	}
	if v, ok := recvTick(ticks); ok {
		t.Errorf("a second tick %v queued after one jump", v)
	}
	f.Advance(30 * time.Second)
	if v, ok := recvTick(ticks); ok {
		t.Errorf("ticked at %v, half a minute after the last tick", v)
	}
	f.Set(t0.Add(62 * time.Minute))
	if _, ok := recvTick(ticks); !ok {
		t.Error("Set past the next tick did not tick")
	}

	stop()
	f.Advance(time.Hour)
	if v, ok := recvTick(ticks); ok {
		t.Errorf("a stopped ticker ticked at %v", v)
	}
}

func TestSystemTickerTicks(t *testing.T) {
	ticks, stop := clock.System{}.Tick(time.Millisecond)
	defer stop()
	select {
	case <-ticks:
	case <-time.After(5 * time.Second):
		t.Fatal("the system ticker did not tick")
	}
}
