// Package insights turns leads into the figures of the Insights page (DESIGN §11): headline figures with
// the change against the previous period, and the series behind each chart. It is pure arithmetic over
// Facts, one pass, no SQL and no HTTP: package db reads the facts, the handlers draw them.
//
// Every figure is a cohort figure: it counts the leads *received* in the period (created_at in
// [From, To)) and what has become of them since, so that each figure and its drill-down agree on
// which leads they are about. Test leads never reach here (the caller's filter leaves them out).
package insights

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"time"

	"leaddesk/lead"
	"leaddesk/money"
)

// Fact is what insights needs to know about one lead.
type Fact struct {
	Created     int64 // unix seconds
	FirstAnswer int64 // unix seconds of the first accept or decline, 0 when not answered
	Accepted    bool  // accepted_at is set (the lead was accepted, whatever became of it since)
	Actionable  bool
	Status      string // received, accepted, archived
	Outcome     string // won, lost, declined, expired, ""
	Reason      string // decline or lost reason code
	Value       int64  // deal value in minor units
	Currency    string
	Source      string
	Country     string
	Offer       string
	Location    int64
}

// Period is the half-open time range [From, To).
type Period struct{ From, To time.Time }

// Contains reports whether unix time t is in p.
func (p Period) Contains(t int64) bool { return t >= p.From.Unix() && t < p.To.Unix() }

// Figures are the headline figures of one period.
type Figures struct {
	Received   int
	Actionable int // leads that can be accepted or declined (lead.IsActionable)
	Answered   int // actionable leads accepted or declined
	Accepted   int
	Declined   int
	Expired    int
	Won, Lost  int
	// Median and P90 are the time to first answer of the answered leads; valid only when Answered > 0.
	Median, P90 time.Duration
	Pipeline    []money.Amount // deal values of accepted, still open leads, one per currency, by currency code
	WonValue    []money.Amount // deal values of won leads, one per currency
}

// Rate is a share: Num of Den.
type Rate struct{ Num, Den int }

// Percent is the rate in percent, and false when there is nothing to divide by.
func (r Rate) Percent() (float64, bool) {
	if r.Den == 0 {
		return 0, false
	}
	return 100 * float64(r.Num) / float64(r.Den), true
}

// ExpiredRate is the share of actionable leads that expired unanswered.
func (f *Figures) ExpiredRate() Rate { return Rate{f.Expired, f.Actionable} }

// AcceptRate is the share of answered leads that were accepted (rather than declined).
func (f *Figures) AcceptRate() Rate { return Rate{f.Accepted, f.Answered} }

// WinRate is won / (won + lost): of the deals that ended, how many were won.
func (f *Figures) WinRate() Rate { return Rate{f.Won, f.Won + f.Lost} }

// AnsweredRate is the share of actionable leads answered.
func (f *Figures) AnsweredRate() Rate { return Rate{f.Answered, f.Actionable} }

// Week is one week (Monday 00:00 in the configured time zone) of the period.
type Week struct {
	Start      time.Time
	BySource   map[string]int // leads received per source code ("" for leads without one)
	Received   int
	Actionable int
	Expired    int
}

// ExpiredRate is the share of the week's actionable leads that expired unanswered.
func (w *Week) ExpiredRate() Rate { return Rate{w.Expired, w.Actionable} }

// AnswerBuckets are the upper bounds of the time-to-first-answer distribution's bars; the last bar
// holds everything at or above the last bound. The 14-day line (lead.ExpiryWindow) falls after the
// last bounded bar.
var AnswerBuckets = []time.Duration{time.Hour, 4 * time.Hour, 24 * time.Hour, 48 * time.Hour, 72 * time.Hour, 7 * 24 * time.Hour, lead.ExpiryWindow}

// Group is one country, offer or location with its leads and won/lost deals.
type Group struct {
	Key       string // country code, offer title, or location id as text
	Leads     int
	Won, Lost int
}

// WinRate is won / (won + lost) within the group.
func (g *Group) WinRate() Rate { return Rate{g.Won, g.Won + g.Lost} }

// Report is everything the Insights page shows for one period and filter.
type Report struct {
	Period, Previous Period
	Now, Prev        Figures
	Weeks            []Week
	Answers          []int          // answered leads per AnswerBuckets bar (len(AnswerBuckets)+1)
	DeclineReasons   map[string]int // declined leads per reason code
	LostReasons      map[string]int // lost deals per reason code
	Countries        []Group        // by leads, most first
	Offers           []Group
	Locations        []Group
	Heat             [7][24]int // arrivals per weekday (0 = Monday) and hour, in the configured time zone
}

// Builder accumulates facts into a Report in one pass; Add each lead received in the period or the
// previous one, then call Report.
type Builder struct {
	r         Report
	loc       *time.Location
	weekStart []int64
	now, prev acc
	countries map[string]*Group
	offers    map[string]*Group
	locations map[string]*Group
}

// acc accumulates one period's figures.
type acc struct {
	f        Figures
	answers  []int64 // seconds to first answer
	pipeline map[string]int64
	won      map[string]int64
}

// NewBuilder starts a report of period (and the equally long period before it, prev) with weeks and
// hours in loc.
func NewBuilder(period, prev Period, loc *time.Location) *Builder {
	b := &Builder{loc: loc, countries: map[string]*Group{}, offers: map[string]*Group{}, locations: map[string]*Group{}}
	b.r.Period, b.r.Previous = period, prev
	b.r.Answers = make([]int, len(AnswerBuckets)+1)
	b.r.DeclineReasons, b.r.LostReasons = map[string]int{}, map[string]int{}
	for w := WeekStart(period.From, loc); w.Before(period.To); w = w.AddDate(0, 0, 7) {
		b.r.Weeks = append(b.r.Weeks, Week{Start: w, BySource: map[string]int{}})
		b.weekStart = append(b.weekStart, w.Unix())
	}
	return b
}

