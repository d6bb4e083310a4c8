package db

import (
	"context"
	"time"

	"leaddesk/insights"
	"leaddesk/leadfilter"
)

// Insights is the Insights report of the non-test leads f admits received in period, with prev's
// headline figures beside it, from the lead index (one pass over the period's leads in memory: the
// same leads SQL would read, at a fraction of the time). Weeks and hours are in loc.
func (d *DB) Insights(ctx context.Context, f leadfilter.Filter, period, prev insights.Period, loc *time.Location) (*insights.Report, error) {
	if err := d.index.Ensure(ctx); err != nil {
		return nil, err
	}
	return d.index.Insights(f, period, prev, loc), nil
}

// LeadGeneration is the lead index's generation as of its last Ensure: it moves whenever a lead is
// added, changed or deleted, so what was computed from leads at one generation can be kept until it
// moves.
func (d *DB) LeadGeneration() uint64 { return d.index.Generation() }
