package db

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"leaddesk/lead"
	"math"
	"slices"
	"strings"
	"sync"
)

// leadIndex is a compact in-memory copy of every lead's filterable and sortable attributes, so the
// Leads list can filter, count, sort and page a million leads in about a millisecond: counting and
// ordering hundreds of thousands of matching rows per request in SQLite takes far longer.
//
// Leads are stored by position (load order). Filter attributes are interned as "combos" (one per
// distinct attribute set, with a row count each), so a tab count or a filtered total is a sum over a
// few thousand combos, and a filter test per row is one table lookup. For each sort key a permutation
// of positions (ascending by key, then id) and, beside it, each position's combo (so a page is found by
// a sequential scan) and each position's rank (to sort favourites and search hits).
//
// It stays current with writes from anywhere (this process, `leaddesk jobs`, the CLI): before each use
// it reads the lead change counter (lead_changes, bumped by triggers on every insert, update and delete
// of a lead) on a connection of its own; when it moved, it reads only the rows with a newer id or an
// updated_at at or after the newest it has seen (index leads_updated), and moves them into place.
type leadIndex struct {
	mu     sync.RWMutex
	loaded bool

	ids     []int64
	combo   []uint32
	created []int64
	value   []int64
	expires []int64
	status  []uint8
	company []string
	posByID []int32 // id → position+1 (0 = none)

	combos     []attrs
	comboID    map[attrs]uint32
	comboCount []int32
	countries  []string // distinct countries of all combos, sorted (for the country filter's list)
	tabTotal   [3]int   // non-test leads per tab code (1 marketplace, 2 qualified)
	tables     tableCache

	perm      [numSorts][]int32
	permCombo [numSorts][]uint32
	rank      [numSorts][]int32

	gen    uint64 // bumped whenever a lead is added or changed
	search searchCache

	dvMu        sync.Mutex
	dvConn      *sql.Conn
	dataVersion int64 // lead_changes.n when last brought up to date
	maxID       int64
	maxUpdated  int64
}

const numSorts = 5 // LeadSorts

func sortIndex(s string) int {
	if i := slices.Index(LeadSorts, s); i >= 0 {
		return i
	}
	return 0
}

var indexes sync.Map // *DB → *leadIndex

func (d *DB) leadIndex() *leadIndex {
	if v, ok := indexes.Load(d); ok {
		return v.(*leadIndex)
	}
	v, _ := indexes.LoadOrStore(d, &leadIndex{})
	return v.(*leadIndex)
}

// ForgetLeadIndex drops the in-memory lead index of d (when the database is closed).
func (d *DB) ForgetLeadIndex() {
	if v, ok := indexes.LoadAndDelete(d); ok {
		ix := v.(*leadIndex)
		ix.dvMu.Lock()
		if ix.dvConn != nil {
			ix.dvConn.Close()
		}
		ix.dvMu.Unlock()
	}
}

const indexColumns = `id, tab, COALESCE(lead_type, ''), COALESCE(source, ''), COALESCE(cta, ''), actionable, quality, status,
	COALESCE(outcome, ''), email_validity, phone_validity, country, is_test, created_at, updated_at, COALESCE(expires_at, 0),
	deal_value, customer_company`

type indexRow struct {
	id, created, updated, expires, value int64
	a                                    attrs
	status                               uint8
	company                              string
}

func scanIndexRow(rows *sql.Rows, r *indexRow) error {
	var tab, ltype, source, cta, quality, status, outcome, email, phone string
	if err := rows.Scan(&r.id, &tab, &ltype, &source, &cta, &r.a.actionable, &quality, &status, &outcome, &email, &phone,
		&r.a.country, &r.a.test, &r.created, &r.updated, &r.expires, &r.value, &r.company); err != nil {
		return err
	}
	r.a.tab, r.a.ltype, r.a.source, r.a.cta = code(lead.Tabs, tab), code(lead.LeadTypes, ltype), code(lead.Sources, source), code(lead.CTAs, cta)
	r.a.quality, r.a.status, r.a.outcome = code(lead.Qualities, quality), code(lead.Statuses, status), code(lead.Outcomes, outcome)
	r.a.email, r.a.phone = code(lead.EmailValidities, email), code(lead.PhoneValidities, phone)
	if r.expires == 0 {
		r.expires = math.MaxInt64 // no respond-by date sorts last
	}
	// Status order: received, accepted, archived, then the archived outcomes.
	r.status = r.a.status
	if r.a.outcome != 0 {
		r.status = 3 + r.a.outcome
	}
	r.company = strings.ToLower(r.company)
	return nil
}

