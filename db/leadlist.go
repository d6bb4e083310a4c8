package db

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"
)

// LeadPage is one page of the Leads list with the counts around it.
type LeadPage struct {
	Leads     []*Lead        // with the fields the list shows (listLeadColumns), not every field
	Total     int            // leads matching the whole view
	Page      int            // the page shown (the last one when asked past the end)
	Pages     int            // at least 1
	Counts    map[string]int // per tab: marketplace, qualified, favorites (test leads not counted)
	Favorites map[int64]bool // which of the page's leads this user hearted
}

// ListLeads returns the page of leads that view f shows to userID, with the total and tab counts.
// A page past the end gives the last page.
func (d *DB) ListLeads(ctx context.Context, f LeadFilter, userID int64) (*LeadPage, error) {
	ix, favs, search, err := d.viewInputs(ctx, f, userID)
	if err != nil {
		return nil, err
	}
	ix.mu.RLock()
	counts := ix.tabCounts(favs)
	var total int
	var ids []int64
	f.Page, total, ids = ix.page(f, favs, search)
	ix.mu.RUnlock()
	leads, err := d.listLeadsByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	page := &LeadPage{Leads: leads, Total: total, Page: f.Page, Pages: max(1, (total+f.Size-1)/f.Size), Counts: counts, Favorites: map[int64]bool{}}
	fs := map[int64]bool{}
	for _, id := range favs {
		fs[id] = true
	}
	for _, l := range leads {
		page.Favorites[l.ID] = fs[l.ID]
	}
	return page, nil
}

// tabCounts sums the combo counts per tab; favorites counts this user's hearted non-test leads.
func (ix *leadIndex) tabCounts(favs []int64) map[string]int {
	counts := map[string]int{"marketplace": ix.tabTotal[1], "qualified": ix.tabTotal[2], "favorites": 0}
	for _, id := range favs {
		if p := ix.pos(id); p >= 0 && !ix.combos[ix.combo[p]].test {
			counts["favorites"]++
		}
	}
	return counts
}

// candidates are the positions of the leads of a favourites or search view that match the filters,
// in the view's order.
func (ix *leadIndex) candidates(f LeadFilter, ids []int64, table []bool) []int32 {
	k := sortIndex(f.Sort)
	out := make([]int32, 0, len(ids))
	for _, id := range ids {
		if p := ix.pos(id); p >= 0 && table[ix.combo[p]] {
			out = append(out, p)
		}
	}
	rank := ix.rank[k]
	slices.SortFunc(out, func(a, b int32) int {
		if f.Desc {
			return int(rank[b] - rank[a])
		}
		return int(rank[a] - rank[b])
	})
	return out
}

// largeSearch is the hit count above which a search is paged by scanning the permutation rather than
// by sorting its hits.
var largeSearch = 5000

// page finds the view's page: for favourites and searches among their few leads, else by scanning
// the sort key's permutation, with the total summed from the combo counts.
func (ix *leadIndex) page(f LeadFilter, favs []int64, search []int64) (pageNo, total int, ids []int64) {
	table := ix.matchTable(f)
	var mark []uint64 // positions of a large search's hits: paged by scanning the permutation
	switch {
	case search != nil && f.Tab != "favorites" && len(search) > largeSearch:
		mark = make([]uint64, (len(ix.ids)+63)/64)
		for _, id := range search {
			if p := ix.pos(id); p >= 0 && table[ix.combo[p]] {
				mark[p/64] |= 1 << (p % 64)
				total++
			}
		}
	case search != nil || f.Tab == "favorites":
		src := search
		if search == nil {
			src = favs
		} else if f.Tab == "favorites" {
			src = intersect(search, favs)
		}
		hits := ix.candidates(f, src, table)
		pageNo = clampPage(f, len(hits))
		from := min((pageNo-1)*f.Size, len(hits))
		for _, p := range hits[from:min(from+f.Size, len(hits))] {
			ids = append(ids, ix.ids[p])
		}
		return pageNo, len(hits), ids
	default:
		for c, ok := range table {
			if ok {
				total += int(ix.comboCount[c])
			}
		}
	}
	pageNo = clampPage(f, total)
	from, want := (pageNo-1)*f.Size, min(f.Size, total-(pageNo-1)*f.Size)
	k := sortIndex(f.Sort)
	perm, pc := ix.perm[k], ix.permCombo[k]
	seen := 0
	for i := range perm {
		j := i
		if f.Desc {
			j = len(perm) - 1 - i
		}
		if !table[pc[j]] {
			continue
		}
		if mark != nil {
			if p := perm[j]; mark[p/64]&(1<<(p%64)) == 0 {
				continue
			}
		}
		if seen >= from {
			if len(ids) >= want {
				break
			}
			ids = append(ids, ix.ids[perm[j]])
		}
		seen++
	}
	return pageNo, total, ids
}

func clampPage(f LeadFilter, total int) int {
	last := max(1, (total+f.Size-1)/f.Size)
	return min(max(f.Page, 1), last)
}

func intersect(a, b []int64) []int64 {
	set := make(map[int64]bool, len(b))
	for _, id := range b {
		set[id] = true
	}
	var out []int64
	for _, id := range a {
		if set[id] {
			out = append(out, id)
		}
	}
	return out
}

