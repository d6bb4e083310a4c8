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
	s := Status{Target: target,
		Due:    p.Hours.Add(l.CreatedAt, target),
		WarnAt: p.Hours.Add(l.CreatedAt, target*warnNum/warnDen)}
	switch {
	case !now.Before(s.Due):
		s.State, s.Over = Overdue, now.Sub(s.Due)
	case !now.Before(s.WarnAt):
		s.State, s.Left = DueSoon, p.Hours.Between(now, s.Due)
	default:
		s.State, s.Left = Open, p.Hours.Between(now, s.Due)
	}
	return s
}

// maxDays bounds the walk over days, so hours that never count cannot loop for ever.
const maxDays = 400

// window is the business window of the local day that starts at midnight, in that day's zone.
func (h Hours) window(midnight time.Time) (from, to time.Time, ok bool) {
	if !h.Days[midnight.Weekday()] {
		return time.Time{}, time.Time{}, false
	}
	y, m, d := midnight.Date()
	// time.Date, not Add: a day with a clock change still opens at its wall-clock hour.
	from = time.Date(y, m, d, int(h.Start/time.Hour), int(h.Start%time.Hour/time.Minute), 0, 0, midnight.Location())
	to = time.Date(y, m, d, int(h.End/time.Hour), int(h.End%time.Hour/time.Minute), 0, 0, midnight.Location())
	return from, to, true
}

func (h Hours) loc() *time.Location {
	if h.Loc == nil {
		return time.UTC
	}
	return h.Loc
}

// midnightOf is the start of t's local day.
func (h Hours) midnightOf(t time.Time) time.Time {
	y, m, d := t.In(h.loc()).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, h.loc())
}

// nextDay is the midnight after midnight.
func nextDay(midnight time.Time) time.Time {
	y, m, d := midnight.Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, midnight.Location())
}

// Add is the moment when d of counted time has passed since from: from+d with business hours off,
// else walking the business windows from from's day on.
func (h Hours) Add(from time.Time, d time.Duration) time.Time {
	if !h.On || !h.Valid() {
		return from.Add(d)
	}
	day := h.midnightOf(from)
	for i := 0; i < maxDays; i, day = i+1, nextDay(day) {
		open, close, ok := h.window(day)
		if !ok {
			continue
		}
		if open.Before(from) {
			open = from
		}
		if !open.Before(close) {
			continue
		}
		span := close.Sub(open)
		if d <= span {
			return open.Add(d)
		}
		d -= span
	}
	return from.Add(d) // unreachable for valid hours within maxDays
}

// Between is the counted time from a to b (0 when b is not after a).
func (h Hours) Between(a, b time.Time) time.Duration {
	if !b.After(a) {
		return 0
	}
	if !h.On || !h.Valid() {
		return b.Sub(a)
	}
	var sum time.Duration
	day := h.midnightOf(a)
	for i := 0; i < maxDays && day.Before(b); i, day = i+1, nextDay(day) {
		open, close, ok := h.window(day)
		if !ok {
			continue
		}
		if open.Before(a) {
			open = a
		}
		if close.After(b) {
			close = b
		}
		if open.Before(close) {
			sum += close.Sub(open)
		}
	}
	return sum
}
