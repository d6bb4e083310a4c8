package db

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
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
	ix := d.leadIndex()
	if err := ix.ensure(ctx, d); err != nil {
		return nil, err
	}
	favs, err := d.FavoriteIDs(ctx, userID)
	if err != nil {
		return nil, err
	}
	search, err := d.searchHits(ctx, ix, f.Q)
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

// viewOrder is every lead id of view f in order (all pages). It is a slice of ids, 8 bytes a lead.
func (d *DB) viewOrder(ctx context.Context, f LeadFilter, userID int64) ([]int64, error) {
	ix := d.leadIndex()
	if err := ix.ensure(ctx, d); err != nil {
		return nil, err
	}
	favs, err := d.FavoriteIDs(ctx, userID)
	if err != nil {
		return nil, err
	}
	search, err := d.searchHits(ctx, ix, f.Q)
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
		rows, err := d.QueryContext(ctx, `SELECT id, customer_company, contact_first_name, contact_last_name, deal_name, notes
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

// ExportLeads calls fn for every lead of view f (all pages) in order with the export's fields filled
// (DESIGN §3.5; not every field of Lead), reading a thousand at a
// time, so memory stays flat whatever the count: the permutation is walked chunk by chunk with a
// cursor (a lead changed meanwhile may show at its old or its new place). Favourite and search views
// are bounded by their hits and are ordered up front.
func (d *DB) ExportLeads(ctx context.Context, f LeadFilter, userID int64, fn func(*Lead) error) error {
	emit := func(ids []int64) error {
		leads, err := d.exportLeadsByIDs(ctx, ids)
		if err != nil {
			return err
		}
		for _, l := range leads {
			if err := fn(l); err != nil {
				return err
			}
		}
		return nil
	}
	if f.Q != "" && SearchQuery(f.Q) != "" || f.Tab == "favorites" {
		order, err := d.viewOrder(ctx, f, userID)
		if err != nil {
			return err
		}
		for from := 0; from < len(order); from += exportChunk {
			if err := emit(order[from:min(from+exportChunk, len(order))]); err != nil {
				return err
			}
		}
		return nil
	}
	ix := d.leadIndex()
	var table []bool
	for cursor := 0; ; {
		if err := ix.ensure(ctx, d); err != nil {
			return err
		}
		ix.mu.RLock()
		if len(table) != len(ix.combos) {
			table = ix.matchTable(f)
		}
		k := sortIndex(f.Sort)
		perm, pc := ix.perm[k], ix.permCombo[k]
		ids := make([]int64, 0, exportChunk)
		for ; cursor < len(perm) && len(ids) < exportChunk; cursor++ {
			j := cursor
			if f.Desc {
				j = len(perm) - 1 - cursor
			}
			if table[pc[j]] {
				ids = append(ids, ix.ids[perm[j]])
			}
		}
		done := cursor >= len(perm)
		ix.mu.RUnlock()
		if err := emit(ids); err != nil {
			return err
		}
		if done {
			return nil
		}
	}
}

// exportChunk is how many leads an export reads at once.
const exportChunk = 1000

// FavoriteIDs returns the leads userID hearted, newest heart first.
func (d *DB) FavoriteIDs(ctx context.Context, userID int64) ([]int64, error) {
	rows, err := d.QueryContext(ctx, `SELECT lead_id FROM favorites WHERE user_id = ? ORDER BY created_at DESC, lead_id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("db: favorites: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("db: favorites: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// SetFavorite hearts (on) or un-hearts a lead for userID. An unknown lead gives ErrNotFound.
func (d *DB) SetFavorite(ctx context.Context, userID, leadID int64, on bool, at time.Time) error {
	if !on {
		_, err := d.ExecContext(ctx, `DELETE FROM favorites WHERE user_id = ? AND lead_id = ?`, userID, leadID)
		if err != nil {
			return fmt.Errorf("db: unfavorite %d: %w", leadID, err)
		}
		return nil
	}
	res, err := d.ExecContext(ctx, `INSERT OR IGNORE INTO favorites (user_id, lead_id, created_at)
		SELECT ?, id, ? FROM leads WHERE id = ?`, userID, at.Unix(), leadID)
	if err != nil {
		return fmt.Errorf("db: favorite %d: %w", leadID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var one int
		if err := d.QueryRowContext(ctx, `SELECT 1 FROM leads WHERE id = ?`, leadID).Scan(&one); err != nil {
			return ErrNotFound
		}
	}
	return nil
}

// IsFavorite reports whether userID hearted the lead.
func (d *DB) IsFavorite(ctx context.Context, userID, leadID int64) (bool, error) {
	var n int
	err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM favorites WHERE user_id = ? AND lead_id = ?`, userID, leadID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("db: favorite %d: %w", leadID, err)
	}
	return n > 0, nil
}

// SetLastView remembers the user's last Leads view (a query string) across sign-ins.
func (d *DB) SetLastView(ctx context.Context, userID int64, view string) error {
	if _, err := d.ExecContext(ctx, `UPDATE users SET last_view = ? WHERE id = ?`, view, userID); err != nil {
		return fmt.Errorf("db: last view: %w", err)
	}
	return nil
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

// FavoriteCount is how many non-test leads userID hearted (the Favorites tab's count).
func (d *DB) FavoriteCount(ctx context.Context, userID int64) (int, error) {
	var n int
	if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM favorites f JOIN leads l ON l.id = f.lead_id
		WHERE f.user_id = ? AND l.is_test = 0`, userID).Scan(&n); err != nil {
		return 0, fmt.Errorf("db: favorite count: %w", err)
	}
	return n, nil
}

// exportLeadColumns are the columns of the CSV export (DESIGN §3.5): reading only these keeps a
// million-row export quick.
const exportLeadColumns = `id, created_at, customer_company, contact_first_name, contact_last_name, contact_email, email_validity,
	contact_phone, phone_validity, country, COALESCE(source, ''), COALESCE(lead_type, ''), COALESCE(cta, ''),
	COALESCE(classification, ''), offer_id, offer_title, quality, status, COALESCE(outcome, ''), reason, deal_name, deal_value,
	currency, purchase_date, crm_id, campaign_id, notes`

// exportLeadsByIDs reads the export's fields of leads, in the order of ids.
func (d *DB) exportLeadsByIDs(ctx context.Context, ids []int64) ([]*Lead, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := d.QueryContext(ctx, `SELECT `+exportLeadColumns+` FROM leads WHERE id IN (`+placeholders(len(ids))+`)`, anySlice(ids)...)
	if err != nil {
		return nil, fmt.Errorf("db: export leads: %w", err)
	}
	defer rows.Close()
	byID := make(map[int64]*Lead, len(ids))
	for rows.Next() {
		var l Lead
		var created int64
		if err := rows.Scan(&l.ID, &created, &l.CustomerCompany, &l.ContactFirstName, &l.ContactLastName, &l.ContactEmail, &l.EmailValidity,
			&l.ContactPhone, &l.PhoneValidity, &l.Country, &l.Source, &l.LeadType, &l.CTA, &l.Classification, &l.OfferID, &l.OfferTitle,
			&l.Quality, &l.Status, &l.Outcome, &l.Reason, &l.DealName, &l.DealValue, &l.Currency, &l.PurchaseDate, &l.CRMID, &l.CampaignID,
			&l.Notes); err != nil {
			return nil, fmt.Errorf("db: export leads: %w", err)
		}
		l.CreatedAt = time.Unix(created, 0).UTC()
		byID[l.ID] = &l
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: export leads: %w", err)
	}
	out := make([]*Lead, 0, len(ids))
	for _, id := range ids {
		if l := byID[id]; l != nil {
			out = append(out, l)
		}
	}
	return out, nil
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
	const text = `lower(customer_company || ' ' || contact_first_name || ' ' || contact_last_name || ' ' || contact_last_name ||
		contact_first_name || ' ' || deal_name || ' ' || notes || ' ' || id)`
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
