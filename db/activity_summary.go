package db

import (
	"context"
	"fmt"
	"time"
)

// ActivitySummary is how many activities a lead has and when the latest happened (the API's lead
// fields; the export reads the same in its own query).
type ActivitySummary struct {
	Count int
	Last  time.Time
}

// ActivitySummaries is the activity count and latest time of each of ids that has any (one query,
// over the lead_activities_lead index).
func (d *DB) ActivitySummaries(ctx context.Context, ids []int64) (map[int64]ActivitySummary, error) {
	out := make(map[int64]ActivitySummary, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := d.QueryContext(ctx, `SELECT lead_id, COUNT(*), MAX(at) FROM lead_activities WHERE lead_id IN (`+placeholders(len(ids))+`)
		GROUP BY lead_id`, anySlice(ids)...)
	if err != nil {
		return nil, fmt.Errorf("db: activity summaries: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, last int64
		var s ActivitySummary
		if err := rows.Scan(&id, &s.Count, &last); err != nil {
			return nil, fmt.Errorf("db: activity summaries: %w", err)
		}
		s.Last = time.Unix(last, 0).UTC()
		out[id] = s
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: activity summaries: %w", err)
	}
	return out, nil
}
