package db

import (
	"context"
	"database/sql"
	"fmt"
	"leaddesk/db/leadindex"
	"strings"
)

// searchHits is the ids of the leads whose text holds every word of q, or nil when q searches
// nothing (under two characters). The lead index's words answer once it is loaded, lead_search
// (SearchQuery's phrases) until then; both exactly alike. Results are kept (a few queries) until a
// lead changes, so paging, sorting and filtering a search costs no second look-up.
func (d *DB) searchHits(ctx context.Context, q string) (*leadindex.Hits, error) {
	match := SearchQuery(q)
	if match == "" {
		return nil, nil
	}
	key := strings.Join(searchWords(q), " ")
	if hits, ok := d.index.CachedSearch(key); ok {
		return hits, nil
	}
	gen := d.index.Generation()
	hits, ok := d.index.Search(searchWords(q))
	if !ok {
		ids, err := d.searchFTS(ctx, match)
		if err != nil {
			return nil, err
		}
		hits = leadindex.IDHits(ids)
	}
	d.index.CacheSearch(key, gen, hits)
	return hits, nil
}

// searchFTS is the ids of the leads lead_search finds for an FTS5 MATCH expression (SearchQuery), in
// one joined row: a common term has hundreds of thousands of hits, and reading them as rows costs far
// more than parsing one string. The index answers instead once loaded (leadindex.Index.Search).
func (d *DB) searchFTS(ctx context.Context, match string) ([]int64, error) {
	var joined sql.NullString
	if err := d.QueryRowContext(ctx, `SELECT group_concat(rowid) FROM lead_search WHERE lead_search MATCH ?`, match).Scan(&joined); err != nil {
		return nil, fmt.Errorf("db: search: %w", err)
	}
	return parseIDs(joined.String), nil
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

func anySlice(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// parseIDs reads a comma-separated list of ids, as group_concat writes it.
func parseIDs(s string) []int64 {
	ids := make([]int64, 0, strings.Count(s, ",")+1)
	var n int64
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == ',' {
			ids = append(ids, n)
			n = 0
		} else {
			n = n*10 + int64(c-'0')
		}
	}
	if s != "" {
		ids = append(ids, n)
	}
	return ids
}