// AdjacentLeadIDs returns the leads before and after id in view f as userID sees it (0 when there is
// none, or when id is not in the view), for previous/next on the details page.
func (d *DB) AdjacentLeadIDs(ctx context.Context, f LeadFilter, userID, id int64) (prev, next int64, err error) {
	if f.Tab != "favorites" && SearchQuery(f.Q) == "" {
		// A tab view: walk the permutation from the lead's place to its neighbours in the view.
		ix := d.leadIndex()
		if err := ix.ensure(ctx, d); err != nil {
			return 0, 0, err
		}
		ix.mu.RLock()
		defer ix.mu.RUnlock()
		table := ix.matchTable(f)
		p := ix.pos(id)
		if p < 0 || !table[ix.combo[p]] {
			return 0, 0, nil
		}
		k := sortIndex(f.Sort)
		perm, pc, r := ix.perm[k], ix.permCombo[k], int(ix.rank[k][p])
		before, after := int64(0), int64(0)
		for j := r - 1; j >= 0; j-- {
			if table[pc[j]] {
				before = ix.ids[perm[j]]
				break
			}
		}
		for j := r + 1; j < len(perm); j++ {
			if table[pc[j]] {
				after = ix.ids[perm[j]]
				break
			}
		}
		if f.Desc {
			return after, before, nil
		}
		return before, after, nil
	}
	order, err := d.viewOrder(ctx, f, userID)
	if err != nil {
		return 0, 0, err
	}
	i := slices.Index(order, id)
	if i < 0 {
		return 0, 0, nil
	}
	if i > 0 {
		prev = order[i-1]
	}
	if i+1 < len(order) {
		next = order[i+1]
	}
	return prev, next, nil
}

// viewInputs brings the lead index up to date and gathers what a view of it needs besides the filter:
// the user's favourites and the search hits (nil when f searches nothing).
func (d *DB) viewInputs(ctx context.Context, f LeadFilter, userID int64) (*leadIndex, []int64, []int64, error) {
	ix := d.leadIndex()
	if err := ix.ensure(ctx, d); err != nil {
		return nil, nil, nil, err
	}
	favs, err := d.FavoriteIDs(ctx, userID)
	if err != nil {
		return nil, nil, nil, err
	}
	search, err := d.searchHits(ctx, ix, f.Q)
	if err != nil {
		return nil, nil, nil, err
	}
	return ix, favs, search, nil
}

// viewOrder is every lead id of view f in order (all pages). It is a slice of ids, 8 bytes a lead.
func (d *DB) viewOrder(ctx context.Context, f LeadFilter, userID int64) ([]int64, error) {
	ix, favs, search, err := d.viewInputs(ctx, f, userID)
	if err != nil {
		return nil, err
	}
	ix.mu.RLock()
	table := ix.matchTable(f)
	var order []int64
	if search != nil || f.Tab == "favorites" {
		src := favs
		if search != nil {
			src = search
			if f.Tab == "favorites" {
				src = intersect(search, favs)
			}
		}
		for _, p := range ix.candidates(f, src, table) {
			order = append(order, ix.ids[p])
		}
	} else {
		k := sortIndex(f.Sort)
		perm, pc := ix.perm[k], ix.permCombo[k]
		for i := range perm {
			j := i
			if f.Desc {
				j = len(perm) - 1 - i
			}
			if table[pc[j]] {
				order = append(order, ix.ids[perm[j]])
			}
		}
	}
	ix.mu.RUnlock()
	return order, nil
}

// LeadCountries returns the country codes that leads have had, sorted, for the country filter's list.
func (d *DB) LeadCountries(ctx context.Context) ([]string, error) {
	ix := d.leadIndex()
	if err := ix.ensure(ctx, d); err != nil {
		return nil, err
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return slices.Clone(ix.countries), nil
}

// listLeadColumns are the fields a row of the Leads list shows; a page reads only these.
const listLeadColumns = `id, customer_company, contact_first_name, contact_last_name, email_validity, phone_validity, quality,
	COALESCE(lead_type, ''), country, COALESCE(source, ''), is_test, COALESCE(cta, ''), COALESCE(classification, ''), deal_value,
	currency, created_at, status, COALESCE(outcome, ''), customer_requested_contact, actionable, expires_at`

// listLeadsByIDs reads the list's fields of leads, in the order of ids.
func (d *DB) listLeadsByIDs(ctx context.Context, ids []int64) ([]*Lead, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := d.QueryContext(ctx, `SELECT `+listLeadColumns+` FROM leads WHERE id IN (`+placeholders(len(ids))+`)`, anySlice(ids)...)
	if err != nil {
		return nil, fmt.Errorf("db: list leads: %w", err)
	}
	defer rows.Close()
	byID := make(map[int64]*Lead, len(ids))
	for rows.Next() {
		var l Lead
		var created int64
		var expires sql.NullInt64
		if err := rows.Scan(&l.ID, &l.CustomerCompany, &l.ContactFirstName, &l.ContactLastName, &l.EmailValidity, &l.PhoneValidity,
			&l.Quality, &l.LeadType, &l.Country, &l.Source, &l.IsTest, &l.CTA, &l.Classification, &l.DealValue, &l.Currency, &created,
			&l.Status, &l.Outcome, &l.CustomerRequestedContact, &l.Actionable, &expires); err != nil {
			return nil, fmt.Errorf("db: list leads: %w", err)
		}
		l.CreatedAt = time.Unix(created, 0).UTC()
		l.ExpiresAt = nullTime(expires)
		byID[l.ID] = &l
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: list leads: %w", err)
	}
	out := make([]*Lead, 0, len(ids))
	for _, id := range ids {
		if l := byID[id]; l != nil {
			out = append(out, l)
		}
	}
	return out, nil
}
