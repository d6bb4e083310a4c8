// Package sla holds the response-target rule (issue 17): how long a lead may wait for its first
// answer, when that wait is due, when the owner is warned and when it is escalated. It is pure — no
// SQL, no HTTP, no clock of its own, and it imports only lead — so the list's badge, the details
// page, the Action Center and the job all ask the same function (Policy.Of) and a table test can walk
// every case. The lifecycle decides which leads wait for an answer at all (received actionable
// leads); this package only measures the wait.
//
// A target starts when a lead arrives and is met by the first logged contact (a call, an email or a
// meeting: lead.Lead.FirstContactAt) or by accepting or declining the lead (it is no longer received).
// Archived, expired and test leads carry no target. With business hours on, only the chosen hours
// of the chosen weekdays in the configured time zone count.
package sla

import (
	"time"

	"leaddesk/lead"
)

// Key names the kind of lead a target applies to: Kind is "offer", "profile" or "qualified" (the
// Qualified tab, either classification) and CTA is "contact_me" or "other" (any other call to action).
type Key struct{ Kind, CTA string }

// Keys are the kinds of actionable lead that have a target, in the admin page's order. An offer lead
// is actionable only with "contact me", so it has no "other" row.
var Keys = []Key{
	{"offer", "contact_me"},
	{"profile", "contact_me"},
	{"profile", "other"},
	{"qualified", "contact_me"},
	{"qualified", "other"},
}

// The default targets: a customer who asked to be contacted hears back within a day, every other
// actionable lead within three.
const (
	DefaultContactMe = 24 * time.Hour
	DefaultOther     = 72 * time.Hour
)

// MaxTarget bounds a target: a lead expires after lead.ExpiryWindow, so a longer target never falls due.
const MaxTarget = lead.ExpiryWindow

// WarnShare is the share of the target after which the owner is warned (75 %), as a fraction num/den.
const (
	warnNum = 3
	warnDen = 4
)

// KeyOf is the target key of l's kind; ok is false for a lead of no actionable kind.
func KeyOf(l *lead.Lead) (k Key, ok bool) {
	if !lead.IsActionable(l.Tab, l.LeadType, l.CTA) {
		return Key{}, false
	}
	k = Key{Kind: l.LeadType, CTA: "other"}
	if l.Tab == "qualified" {
		k.Kind = "qualified"
	}
	if l.CTA == "contact_me" {
		k.CTA = "contact_me"
	}
	return k, true
}

// Hours are the business hours the clock counts when On: the weekdays in Days, from Start to End
// (offsets from local midnight, Start < End) in Loc. Off, every hour counts.
type Hours struct {
	On         bool
	Days       [7]bool // by time.Weekday
	Start, End time.Duration
	Loc        *time.Location
}

// Valid reports whether h can ever count time: off, or at least one day and Start before End within
// a day.
func (h Hours) Valid() bool {
	if !h.On {
		return true
	}
	someDay := false
	for _, d := range h.Days {
		someDay = someDay || d
	}
	return someDay && h.Start >= 0 && h.Start < h.End && h.End <= 24*time.Hour
}

// Policy is the configured targets and business hours.
type Policy struct {
	Targets map[Key]time.Duration
	Hours   Hours
}

// DefaultPolicy is the policy before anyone changes it: DefaultContactMe for "contact me" leads,
// DefaultOther for the rest, every hour counting.
func DefaultPolicy() Policy {
	p := Policy{Targets: map[Key]time.Duration{}}
	for _, k := range Keys {
		p.Targets[k] = DefaultOther
		if k.CTA == "contact_me" {
			p.Targets[k] = DefaultContactMe
		}
	}
	return p
}

// LateNoticeAfter is how late a warning or escalation may still be sent: a lead the job first finds
// past its target by more (the server was down, or the lead was imported with an old arrival time)
// is recorded as escalated without a mail — its badge says so, and a flood of stale escalations would
// bury the fresh ones.
const LateNoticeAfter = 24 * time.Hour

// Fresh reports whether a notice due at at is still worth sending at now (within LateNoticeAfter).
func Fresh(at, now time.Time) bool { return now.Sub(at) < LateNoticeAfter }

// States of a lead's target, from Status.
const (
	None    = ""         // no target: not waiting for a first answer, or answered
	Open    = "open"     // waiting, less than 75 % of the target used
	DueSoon = "due_soon" // waiting, 75 % or more used: the owner is warned
	Overdue = "overdue"  // waiting past the target: it is escalated
)

// Status is where a lead stands against its target at a moment.
type Status struct {
	State  string
	Target time.Duration // the target of the lead's kind
	Due    time.Time     // when the target is missed
	WarnAt time.Time     // when 75 % of it is used
	Left   time.Duration // counted time left until Due (Open, DueSoon)
	Over   time.Duration // time since Due (Overdue), by the wall clock
}