// ensure loads the index, or brings it up to date when the database changed since the last look.
func (ix *leadIndex) ensure(ctx context.Context, d *DB) error {
	ix.dvMu.Lock()
	defer ix.dvMu.Unlock()
	if ix.dvConn == nil {
		c, err := d.Conn(ctx)
		if err != nil {
			return fmt.Errorf("db: lead index connection: %w", err)
		}
		ix.dvConn = c
	}
	var dv int64
	if err := ix.dvConn.QueryRowContext(ctx, `SELECT n FROM lead_changes WHERE id = 1`).Scan(&dv); err != nil {
		ix.dvConn.Close()
		ix.dvConn = nil
		return fmt.Errorf("db: data version: %w", err)
	}
	// Only ensure changes the index, always under dvMu, so reading it here needs no other lock;
	// ix.mu is taken for writing only when leads really changed, so readers are not held up by
	// commits elsewhere (sessions, last views, favourites).
	if ix.loaded && dv == ix.dataVersion {
		return nil
	}
	// The change counter is read before the rows, so a commit in between is seen again next time.
	if !ix.loaded {
		ix.mu.Lock()
		defer ix.mu.Unlock()
		ix.dataVersion = dv
		return ix.load(ctx)
	}
	if err := ix.refresh(ctx); err != nil {
		return err
	}
	ix.dataVersion = dv
	return nil
}

// load reads every lead.
func (ix *leadIndex) load(ctx context.Context) error {
	rows, err := ix.dvConn.QueryContext(ctx, `SELECT `+indexColumns+` FROM leads ORDER BY id`)
	if err != nil {
		return fmt.Errorf("db: load lead index: %w", err)
	}
	defer rows.Close()
	ix.ids, ix.combo, ix.created, ix.value, ix.expires, ix.status, ix.company, ix.posByID = nil, nil, nil, nil, nil, nil, nil, nil
	ix.combos, ix.comboID, ix.comboCount, ix.countries, ix.tabTotal = nil, map[attrs]uint32{}, nil, nil, [3]int{}
	ix.tables.reset()
	ix.maxID, ix.maxUpdated, ix.loaded = 0, 0, false
	var r indexRow
	for rows.Next() {
		if err := scanIndexRow(rows, &r); err != nil {
			return fmt.Errorf("db: load lead index: %w", err)
		}
		ix.appendRow(&r)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("db: load lead index: %w", err)
	}
	ix.rebuildPerms()
	ix.loaded = true
	ix.gen++
	return nil
}

func (ix *leadIndex) comboOf(a attrs) uint32 {
	c, ok := ix.comboID[a]
	if !ok {
		c = uint32(len(ix.combos))
		ix.combos = append(ix.combos, a)
		ix.comboCount = append(ix.comboCount, 0)
		ix.comboID[a] = c
		if i, found := slices.BinarySearch(ix.countries, a.country); !found && a.country != "" {
			ix.countries = slices.Insert(ix.countries, i, a.country)
		}
	}
	return c
}

func (ix *leadIndex) appendRow(r *indexRow) {
	c := ix.comboOf(r.a)
	ix.count(c, 1)
	p := int32(len(ix.ids))
	ix.ids = append(ix.ids, r.id)
	ix.combo = append(ix.combo, c)
	ix.created = append(ix.created, r.created)
	ix.value = append(ix.value, r.value)
	ix.expires = append(ix.expires, r.expires)
	ix.status = append(ix.status, r.status)
	ix.company = append(ix.company, r.company)
	ix.setPos(r.id, p)
	ix.maxID = max(ix.maxID, r.id)
	ix.maxUpdated = max(ix.maxUpdated, r.updated)
}

func (ix *leadIndex) setPos(id int64, p int32) {
	if id <= 0 || id > 1<<31 {
		return
	}
	if int(id) >= len(ix.posByID) {
		ix.posByID = slices.Grow(ix.posByID, int(id)+1-len(ix.posByID)+len(ix.posByID)/4)[:int(id)+1]
	}
	ix.posByID[id] = p + 1
}

// pos is a lead's position, or -1.
func (ix *leadIndex) pos(id int64) int32 {
	if id <= 0 || id >= int64(len(ix.posByID)) {
		return -1
	}
	return ix.posByID[id] - 1
}

// less orders positions a and b by sort key k, then id.
func (ix *leadIndex) cmp(k int, a, b int32) int {
	var c int
	switch k {
	case 0:
		c = cmp.Compare(ix.created[a], ix.created[b])
	case 1:
		c = strings.Compare(ix.company[a], ix.company[b])
	case 2:
		c = cmp.Compare(ix.value[a], ix.value[b])
	case 3:
		c = cmp.Compare(ix.status[a], ix.status[b])
	case 4:
		c = cmp.Compare(ix.expires[a], ix.expires[b])
	}
	if c != 0 {
		return c
	}
	return cmp.Compare(ix.ids[a], ix.ids[b])
}

