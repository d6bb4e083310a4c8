package db

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// searchHits is the ids of the leads whose text holds every word of q, or nil when q searches
// nothing (under two characters). The bigram index finds candidates; bigrams may match out of order,
// so candidates are checked against the text. Results are kept (a few queries) until a lead changes,
// so paging, sorting and filtering a search costs no second look-up.
func (d *DB) searchHits(ctx context.Context, ix *leadIndex, q string) ([]int64, error) {
	match := SearchQuery(q)
	if match == "" {
		return nil, nil
	}
	key := strings.Join(searchWords(q), " ")
	if ids, ok := ix.cachedSearch(key); ok {
		return ids, nil
	}
	gen := ix.generation()
	// One row with every hit, joined in SQLite: a common bigram has hundreds of thousands of hits,
	// and reading them as rows costs far more than parsing one string.
	var joined sql.NullString
	if err := d.QueryRowContext(ctx, `SELECT group_concat(rowid) FROM lead_search WHERE lead_search MATCH ?`, match).Scan(&joined); err != nil {
		return nil, fmt.Errorf("db: search: %w", err)
	}
	ids := parseIDs(joined.String)
	var err error
	if words := searchWords(q); len(ids) > sqlRecheckFrom && caseless(words) && !(len(words) == 1 && len([]rune(words[0])) <= 2) {
		ids, err = d.recheckInSQL(ctx, match, words)
	} else {
		ids, err = d.recheck(ctx, q, ids)
	}
	if err != nil {
		return nil, err
	}
	ix.cacheSearch(key, gen, ids)
	return ids, nil
}

// recheck keeps, in order, the ids whose lead text holds every word of q. One word of up to two
// characters is exact by construction (its one bigram is in the index), so no lead is read for it.
func (d *DB) recheck(ctx context.Context, q string, ids []int64) ([]int64, error) {
	words := searchWords(q)
	if len(words) == 1 && len([]rune(words[0])) <= 2 {
		return ids, nil
	}
	keep := make(map[int64]bool, len(ids))
	for from := 0; from < len(ids); from += 500 {
		chunk := ids[from:min(from+500, len(ids))]
		// An expired lead's contact is not searchable (LeadSearchTerms); rows indexed before that rule
		// may still hold its bigrams, so the check leaves the name out too.
		rows, err := d.QueryContext(ctx, `SELECT id, customer_company, `+searchContactFirst+`, `+searchContactLast+`, deal_name, notes
			FROM leads WHERE id IN (`+placeholders(len(chunk))+`)`, anySlice(chunk)...)
		if err != nil {
			return nil, fmt.Errorf("db: search recheck: %w", err)
		}
		for rows.Next() {
			var id int64
			var company, first, last, deal, notes string
			if err := rows.Scan(&id, &company, &first, &last, &deal, &notes); err != nil {
				rows.Close()
				return nil, fmt.Errorf("db: search recheck: %w", err)
			}
			text := " " + strings.Join(searchWords(strings.Join([]string{company, first + " " + last, last + first, deal, notes, strconv.FormatInt(id, 10)}, " ")), " ") + " "
			all := true
			for _, w := range words {
				if !strings.Contains(text, w) {
					all = false
					break
				}
			}
			keep[id] = all
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("db: search recheck: %w", err)
		}
	}
	out := ids[:0:0]
	for _, id := range ids {
		if keep[id] {
			out = append(out, id)
		}
	}
	return out, nil
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

// The contact's names as the search sees them: blank for expired leads (Lead.ContactHidden).
const (
	searchContactFirst = `(CASE WHEN outcome = 'expired' THEN '' ELSE contact_first_name END)`
	searchContactLast  = `(CASE WHEN outcome = 'expired' THEN '' ELSE contact_last_name END)`
)

// sqlRecheckFrom is the candidate count from which the exact check runs inside SQLite.
var sqlRecheckFrom = 2000

// caseless reports whether words hold only ASCII and characters without case (Japanese, digits), so
// SQLite's ASCII-only lower() folds the lead text as Go's would for them.
func caseless(words []string) bool {
	for _, w := range words {
		for _, r := range w {
			if r >= 0x80 && (unicode.ToUpper(r) != r || unicode.ToLower(r) != r) {
				return false
			}
		}
	}
	return true
}

// recheckInSQL is recheck for many candidates: SQLite reads each candidate and keeps those whose text
// holds every word, and answers with one joined row, far quicker than reading the rows into Go.
func (d *DB) recheckInSQL(ctx context.Context, match string, words []string) ([]int64, error) {
	const text = `lower(customer_company || ' ' || ` + searchContactFirst + ` || ' ' || ` + searchContactLast + ` || ' ' || ` +
		searchContactLast + ` || ` + searchContactFirst + ` || ' ' || deal_name || ' ' || notes || ' ' || id)`
	cond := strings.Repeat(` AND instr(`+text+`, ?) > 0`, len(words))
	args := []any{match}
	for _, w := range words {
		args = append(args, w)
	}
	var joined sql.NullString
	err := d.QueryRowContext(ctx, `SELECT group_concat(id) FROM leads WHERE id IN (SELECT rowid FROM lead_search WHERE lead_search MATCH ?)`+cond, args...).Scan(&joined)
	if err != nil {
		return nil, fmt.Errorf("db: search recheck: %w", err)
	}
	return parseIDs(joined.String), nil
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
