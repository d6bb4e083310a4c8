package insights

import (
	"context"
	"time"

	"leaddesk/leadfilter"
)

// Source computes the report of a period for a filter, as of now: db.DB's Insights (the lead index).
type Source interface {
	Insights(ctx context.Context, f leadfilter.Filter, period, prev Period, loc *time.Location) (*Report, error)
}

// Summary is one period's headline figures beside those of the equally long period before it.
type Summary struct {
	Period, Previous Period
	Now, Prev        Figures
}

// Headline computes the headline figures of the non-test leads f admits that were received in [from,
// to), with those of the equally long period just before (PreviousPeriod) for the change: what the
// Insights page shows at its top, for the weekly summary mail and anything else that reports them.
// from and to are instants; for whole days pass midnights in the configured time zone (the week's
// figures are from Monday 00:00 to the next Monday 00:00). f's tab, search, favourites and test
// switches are ignored except the tab marketplace or qualified; its arrival range (created_from,
// created_to) is replaced by the period.
func Headline(ctx context.Context, src Source, f leadfilter.Filter, from, to time.Time, loc *time.Location) (Summary, error) {
	p := Period{From: from, To: to}
	prev := PreviousPeriod(p)
	r, err := src.Insights(ctx, ReportFilter(f), p, prev, loc)
	if err != nil {
		return Summary{}, err
	}
	return Summary{Period: r.Period, Previous: r.Previous, Now: r.Now, Prev: r.Prev}, nil
}

// ReportFilter is f as a report reads it: either tab unless marketplace or qualified is named, no
// favourites, no search, no arrival range (the report's period is that), never test leads.
func ReportFilter(f leadfilter.Filter) leadfilter.Filter {
	if f.Tab != "marketplace" && f.Tab != "qualified" {
		f.Tab = ""
	}
	f.Q, f.Test = "", false
	f.CreatedFrom, f.CreatedTo = "", ""
	return f
}

// PreviousPeriod is the period of as many calendar days as p that ends where p starts (in p.From's
// location, so a daylight saving change inside does not shift it by an hour); a period that is not
// whole days is simply shifted back by its length.
func PreviousPeriod(p Period) Period {
	d := Days(p.From, p.To)
	if from := p.From.AddDate(0, 0, -d); p.From.AddDate(0, 0, d).Equal(p.To) {
		return Period{From: from, To: p.From}
	}
	return Period{From: p.From.Add(-p.To.Sub(p.From)), To: p.From}
}

// Days is how many calendar days [from, to) spans (daylight saving changes make some 23 or 25 hours).
func Days(from, to time.Time) int { return int((to.Sub(from) + 12*time.Hour) / (24 * time.Hour)) }

// CountChange is how a count moved against the previous period: the difference, and the difference
// in percent of prev (ok false when prev is 0, as there is nothing to divide by).
func CountChange(now, prev int) (diff int, pct float64, ok bool) {
	if prev == 0 {
		return now - prev, 0, false
	}
	return now - prev, 100 * float64(now-prev) / float64(prev), true
}

// RateChange is how a rate moved against the previous period, in percentage points (ok false when
// either has nothing to divide by).
func RateChange(now, prev Rate) (points float64, ok bool) {
	a, oka := now.Percent()
	b, okb := prev.Percent()
	if !oka || !okb {
		return 0, false
	}
	return a - b, true
}
