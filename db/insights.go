package db

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"leaddesk/insights"
	"leaddesk/leadfilter"
)

// insightFactColumns are what insights needs of a lead. The first answer is accepted_at, or for a
// declined lead that was never accepted its archived_at (the decline is what archived it); see
// DESIGN §11.
const insightFactColumns = `created_at,
	CASE WHEN accepted_at IS NOT NULL THEN accepted_at WHEN outcome = 'declined' THEN COALESCE(archived_at, 0) ELSE 0 END,
	accepted_at IS NOT NULL, actionable, status, COALESCE(outcome, ''), reason, deal_value, currency, COALESCE(source, ''), country,
	offer_title, COALESCE(location_id, 0)`

// InsightFacts calls fn with the facts of every non-test lead f admits that was created in [from, to),
// in no particular order. f's search and favourites are not used; test leads are always left out.
func (d *DB) InsightFacts(ctx context.Context, f leadfilter.Filter, from, to time.Time, fn func(*insights.Fact)) error {
	f.Test = false
	where, args := f.Where()
	// Both tabs spelled out lets SQLite range-scan leads_tab_created per tab instead of scanning all
	// leads when the filter names none.
	tab := ""
	if f.Tab != "marketplace" && f.Tab != "qualified" {
		tab = "tab IN ('marketplace', 'qualified') AND "
	}
	args = append([]any{from.Unix(), to.Unix()}, args...)
	rows, err := d.QueryContext(ctx, `SELECT `+insightFactColumns+` FROM leads
		WHERE `+tab+`created_at >= ? AND created_at < ? AND `+where, args...)
	if err != nil {
		return fmt.Errorf("db: insight facts: %w", err)
	}
	defer rows.Close()
	var fact insights.Fact
	for rows.Next() {
		if err := rows.Scan(&fact.Created, &fact.FirstAnswer, &fact.Accepted, &fact.Actionable, &fact.Status, &fact.Outcome, &fact.Reason,
			&fact.Value, &fact.Currency, &fact.Source, &fact.Country, &fact.Offer, &fact.Location); err != nil {
			return fmt.Errorf("db: insight facts: %w", err)
		}
		fn(&fact)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("db: insight facts: %w", err)
	}
	return nil
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
