package db

import (
	"context"
	"database/sql"
	"fmt"
	"leaddesk/leadfilter"
	"strconv"
)

// arrivedIDs is the ids of the leads received in f's arrival range (created_from, created_to), nil
// when f has none. The lead index's combos hold no times, so the list, previous/next and the export
// hand these to it as a set of candidates, as they do search hits; the set is kept like a search's
// until a lead changes, as a drill-down is opened, paged and exported a few times in a row.
func (d *DB) arrivedIDs(ctx context.Context, f leadfilter.Filter) ([]int64, error) {
	from, to, ok := f.ArrivalRange()
	if !ok {
		return nil, nil
	}
	key := "arrived:" + strconv.FormatInt(from, 10) + ":" + strconv.FormatInt(to, 10) // search keys have no colon
	if ids, ok := d.index.CachedSearch(key); ok {
		return ids, nil
	}
	gen := d.index.Generation()
	var joined sql.NullString
	if err := d.QueryRowContext(ctx, `SELECT group_concat(id) FROM leads WHERE created_at >= ? AND created_at < ?`, from, to).Scan(&joined); err != nil {
		return nil, fmt.Errorf("db: leads received between %d and %d: %w", from, to, err)
	}
	ids := parseIDs(joined.String)
	d.index.CacheSearch(key, gen, ids)
	return ids, nil
}

// candidates is what a view of the index picks from besides its filters: the search hits, the leads
// received in the arrival range, or those both admit; nil when neither narrows the view.
func (d *DB) candidates(ctx context.Context, f leadfilter.Filter) ([]int64, error) {
	search, err := d.searchHits(ctx, f.Q)
	if err != nil {
		return nil, err
	}
	arrived, err := d.arrivedIDs(ctx, f)
	if err != nil || arrived == nil {
		return search, err
	}
	if search == nil {
		return arrived, nil
	}
	in := make(map[int64]bool, len(search))
	for _, id := range search {
		in[id] = true
	}
	both := make([]int64, 0, min(len(search), len(arrived)))
	for _, id := range arrived {
		if in[id] {
			both = append(both, id)
		}
	}
	return both, nil
}

// combosOnly is v without its arrival range, for the index once the candidates carry it: the index's
// match tables are per filter of combos, and a range per drill-down would only crowd them out.
func combosOnly(v leadfilter.View) leadfilter.View {
	v.CreatedFrom, v.CreatedTo = "", ""
	return v
}
