package leadindex

import (
	"context"
	"leaddesk/leadfilter"
	"slices"
)

// Page is one page of a view as the index finds it.
type Page struct {
	Page   int            // the page shown (the last one when asked past the end)
	Total  int            // leads matching the whole view
	IDs    []int64        // the page's leads, in order
	Counts map[string]int // per tab: marketplace, qualified, favorites (test leads not counted)
}

// Page finds view v's page, as of the last Ensure: for favourites and searches among their few leads,
// else by scanning the sort key's permutation, with the total summed from the combo counts. favs are
// the user's hearted leads; search the search's hits, nil when v searches nothing.
func (ix *Index) Page(v leadfilter.View, favs []int64, search *Hits) Page {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	out := Page{Counts: ix.tabCounts(favs)}
	out.Page, out.Total, out.IDs = ix.page(v, favs, search)
	return out
}

// tabCounts sums the combo counts per tab; favorites counts this user's hearted non-test leads.
func (ix *Index) tabCounts(favs []int64) map[string]int {
	counts := map[string]int{"marketplace": ix.tabTotal[1], "qualified": ix.tabTotal[2], "favorites": 0}
	for _, id := range favs {
		if p := ix.pos(id); p >= 0 && !ix.combos[ix.combo[p]].Test {
			counts["favorites"]++
		}
	}
	return counts
}

// candidates are the positions of the leads of a favourites or search view that match the filters,
// in the view's order.
func (ix *Index) candidates(v leadfilter.View, favs []int64, search *Hits, table []bool) []int32 {
	k := sortIndex(v.Sort)
	var out []int32
	switch mark := ix.viewMark(v, search); {
	case search == nil || v.Tab == "favorites":
		for _, id := range favs {
			if p := ix.pos(id); p >= 0 && table[ix.combo[p]] && (mark == nil || has(mark, p)) {
				out = append(out, p)
			}
		}
	default:
		out = make([]int32, 0, search.Len())
		eachBit(mark, func(p int32) {
			if table[ix.combo[p]] {
				out = append(out, p)
			}
		})
	}
	slices.SortFunc(out, func(a, b int32) int {
		if v.Desc {
			return ix.cmp(k, b, a)
		}
		return ix.cmp(k, a, b)
	})
	return out
}

// viewMark is the positions of a view's search hits, nil when it searches nothing. The caller holds mu.
func (ix *Index) viewMark(v leadfilter.View, search *Hits) []uint64 {
	if search == nil {
		return nil
	}
	return ix.hitMark(search)
}

func (ix *Index) page(v leadfilter.View, favs []int64, search *Hits) (pageNo, total int, ids []int64) {
	table := ix.matchTable(v.Filter)
	var mark []uint64 // positions of a large search's hits: paged by scanning the permutation
	switch {
	case search != nil && v.Tab != "favorites" && search.Len() > ix.largeSearch:
		mark = ix.hitMark(search)
		eachBit(mark, func(p int32) {
			if table[ix.combo[p]] {
				total++
			}
		})
	case search != nil || v.Tab == "favorites":
		hits := ix.candidates(v, favs, search, table)
		pageNo = clampPage(v, len(hits))
		from := min((pageNo-1)*v.Size, len(hits))
		for _, p := range hits[from:min(from+v.Size, len(hits))] {
			ids = append(ids, int64(ix.ids[p]))
		}
		return pageNo, len(hits), ids
	default:
		for c, ok := range table {
			if ok {
				total += int(ix.comboCount[c])
			}
		}
	}
	pageNo = clampPage(v, total)
	from, want := (pageNo-1)*v.Size, min(v.Size, total-(pageNo-1)*v.Size)
	k := sortIndex(v.Sort)
	perm, pc := ix.perm[k], ix.permCombo[k]
	seen := 0
	for i := range perm {
		j := i
		if v.Desc {
			j = len(perm) - 1 - i
		}
		if !table[pc[j]] {
			continue
		}
		if mark != nil && !has(mark, perm[j]) {
			continue
		}
		if seen >= from {
			if len(ids) >= want {
				break
			}
			ids = append(ids, int64(ix.ids[perm[j]]))
		}
		seen++
	}
	return pageNo, total, ids
}

func clampPage(v leadfilter.View, total int) int {
	last := max(1, (total+v.Size-1)/v.Size)
	return min(max(v.Page, 1), last)
}

// Adjacent is the leads before and after id in a tab view (no favourites, no search) as of the last
// Ensure: 0 when there is none, or when id is not in the view.
func (ix *Index) Adjacent(v leadfilter.View, id int64) (prev, next int64) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	table := ix.matchTable(v.Filter)
	p := ix.pos(id)
	if p < 0 || !table[ix.combo[p]] {
		return 0, 0
	}
	k := sortIndex(v.Sort)
	perm, pc, r := ix.perm[k], ix.permCombo[k], ix.rankOf(k, p)
	before, after := int64(0), int64(0)
	for j := r - 1; j >= 0; j-- {
		if table[pc[j]] {
			before = int64(ix.ids[perm[j]])
			break
		}
	}
	for j := r + 1; j < len(perm); j++ {
		if table[pc[j]] {
			after = int64(ix.ids[perm[j]])
			break
		}
	}
	if v.Desc {
		return after, before
	}
	return before, after
}

// Order is every lead id of view v in order (all pages), as of the last Ensure; 8 bytes a lead.
func (ix *Index) Order(v leadfilter.View, favs []int64, search *Hits) []int64 {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	table := ix.matchTable(v.Filter)
	var order []int64
	if search != nil || v.Tab == "favorites" {
		for _, p := range ix.candidates(v, favs, search, table) {
			order = append(order, int64(ix.ids[p]))
		}
		return order
	}
	k := sortIndex(v.Sort)
	perm, pc := ix.perm[k], ix.permCombo[k]
	for i := range perm {
		j := i
		if v.Desc {
			j = len(perm) - 1 - i
		}
		if table[pc[j]] {
			order = append(order, int64(ix.ids[perm[j]]))
		}
	}
	return order
}

// Walk calls fn with the ids of tab view v (no favourites, no search) in order, chunk ids at a time,
// bringing the index up to date before each chunk and holding no lock while fn runs, so memory stays
// flat whatever the count: the permutation is walked with a cursor (a lead changed meanwhile may show
// at its old or its new place).
func (ix *Index) Walk(ctx context.Context, v leadfilter.View, chunk int, fn func(ids []int64) error) error {
	k := sortIndex(v.Sort)
	for cursor := 0; ; {
		if err := ix.Ensure(ctx); err != nil {
			return err
		}
		ix.mu.RLock()
		table := ix.matchTable(v.Filter) // cached; extended when combos were added
		perm, pc := ix.perm[k], ix.permCombo[k]
		ids := make([]int64, 0, chunk)
		for ; cursor < len(perm) && len(ids) < chunk; cursor++ {
			j := cursor
			if v.Desc {
				j = len(perm) - 1 - cursor
			}
			if table[pc[j]] {
				ids = append(ids, int64(ix.ids[perm[j]]))
			}
		}
		done := cursor >= len(perm)
		ix.mu.RUnlock()
		if err := fn(ids); err != nil {
			return err
		}
		if done {
			return nil
		}
	}
}

// Countries is the country codes that leads have had, sorted, as of the last Ensure.
func (ix *Index) Countries() []string {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return slices.Clone(ix.countries)
}