func (ix *leadIndex) rebuildPerms() {
	n := len(ix.ids)
	var wg sync.WaitGroup
	for k := 0; k < numSorts; k++ {
		wg.Add(1)
		go func(k int) {
			defer wg.Done()
			p := make([]int32, n)
			for i := range p {
				p[i] = int32(i)
			}
			slices.SortFunc(p, func(a, b int32) int { return ix.cmp(k, a, b) })
			ix.perm[k] = p
			ix.permCombo[k] = make([]uint32, n)
			ix.rank[k] = make([]int32, n)
			ix.reRank(k, 0, n)
		}(k)
	}
	wg.Wait()
}

// reRank recomputes combo copies and ranks for perm entries [from, to).
func (ix *leadIndex) reRank(k, from, to int) {
	p, pc, r := ix.perm[k], ix.permCombo[k], ix.rank[k]
	for i := from; i < to; i++ {
		pc[i] = ix.combo[p[i]]
		r[p[i]] = int32(i)
	}
}

// refresh reads the leads added or changed since the last look and moves them into place.
func (ix *leadIndex) refresh(ctx context.Context) error {
	rows, err := ix.dvConn.QueryContext(ctx, `SELECT `+indexColumns+` FROM leads WHERE id > ? OR updated_at >= ?`, ix.maxID, ix.maxUpdated)
	if err != nil {
		return fmt.Errorf("db: refresh lead index: %w", err)
	}
	defer rows.Close()
	var changed []indexRow
	for rows.Next() {
		var r indexRow
		if err := scanIndexRow(rows, &r); err != nil {
			return fmt.Errorf("db: refresh lead index: %w", err)
		}
		if !ix.same(&r) { // the leads of the newest second come back every time
			changed = append(changed, r)
		} else {
			ix.maxUpdated = max(ix.maxUpdated, r.updated) // only ensure reads it, under dvMu
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("db: refresh lead index: %w", err)
	}
	rows.Close()
	if len(changed) == 0 {
		return nil
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if len(changed) > 2000 {
		return ix.load(ctx) // a bulk change (an import, a job): rebuilding is quicker than moving each
	}
	for i := range changed {
		ix.apply(&changed[i])
	}
	ix.gen++
	return nil
}

// same reports whether the index already holds r as it is.
func (ix *leadIndex) same(r *indexRow) bool {
	p := ix.pos(r.id)
	if p < 0 {
		return false
	}
	c, ok := ix.comboID[r.a]
	return ok && c == ix.combo[p] && ix.created[p] == r.created && ix.value[p] == r.value && ix.expires[p] == r.expires &&
		ix.status[p] == r.status && ix.company[p] == r.company
}

// apply puts one added or changed lead in place.
func (ix *leadIndex) apply(r *indexRow) {
	p := ix.pos(r.id)
	if p < 0 {
		ix.appendRow(r)
		p = int32(len(ix.ids) - 1)
		for k := 0; k < numSorts; k++ {
			ix.perm[k] = append(ix.perm[k], p)
			ix.permCombo[k] = append(ix.permCombo[k], ix.combo[p])
			ix.rank[k] = append(ix.rank[k], int32(len(ix.perm[k])-1))
			ix.move(k, p)
		}
		return
	}
	ix.maxUpdated = max(ix.maxUpdated, r.updated)
	old := ix.combo[p]
	c := ix.comboOf(r.a)
	ix.count(old, -1)
	ix.count(c, 1)
	ix.combo[p] = c
	ix.created[p], ix.value[p], ix.expires[p], ix.status[p], ix.company[p] = r.created, r.value, r.expires, r.status, r.company
	for k := 0; k < numSorts; k++ {
		ix.permCombo[k][ix.rank[k][p]] = c
		ix.move(k, p)
	}
}

// move puts position p where it belongs in permutation k (it may be out of place after a change).
func (ix *leadIndex) move(k int, p int32) {
	perm := ix.perm[k]
	r := int(ix.rank[k][p])
	if (r == 0 || ix.cmp(k, perm[r-1], p) < 0) && (r == len(perm)-1 || ix.cmp(k, p, perm[r+1]) < 0) {
		return
	}
	copy(perm[r:], perm[r+1:])
	perm = perm[:len(perm)-1]
	at, _ := slices.BinarySearchFunc(perm, p, func(e, t int32) int { return ix.cmp(k, e, t) })
	perm = slices.Insert(perm, at, p)
	ix.perm[k] = perm
	ix.reRank(k, min(r, at), max(r, at)+1)
}

// count adds n leads to combo c and its tab's total.
func (ix *leadIndex) count(c uint32, n int) {
	ix.comboCount[c] += int32(n)
	if a := ix.combos[c]; !a.test {
		ix.tabTotal[a.tab] += n
	}
}
