package db

import (
	"context"
	"database/sql"
	"fmt"
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

// LocationNames maps every location's id to its name, for labelling insights by location.
func (d *DB) LocationNames(ctx context.Context) (map[int64]string, error) {
	rows, err := d.QueryContext(ctx, `SELECT id, name FROM locations`)
	if err != nil {
		return nil, fmt.Errorf("db: location names: %w", err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var name sql.NullString
		if err := rows.Scan(&id, &name); err != nil {
			return nil, fmt.Errorf("db: location names: %w", err)
		}
		out[id] = name.String
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: location names: %w", err)
	}
	return out, nil
}
