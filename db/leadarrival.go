package db

import (
	"context"
	"database/sql"
	"fmt"
	"leaddesk/db/leadindex"
	"leaddesk/leadfilter"
	"strconv"
)

// arrivedIDs is the ids of the leads received in f's arrival range (created_from, created_to), nil
// when f has none. The lead index's combos hold no times, so the list, previous/next and the export
// hand these to it as a set of candidates, as they do search hits; the set is kept like a search's
// until a lead changes, as a drill-down is opened, paged and exported a few times in a row.
func (d *DB) arrivedIDs(ctx context.Context, f leadfilter.Filter) (*leadindex.Hits, error) {
	from, to, ok := f.ArrivalRange()
	if !ok {
		return nil, nil
	}
	key := "arrived:" + strconv.FormatInt(from, 10) + ":" + strconv.FormatInt(to, 10) // search keys have no colon
	if hits, ok := d.index.CachedSearch(key); ok {
		return hits, nil
	}
	gen := d.index.Generation()
	var joined sql.NullString
	if err := d.QueryRowContext(ctx, `SELECT group_concat(id) FROM leads WHERE created_at >= ? AND created_at < ?`, from, to).Scan(&joined); err != nil {
		return nil, fmt.Errorf("db: leads received between %d and %d: %w", from, to, err)
	}
	hits := leadindex.IDHits(parseIDs(joined.String))
	d.index.CacheSearch(key, gen, hits)
	return hits, nil
}

// candidates is what a view of the index picks from besides its filters: the search hits, the leads
// received in the arrival range, or those both admit; nil when neither narrows the view.
func (d *DB) candidates(ctx context.Context, f leadfilter.Filter) (*leadindex.Hits, error) {
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
	found := search.IDs()
	in := make(map[int64]bool, len(found))
	for _, id := range found {
		in[id] = true
	}
	both := make([]int64, 0, min(len(found), arrived.Len()))
	for _, id := range arrived.IDs() {
		if in[id] {
			both = append(both, id)
		}
	}
	return leadindex.IDHits(both), nil
}

// combosOnly is v without its arrival range, for the index once the candidates carry it: the index's
// match tables are per filter of combos, and a range per drill-down would only crowd them out.
func combosOnly(v leadfilter.View) leadfilter.View {
	v.CreatedFrom, v.CreatedTo = "", ""
	return v
}
