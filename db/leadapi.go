package db

import (
	"context"
	"fmt"
	"leaddesk/leadfilter"
	"strconv"
)

// LeadCursor is a place in the newest-first order of (created_at, id); the zero value is the start.
type LeadCursor struct {
	Created int64
	ID      int64
}

// LeadsAfter returns up to limit leads of filter f after cursor, newest first, and whether more
// follow: the JSON API's paging. It filters in SQL (leadfilter's Where, the same rules the Leads
// list's index applies) so a cursor stays right while leads change between pages; search is the same
// exact index as the list's.
func (d *DB) LeadsAfter(ctx context.Context, f leadfilter.Filter, cursor LeadCursor, limit int) ([]*Lead, bool, error) {
	where, args := f.Where()
	if m := SearchQuery(f.Q); m != "" {
		where += " AND id IN (SELECT rowid FROM lead_search WHERE lead_search MATCH ?)"
		args = append(args, m)
	}
	if cursor.ID != 0 {
		where += " AND (created_at < ? OR (created_at = ? AND id < ?))"
		args = append(args, cursor.Created, cursor.Created, cursor.ID)
	}
	rows, err := d.QueryContext(ctx, `SELECT `+LeadColumns+` FROM leads WHERE `+where+
		` ORDER BY created_at DESC, id DESC LIMIT `+strconv.Itoa(limit+1), args...)
	if err != nil {
		return nil, false, fmt.Errorf("db: list leads: %w", err)
	}
	defer rows.Close()
	var out []*Lead
	for rows.Next() {
		l, err := ScanLead(rows)
		if err != nil {
			return nil, false, fmt.Errorf("db: list leads: %w", err)
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("db: list leads: %w", err)
	}
	more := len(out) > limit
	if more {
		out = out[:limit]
	}
	return out, more, nil
}
