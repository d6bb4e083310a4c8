// Package insights holds the figures of the Insights page (DESIGN §11): headline figures with the change
// against the previous period, and the series behind each chart, with the arithmetic that defines them
// (rates, percentiles). The lead index fills a Report in one pass over the period's leads; the handlers
// draw it. No SQL and no HTTP here.
//
// Every figure is a cohort figure: it counts the leads *received* in the period (created_at in
// [From, To)) and what has become of them since, so that each figure and its drill-down agree on
// which leads they are about. Test leads never reach here (the caller's filter leaves them out).
package insights

import (
	"cmp"
	"math"
	"slices"
	"time"

	"leaddesk/lead"
	"leaddesk/money"
)

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

// NewReport starts the report of period (and prev, the equally long period before it) with its weeks
// (Monday 00:00 in loc) laid out and every count at zero.
func NewReport(period, prev Period, loc *time.Location) *Report {
	r := &Report{Period: period, Previous: prev, Answers: make([]int, len(AnswerBuckets)+1),
		DeclineReasons: map[string]int{}, LostReasons: map[string]int{}}
	for w := WeekStart(period.From, loc); w.Before(period.To); w = w.AddDate(0, 0, 7) {
		r.Weeks = append(r.Weeks, Week{Start: w, BySource: map[string]int{}})
	}
	return r
}

// WeekStart is Monday 00:00 of t's week in loc.
func WeekStart(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	d := (int(t.Weekday()) + 6) % 7 // Monday 0
	return time.Date(t.Year(), t.Month(), t.Day()-d, 0, 0, 0, 0, loc)
}

// Durations collects times to first answer, in whole seconds, for their median and percentiles: the
// durations under the expiry window (answers come before leads expire) appended as they come, with a
// count per minute beside them, and the rare later ones kept apart. Adding is an append and a counter
// increment in a table small enough to stay in the CPU's cache (a per-second histogram, 4.8 MB, made
// each add a cache miss); a percentile finds its minute by the counts and sorts only that minute's
// durations, so it stays exact to the second.
type Durations struct {
	n      int
	secs   []int32 // under histLen, in the order added
	blocks []int32 // per minute of secs
	over   []int64 // histLen and over

	sortedBlock int     // the block whose durations are in sorted, -1 for none
	sorted      []int32 // its durations, ascending
}

const (
	histLen  = int64(lead.ExpiryWindow / time.Second)
	blockLen = 60
)

// Add counts one duration of sec seconds (negative counts as 0: an answer stamped before arrival).
func (d *Durations) Add(sec int64) {
	d.n++
	sec = max(0, sec)
	if sec >= histLen {
		d.over = append(d.over, sec)
		return
	}
	if d.blocks == nil {
		d.blocks = make([]int32, (histLen+blockLen-1)/blockLen)
	}
	d.secs = append(d.secs, int32(sec))
	d.blocks[sec/blockLen]++
}

// Reset empties d for reuse, keeping its memory (a pool of them spares the garbage collector the
// tables of every report).
func (d *Durations) Reset() {
	clear(d.blocks)
	d.n, d.secs, d.over, d.sorted, d.sortedBlock = 0, d.secs[:0], d.over[:0], d.sorted[:0], -1
}

// N is how many durations were added.
func (d *Durations) N() int { return d.n }

// at is the k-th smallest duration (0-based); k < N.
func (d *Durations) at(k int) int64 {
	for b, bc := range d.blocks {
		if k >= int(bc) {
			k -= int(bc)
			continue
		}
		if d.sorted == nil || d.sortedBlock != b {
			d.sorted = d.sorted[:0]
			for _, s := range d.secs {
				if int(s)/blockLen == b {
					d.sorted = append(d.sorted, s)
				}
			}
			slices.Sort(d.sorted)
			d.sortedBlock = b
		}
		return int64(d.sorted[k])
	}
	slices.Sort(d.over)
	return d.over[k]
}

// Quantile is the p-quantile (0..1) of the durations, by linear interpolation between the closest ranks
// — what spreadsheets call PERCENTILE.INC, so a manager can check it by hand: the median of 1 h and
// 3 h is 2 h. Rounded to the second; 0 when there are none.
func (d *Durations) Quantile(p float64) time.Duration {
	if d.n == 0 {
		return 0
	}
	h := float64(d.n-1) * p
	lo := int(math.Floor(h))
	x := d.at(lo)
	if lo+1 < d.n {
		x += int64(math.Round((h - float64(lo)) * float64(d.at(lo+1)-x)))
	}
	return time.Duration(x) * time.Second
}

// Buckets adds the durations per AnswerBuckets bar into counts (len(AnswerBuckets)+1): bar i holds
// those under bound i and at or over bound i-1.
func (d *Durations) Buckets(counts []int) {
	bar := func(s int) int { // the bar of second s
		i := 0
		for i < len(AnswerBuckets) && time.Duration(s)*time.Second >= AnswerBuckets[i] {
			i++
		}
		return i
	}
	split := false // some minute straddles a bound (none does: the bounds are whole hours)
	for b, bc := range d.blocks {
		if bc == 0 {
			continue
		}
		first, end := b*blockLen, min((b+1)*blockLen, int(histLen))
		if i := bar(first); i == bar(end-1) {
			counts[i] += int(bc) // the whole minute is in one bar
			continue
		}
		split = true
	}
	if split {
		for _, s := range d.secs {
			first, end := int(s)/blockLen*blockLen, min((int(s)/blockLen+1)*blockLen, int(histLen))
			if bar(first) != bar(end-1) {
				counts[bar(int(s))]++
			}
		}
	}
	counts[len(AnswerBuckets)] += len(d.over)
}

// Amounts is per-currency sums as amounts, by currency code.
func Amounts(m map[string]int64) []money.Amount {
	out := make([]money.Amount, 0, len(m))
	for c, v := range m {
		out = append(out, money.Amount{Minor: v, Currency: c})
	}
	slices.SortFunc(out, func(a, b money.Amount) int { return cmp.Compare(a.Currency, b.Currency) })
	return out
}

// Ranked is the groups by leads (most first), then key.
func Ranked(m map[string]*Group) []Group {
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
