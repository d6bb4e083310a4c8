package sla

import (
	"testing"
	"time"

	"leaddesk/lead"
)

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("zone %s: %v", name, err)
	}
	return loc
}

// weekdays are Monday to Friday.
var weekdays = [7]bool{time.Monday: true, time.Tuesday: true, time.Wednesday: true, time.Thursday: true, time.Friday: true}

func received(tab, leadType, cta string, created time.Time) *lead.Lead {
	return &lead.Lead{ID: 1, Tab: tab, LeadType: leadType, CTA: cta, Status: "received",
		Actionable: lead.IsActionable(tab, leadType, cta), CreatedAt: created}
}

// TestStatusAroundTheClock walks a lead's target with every hour counting: open, warned at 75 %,
// overdue, and the leads that carry no target at all.
func TestStatusAroundTheClock(t *testing.T) {
	mon := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	p := DefaultPolicy()
	contactMe := received("marketplace", "offer", "contact_me", mon)
	profileOther := received("marketplace", "profile", "free_trial", mon)
	qualified := received("qualified", "offer", "", mon)
	met := *contactMe
	met.FirstContactAt = &mon
	accepted := *contactMe
	accepted.Status = "accepted"
	declined := *contactMe
	declined.Status, declined.Outcome = "archived", "declined"
	expired := *contactMe
	expired.Status, expired.Outcome = "archived", "expired"
	test := *contactMe
	test.IsTest = true
	cases := []struct {
		name  string
		l     *lead.Lead
		at    time.Duration // since arrival
		state string
		left  time.Duration
		over  time.Duration
	}{
		{"contact me, just arrived", contactMe, 0, Open, 24 * time.Hour, 0},
		{"contact me, 19 h left", contactMe, 5 * time.Hour, Open, 19 * time.Hour, 0},
		{"contact me, at 75 %", contactMe, 18 * time.Hour, DueSoon, 6 * time.Hour, 0},
		{"contact me, at the target", contactMe, 24 * time.Hour, Overdue, 0, 0},
		{"contact me, 3 h over", contactMe, 27 * time.Hour, Overdue, 0, 3 * time.Hour},
		{"profile lead, other call to action: 72 h", profileOther, 53 * time.Hour, Open, 19 * time.Hour, 0},
		{"profile lead at 54 h: warned", profileOther, 54 * time.Hour, DueSoon, 18 * time.Hour, 0},
		{"qualified lead without contact me: 72 h", qualified, 73 * time.Hour, Overdue, 0, time.Hour},
		{"informational offer lead", received("marketplace", "offer", "free_trial", mon), 30 * time.Hour, None, 0, 0},
		{"met by a logged contact", &met, 30 * time.Hour, None, 0, 0},
		{"met by accepting", &accepted, 30 * time.Hour, None, 0, 0},
		{"met by declining", &declined, 30 * time.Hour, None, 0, 0},
		{"expired", &expired, 30 * time.Hour, None, 0, 0},
		{"test lead", &test, 30 * time.Hour, None, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := p.Of(c.l, mon.Add(c.at))
			if s.State != c.state || s.Left != c.left || s.Over != c.over {
				t.Fatalf("Of = %q left %v over %v, want %q left %v over %v", s.State, s.Left, s.Over, c.state, c.left, c.over)
			}
		})
	}
}

// TestConfiguredTargetApplies: a changed target for one kind moves only that kind's due time.
func TestConfiguredTargetApplies(t *testing.T) {
	mon := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	p := DefaultPolicy()
	p.Targets[Key{"profile", "contact_me"}] = 4 * time.Hour
	if s := p.Of(received("marketplace", "profile", "contact_me", mon), mon); !s.Due.Equal(mon.Add(4 * time.Hour)) {
		t.Fatalf("profile contact-me due %v, want 4 h after arrival", s.Due)
	}
	if s := p.Of(received("marketplace", "offer", "contact_me", mon), mon); !s.Due.Equal(mon.Add(24 * time.Hour)) {
		t.Fatalf("offer contact-me due %v, want the default 24 h", s.Due)
	}
}