// IsContact reports whether an activity of this kind (leads.ActivityKinds) is a contact with the
// customer and so meets the response target: a call, an email or a meeting; a note is not.
func IsContact(activityKind string) bool {
	return activityKind == "call" || activityKind == "email" || activityKind == "meeting"
}

// Waiting reports whether l waits for its first answer and so carries a target: a received actionable
// lead (lifecycle's "received" state), not a test lead, with no contact logged yet. Accepting or
// declining it, its expiry and archival all end the wait.
func Waiting(l *lead.Lead) bool {
	return l.Status == "received" && l.Actionable && !l.IsTest && l.FirstContactAt == nil
}

// Of is l's status against p at now. A lead that is not Waiting, or whose kind has no target, has
// State None.
func (p Policy) Of(l *lead.Lead, now time.Time) Status {
	if !Waiting(l) {
		return Status{}
	}
	k, ok := KeyOf(l)
	if !ok {
		return Status{}
	}
	target := p.Targets[k]
	if target <= 0 {
		return Status{}
	}
	s := Status{Target: target}
	var used time.Duration
	s.WarnAt, s.Due, used = p.Hours.clock(l.CreatedAt, now, target*warnNum/warnDen, target)
	switch {
	case !now.Before(s.Due):
		s.State, s.Over = Overdue, now.Sub(s.Due)
	case !now.Before(s.WarnAt):
		s.State, s.Left = DueSoon, target-used
	default:
		s.State, s.Left = Open, target-used
	}
	return s
}

// maxDays bounds the walk over days, so hours that never count cannot loop for ever.
const maxDays = 400

func (h Hours) loc() *time.Location {
	if h.Loc == nil {
		return time.UTC
	}
	return h.Loc
}

// walk hands visit each business window from the local day of from on, in order, the first one cut
// to start at from, until visit answers false (or after maxDays days). Each window is made with
// time.Date from the day's date, so a day with a clock change still opens and closes at its
// wall-clock hours; two time.Date calls a day keep a list page of badges cheap (BenchmarkPolicyOf).
func (h Hours) walk(from time.Time, visit func(open, close time.Time) bool) {
	loc := h.loc()
	y, m, d := from.In(loc).Date()
	sh, sm := int(h.Start/time.Hour), int(h.Start%time.Hour/time.Minute)
	eh, em := int(h.End/time.Hour), int(h.End%time.Hour/time.Minute)
	for i := 0; i < maxDays; i++ {
		open := time.Date(y, m, d+i, sh, sm, 0, 0, loc)
		if !h.Days[open.Weekday()] {
			continue
		}
		close := time.Date(y, m, d+i, eh, em, 0, 0, loc)
		if !close.After(from) {
			continue
		}
		if open.Before(from) {
			open = from
		}
		if !visit(open, close) {
			return
		}
	}
}

// counts reports whether h limits the counted time at all (on and valid).
func (h Hours) counts() bool { return h.On && h.Valid() }

// Add is the moment when d of counted time has passed since from: from+d with business hours off,
// else walking the business windows from from's day on.
func (h Hours) Add(from time.Time, d time.Duration) time.Time {
	if !h.counts() {
		return from.Add(d)
	}
	at := from.Add(d) // only for hours that never reach d within maxDays
	h.walk(from, func(open, close time.Time) bool {
		if span := close.Sub(open); d > span {
			d -= span
			return true
		}
		at = open.Add(d)
		return false
	})
	return at
}

// Between is the counted time from a to b (0 when b is not after a).
func (h Hours) Between(a, b time.Time) time.Duration {
	if !b.After(a) {
		return 0
	}
	if !h.counts() {
		return b.Sub(a)
	}
	var sum time.Duration
	h.walk(a, func(open, close time.Time) bool {
		if !open.Before(b) {
			return false
		}
		if close.After(b) {
			close = b
		}
		sum += close.Sub(open)
		return true
	})
	return sum
}

// clock is one walk from a lead's arrival: when warn and target of counted time are used up, and how
// much was counted before now.
func (h Hours) clock(from, now time.Time, warn, target time.Duration) (warnAt, due time.Time, used time.Duration) {
	if !h.counts() {
		return from.Add(warn), from.Add(target), max(min(now.Sub(from), target), 0)
	}
	var counted time.Duration
	warnAt, due = from.Add(warn), from.Add(target) // only for hours that never reach them within maxDays
	h.walk(from, func(open, close time.Time) bool {
		span := close.Sub(open)
		if now.After(open) {
			end := close
			if now.Before(end) {
				end = now
			}
			used += end.Sub(open)
		}
		if counted < warn && counted+span >= warn {
			warnAt = open.Add(warn - counted)
		}
		if counted+span >= target {
			due = open.Add(target - counted)
			return false
		}
		counted += span
		return true
	})
	return warnAt, due, min(used, target)
}