// WeekStart is Monday 00:00 of t's week in loc.
func WeekStart(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	d := (int(t.Weekday()) + 6) % 7 // Monday 0
	return time.Date(t.Year(), t.Month(), t.Day()-d, 0, 0, 0, 0, loc)
}

// Add counts one lead: in the period, the previous period, or (outside both) not at all.
func (b *Builder) Add(f *Fact) {
	switch {
	case b.r.Period.Contains(f.Created):
		b.now.add(f)
		b.addCharts(f)
	case b.r.Previous.Contains(f.Created):
		b.prev.add(f)
	}
}

func (a *acc) add(f *Fact) {
	a.f.Received++
	if f.Actionable {
		a.f.Actionable++
		if f.FirstAnswer != 0 {
			a.f.Answered++
			a.answers = append(a.answers, max(0, f.FirstAnswer-f.Created))
		}
		if f.Outcome == "expired" {
			a.f.Expired++
		}
	}
	if f.Accepted {
		a.f.Accepted++
	}
	switch f.Outcome {
	case "declined":
		a.f.Declined++
	case "won":
		a.f.Won++
		a.won = addMoney(a.won, f.Currency, f.Value)
	case "lost":
		a.f.Lost++
	}
	if f.Status == "accepted" && (f.Value != 0 || f.Currency != "") {
		a.pipeline = addMoney(a.pipeline, f.Currency, f.Value)
	}
}

func addMoney(m map[string]int64, currency string, v int64) map[string]int64 {
	if m == nil {
		m = map[string]int64{}
	}
	m[currency] += v
	return m
}

func (b *Builder) addCharts(f *Fact) {
	if i := b.week(f.Created); i >= 0 {
		w := &b.r.Weeks[i]
		w.Received++
		w.BySource[f.Source]++
		if f.Actionable {
			w.Actionable++
			if f.Outcome == "expired" {
				w.Expired++
			}
		}
	}
	if f.Actionable && f.FirstAnswer != 0 {
		d := time.Duration(max(0, f.FirstAnswer-f.Created)) * time.Second
		i, _ := slices.BinarySearch(AnswerBuckets, d+1) // d < bound i, counting equality as the next bar
		b.r.Answers[i]++
	}
	switch f.Outcome {
	case "declined":
		b.r.DeclineReasons[f.Reason]++
	case "lost":
		b.r.LostReasons[f.Reason]++
	}
	group(b.countries, f.Country, f)
	group(b.offers, f.Offer, f)
	if f.Location != 0 {
		group(b.locations, strconv.FormatInt(f.Location, 10), f)
	}
	t := time.Unix(f.Created, 0).In(b.loc)
	b.r.Heat[(int(t.Weekday())+6)%7][t.Hour()]++
}

// week is the index of the week holding unix time t, or -1.
func (b *Builder) week(t int64) int {
	i, found := slices.BinarySearch(b.weekStart, t)
	if !found {
		i--
	}
	return i
}

func group(m map[string]*Group, key string, f *Fact) {
	if key == "" {
		return
	}
	g := m[key]
	if g == nil {
		g = &Group{Key: key}
		m[key] = g
	}
	g.Leads++
	switch f.Outcome {
	case "won":
		g.Won++
	case "lost":
		g.Lost++
	}
}

// Report finishes the report.
func (b *Builder) Report() *Report {
	b.r.Now, b.r.Prev = b.now.figures(), b.prev.figures()
	b.r.Countries, b.r.Offers, b.r.Locations = ranked(b.countries), ranked(b.offers), ranked(b.locations)
	r := b.r
	return &r
}

func (a *acc) figures() Figures {
	f := a.f
	slices.Sort(a.answers)
	if len(a.answers) > 0 {
		f.Median = time.Duration(Percentile(a.answers, 0.5)) * time.Second
		f.P90 = time.Duration(Percentile(a.answers, 0.9)) * time.Second
	}
	f.Pipeline, f.WonValue = amounts(a.pipeline), amounts(a.won)
	return f
}

// Percentile is the p-quantile (0..1) of sorted, non-empty xs by linear interpolation between the
// closest ranks — what spreadsheets call PERCENTILE.INC, so a manager can check it by hand: the
// median of 1 h and 3 h is 2 h. Rounded to the nearest whole unit.
func Percentile(xs []int64, p float64) int64 {
	h := float64(len(xs)-1) * p
	lo := int(math.Floor(h))
	if lo+1 >= len(xs) {
		return xs[len(xs)-1]
	}
	return xs[lo] + int64(math.Round((h-float64(lo))*float64(xs[lo+1]-xs[lo])))
}

func amounts(m map[string]int64) []money.Amount {
	out := make([]money.Amount, 0, len(m))
	for c, v := range m {
		out = append(out, money.Amount{Minor: v, Currency: c})
	}
	slices.SortFunc(out, func(a, b money.Amount) int { return cmp.Compare(a.Currency, b.Currency) })
	return out
}

// ranked is the groups by leads (most first), then key.
func ranked(m map[string]*Group) []Group {
	out := make([]Group, 0, len(m))
	for _, g := range m {
		out = append(out, *g)
	}
	slices.SortFunc(out, func(a, b Group) int {
		if c := cmp.Compare(b.Leads, a.Leads); c != 0 {
			return c
		}
		return cmp.Compare(a.Key, b.Key)
	})
	return out
}