// TestBusinessHoursInTokyo: Monday to Friday 9:00–18:00 in Asia/Tokyo (no daylight saving); a weekend
// and the nights do not count.
func TestBusinessHoursInTokyo(t *testing.T) {
	tokyo := mustZone(t, "Asia/Tokyo")
	p := DefaultPolicy()
	p.Hours = Hours{On: true, Days: weekdays, Start: 9 * time.Hour, End: 18 * time.Hour, Loc: tokyo}
	at := func(day, hour, min int) time.Time { return time.Date(2026, 12, day, hour, min, 0, 0, tokyo) }

	// Friday 16:00: 2 h on Friday, 9 on Monday, 9 on Tuesday, 4 on Wednesday = 24.
	fri := received("marketplace", "offer", "contact_me", at(4, 16, 0))
	cases := []struct {
		name  string
		now   time.Time
		state string
		left  time.Duration
		due   time.Time
		warn  time.Time
	}{
		{"Friday evening after closing", at(4, 20, 0), Open, 22 * time.Hour, at(9, 13, 0), at(8, 16, 0)},
		{"over the weekend nothing counts", at(6, 12, 0), Open, 22 * time.Hour, at(9, 13, 0), at(8, 16, 0)},
		{"Monday noon", at(7, 12, 0), Open, 19 * time.Hour, at(9, 13, 0), at(8, 16, 0)},
		{"Tuesday 16:00: 75 %", at(8, 16, 0), DueSoon, 6 * time.Hour, at(9, 13, 0), at(8, 16, 0)},
		{"Wednesday 13:00: missed", at(9, 13, 0), Overdue, 0, at(9, 13, 0), at(8, 16, 0)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := p.Of(fri, c.now)
			if s.State != c.state || s.Left != c.left || !s.Due.Equal(c.due) || !s.WarnAt.Equal(c.warn) {
				t.Fatalf("Of = %q left %v due %v warn %v; want %q left %v due %v warn %v",
					s.State, s.Left, s.Due.In(tokyo), s.WarnAt.In(tokyo), c.state, c.left, c.due, c.warn)
			}
		})
	}

	// A lead that arrives on Saturday starts its clock on Monday at 9:00.
	sat := received("marketplace", "profile", "contact_me", at(5, 10, 0))
	if s := p.Of(sat, at(7, 9, 0)); s.Left != 24*time.Hour || !s.Due.Equal(at(9, 15, 0)) {
		t.Fatalf("Saturday lead: left %v due %v, want 24 h and Wednesday 15:00", s.Left, s.Due.In(tokyo))
	}
}

// TestBetweenAcrossDaylightSaving: in Europe/Berlin the night of 25 October 2026 has 25 hours; a
// business week around it still counts 9:00–17:00 by the wall clock.
func TestBetweenAcrossDaylightSaving(t *testing.T) {
	berlin := mustZone(t, "Europe/Berlin")
	h := Hours{On: true, Days: weekdays, Start: 9 * time.Hour, End: 17 * time.Hour, Loc: berlin}
	fri := time.Date(2026, 10, 23, 9, 0, 0, 0, berlin)
	mon := time.Date(2026, 10, 26, 17, 0, 0, 0, berlin)
	if got := h.Between(fri, mon); got != 16*time.Hour {
		t.Fatalf("Between = %v, want 16 h", got)
	}
	if got := h.Add(fri, 16*time.Hour); !got.Equal(mon) {
		t.Fatalf("Add = %v, want Monday 17:00", got.In(berlin))
	}
}

// TestHoursValid: business hours that could never count are refused.
func TestHoursValid(t *testing.T) {
	cases := []struct {
		name string
		h    Hours
		ok   bool
	}{
		{"off", Hours{}, true},
		{"weekdays 9-18", Hours{On: true, Days: weekdays, Start: 9 * time.Hour, End: 18 * time.Hour}, true},
		{"no day", Hours{On: true, Start: 9 * time.Hour, End: 18 * time.Hour}, false},
		{"ends before it starts", Hours{On: true, Days: weekdays, Start: 18 * time.Hour, End: 9 * time.Hour}, false},
	}
	for _, c := range cases {
		if c.h.Valid() != c.ok {
			t.Errorf("%s: Valid = %v, want %v", c.name, !c.ok, c.ok)
		}
	}
}

// BenchmarkPolicyOf is the per-row cost of a list badge: a waiting lead under business hours (the
// slower path: it walks the days from arrival) and with every hour counting.
func BenchmarkPolicyOf(b *testing.B) {
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		b.Fatal(err)
	}
	fri := time.Date(2026, 12, 4, 16, 0, 0, 0, tokyo)
	l := received("marketplace", "profile", "free_trial", fri)
	for _, on := range []bool{false, true} {
		p := DefaultPolicy()
		p.Hours = Hours{On: on, Days: weekdays, Start: 9 * time.Hour, End: 18 * time.Hour, Loc: tokyo}
		b.Run(map[bool]string{false: "every-hour", true: "business-hours"}[on], func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				_ = p.Of(l, fri.Add(50*time.Hour))
			}
		})
	}
}
