// Package leadindex is the Leads list's in-memory index: a compact copy of every lead's filterable and
// sortable attributes, so the list can filter, count, sort and page a million leads in about a
// millisecond (counting and ordering hundreds of thousands of matching rows per request in SQLite
// takes far longer). One Index belongs to one open database: db.Open creates it and db.DB.Close
// closes it, which releases its connection; it starts no goroutine that outlives a call.
//
// Leads are stored by position (load order). Filter attributes are interned as "combos" (one per
// distinct leadfilter.Attrs, with a row count each), so a tab count or a filtered total is a sum over
// a few thousand combos, and a filter test per row is one table lookup. For each sort key a
// permutation of positions (ascending by key, then id) and, beside it, each position's combo (so a
// page is found by a sequential scan) and each position's rank (to sort favourites and search hits).
//
// It stays current with writes from anywhere (this process, `leaddesk jobs`, the CLI): before each use
// it reads the lead change counter (lead_changes.n, bumped by triggers on every insert, update and
// delete of a lead) on a connection of its own; when it moved, it reads which leads changed since
// (lead_change_seq, migration 0013: per lead the counter value of its last change) and re-reads
// exactly those, so a write that leaves updated_at alone, stamps an older time, or deletes the row is
// seen all the same.
package leadindex

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"leaddesk/lead"
	"leaddesk/leadfilter"
	"math"
	"slices"
	"strings"
	"sync"
)

// Options tune an Index; the zero value is what the app uses.
type Options struct {
	// LargeSearch is the hit count above which a search is paged by scanning the sort's permutation
	// rather than by sorting its hits (default 5000).
	LargeSearch int
}

// Index is the in-memory lead index of one database.
type Index struct {
	db          *sql.DB
	largeSearch int

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

	// What Insights needs besides the filter attributes (DESIGN §11), one record per position so a
	// pass reads one cache line per lead; reasons, currencies and offer titles are ids into names.
	facts  []insightFact
	names  []string
	nameID map[string]uint32

	combos     []leadfilter.Attrs
	comboID    map[leadfilter.Attrs]uint32
	comboCount []int32
	countries  []string // distinct countries of all combos, sorted (for the country filter's list)
	tabTotal   [3]int   // non-test leads per tab code (1 marketplace, 2 qualified)
	tables     tableCache

	perm      [numSorts][]int32
	permCombo [numSorts][]uint32
	rank      [numSorts][]int32

	gen    uint64 // bumped whenever a lead is added, changed or deleted
	search searchCache
	// reports keeps recent Insights reports of the current generation; durationPool their per-second
	// answer-time histograms between reports.
	reports      reportCache
	durationPool sync.Pool

	dvMu        sync.Mutex
	closed      bool
	dvConn      *sql.Conn
	dataVersion int64 // lead_changes.n when last brought up to date
}

// ErrClosed is returned by an Index used after Close.
var ErrClosed = errors.New("leadindex: closed")

const numSorts = 5 // leadfilter.Sorts

func sortIndex(s string) int {
	if i := slices.Index(leadfilter.Sorts, s); i >= 0 {
		return i
	}
	return 0
}

// New makes the index of db; it reads nothing until first used.
func New(db *sql.DB, opts Options) *Index {
	if opts.LargeSearch <= 0 {
		opts.LargeSearch = 5000
	}
	return &Index{db: db, largeSearch: opts.LargeSearch}
}

// Close releases the index's connection and its memory; later use answers ErrClosed.
func (ix *Index) Close() error {
	ix.dvMu.Lock()
	defer ix.dvMu.Unlock()
	ix.closed = true
	var err error
	if ix.dvConn != nil {
		err = ix.dvConn.Close()
		ix.dvConn = nil
	}
	ix.mu.Lock()
	ix.ids, ix.combo, ix.created, ix.value, ix.expires, ix.status, ix.company, ix.posByID = nil, nil, nil, nil, nil, nil, nil, nil
	ix.facts, ix.names, ix.nameID = nil, nil, nil
	ix.combos, ix.comboID, ix.comboCount, ix.countries = nil, nil, nil, nil
	ix.perm, ix.permCombo, ix.rank = [numSorts][]int32{}, [numSorts][]uint32{}, [numSorts][]int32{}
	ix.loaded = false
	ix.mu.Unlock()
	ix.tables.reset()
	ix.search.reset()
	ix.reports.reset()
	return err
}

const indexColumns = `id, tab, COALESCE(lead_type, ''), COALESCE(source, ''), COALESCE(cta, ''), actionable, quality, status,
	COALESCE(outcome, ''), email_validity, phone_validity, country, is_test, created_at, COALESCE(expires_at, 0),
	deal_value, customer_company, COALESCE(classification, ''),
	CASE WHEN accepted_at IS NOT NULL THEN accepted_at WHEN outcome = 'declined' THEN COALESCE(archived_at, 0) ELSE 0 END,
	accepted_at IS NOT NULL, reason, currency, offer_title, COALESCE(location_id, 0), COALESCE(owner_id, 0), ` + leadfilter.SyncColumn

type indexRow struct {
	id, created, expires, value int64
	a                           leadfilter.Attrs
	status                      uint8
	company                     string
	answered, location          int64
	accepted                    bool
	reason, currency, offer     string
}

func scanIndexRow(rows *sql.Rows, r *indexRow) error {
	var l lead.Lead
	if err := rows.Scan(&r.id, &l.Tab, &l.LeadType, &l.Source, &l.CTA, &l.Actionable, &l.Quality, &l.Status, &l.Outcome, &l.EmailValidity,
		&l.PhoneValidity, &l.Country, &l.IsTest, &r.created, &r.expires, &r.value, &r.company, &l.Classification, &r.answered, &r.accepted,
		&r.reason, &r.currency, &r.offer, &r.location, &l.OwnerID, &l.PCSync); err != nil {
		return err
	}
	l.LocationID = r.location
	r.a = leadfilter.AttrsOf(&l)
	if r.expires == 0 {
		r.expires = math.MaxInt64 // no respond-by date sorts last
	}
	// Status order: received, accepted, archived, then the archived outcomes.
	r.status = r.a.Status
	if r.a.Outcome != 0 {
		r.status = 3 + r.a.Outcome
	}
	r.company = strings.ToLower(r.company)
	return nil
}

// Ensure loads the index, or brings it up to date when leads changed since the last look. The query
// methods answer as of the last Ensure.
func (ix *Index) Ensure(ctx context.Context) error {
	ix.dvMu.Lock()
	defer ix.dvMu.Unlock()
	if ix.closed {
		return ErrClosed
	}
	if ix.dvConn == nil {
		c, err := ix.db.Conn(ctx)
		if err != nil {
			return fmt.Errorf("leadindex: connection: %w", err)
		}
		ix.dvConn = c
	}
	var dv int64
	if err := ix.dvConn.QueryRowContext(ctx, `SELECT n FROM lead_changes WHERE id = 1`).Scan(&dv); err != nil {
		ix.dvConn.Close()
		ix.dvConn = nil
		return fmt.Errorf("leadindex: change counter: %w", err)
	}
	// Only Ensure changes the index, always under dvMu, so reading it here needs no other lock; ix.mu
	// is taken for writing only when leads really changed, so readers are not held up by commits
	// elsewhere (sessions, last views, favourites).
	if ix.loaded && dv == ix.dataVersion {
		return nil
	}
	// The counter is read before the rows, so a commit in between is seen (again) next time.
	if !ix.loaded {
		ix.mu.Lock()
		defer ix.mu.Unlock()
		if err := ix.load(ctx); err != nil {
			return err
		}
		ix.dataVersion = dv
		return nil
	}
	if err := ix.refresh(ctx); err != nil {
		return err
	}
	ix.dataVersion = dv
	return nil
}

// load reads every lead. The caller holds mu.
func (ix *Index) load(ctx context.Context) error {
	rows, err := ix.dvConn.QueryContext(ctx, `SELECT `+indexColumns+` FROM leads ORDER BY id`)
	if err != nil {
		return fmt.Errorf("leadindex: load: %w", err)
	}
	defer rows.Close()
	ix.ids, ix.combo, ix.created, ix.value, ix.expires, ix.status, ix.company, ix.posByID = nil, nil, nil, nil, nil, nil, nil, nil
	ix.facts, ix.names, ix.nameID = nil, nil, map[string]uint32{}
	ix.combos, ix.comboID, ix.comboCount, ix.countries, ix.tabTotal = nil, map[leadfilter.Attrs]uint32{}, nil, nil, [3]int{}
	ix.tables.reset()
	ix.loaded = false
	var r indexRow
	for rows.Next() {
		if err := scanIndexRow(rows, &r); err != nil {
			return fmt.Errorf("leadindex: load: %w", err)
		}
		ix.appendRow(&r)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("leadindex: load: %w", err)
	}
	ix.rebuildPerms()
	ix.loaded = true
	ix.gen++
	return nil
}

func (ix *Index) comboOf(a leadfilter.Attrs) uint32 {
	c, ok := ix.comboID[a]
	if !ok {
		c = uint32(len(ix.combos))
		ix.combos = append(ix.combos, a)
		ix.comboCount = append(ix.comboCount, 0)
		ix.comboID[a] = c
		if i, found := slices.BinarySearch(ix.countries, a.Country); !found && a.Country != "" {
			ix.countries = slices.Insert(ix.countries, i, a.Country)
		}
	}
	return c
}

func (ix *Index) appendRow(r *indexRow) {
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
	ix.facts = append(ix.facts, ix.factOf(r))
	ix.setPos(r.id, p)
}

// insightFact is one lead's record for Insights: its creation and first answer (0 = none) in unix
// seconds, its deal value, and its reason, currency and offer title as ids into names.
type insightFact struct {
	created, answered, value int64
	reason, currency, offer  uint32
	location                 int32
	accepted                 bool
}

func (ix *Index) factOf(r *indexRow) insightFact {
	return insightFact{created: r.created, answered: r.answered, value: r.value, reason: ix.nameOf(r.reason), currency: ix.nameOf(r.currency),
		offer: ix.nameOf(r.offer), location: int32(r.location), accepted: r.accepted}
}

// nameOf is s's id in names (reasons, currencies and offer titles share one table).
func (ix *Index) nameOf(s string) uint32 {
	id, ok := ix.nameID[s]
	if !ok {
		id = uint32(len(ix.names))
		ix.names = append(ix.names, s)
		ix.nameID[s] = id
	}
	return id
}

func (ix *Index) setPos(id int64, p int32) {
	if id <= 0 || id > 1<<31 {
		return
	}
	if int(id) >= len(ix.posByID) {
		ix.posByID = slices.Grow(ix.posByID, int(id)+1-len(ix.posByID)+len(ix.posByID)/4)[:int(id)+1]
	}
	ix.posByID[id] = p + 1
}

// pos is a lead's position, or -1.
func (ix *Index) pos(id int64) int32 {
	if id <= 0 || id >= int64(len(ix.posByID)) {
		return -1
	}
	return ix.posByID[id] - 1
}

// cmp orders positions a and b by sort key k, then id.
func (ix *Index) cmp(k int, a, b int32) int {
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

func (ix *Index) rebuildPerms() {
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
func (ix *Index) reRank(k, from, to int) {
	p, pc, r := ix.perm[k], ix.permCombo[k], ix.rank[k]
	for i := from; i < to; i++ {
		pc[i] = ix.combo[p[i]]
		r[p[i]] = int32(i)
	}
}

// maxMoves is how many changed leads refresh moves one by one; beyond it (an import, a job) a full
// load is quicker.
const maxMoves = 2000

// refresh reads the leads added, changed or deleted since the last look and moves them into place.
func (ix *Index) refresh(ctx context.Context) error {
	rows, err := ix.dvConn.QueryContext(ctx, `SELECT lead_id FROM lead_change_seq WHERE seq > ? LIMIT ?`, ix.dataVersion, maxMoves+1)
	if err != nil {
		return fmt.Errorf("leadindex: refresh: %w", err)
	}
	var changedIDs []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("leadindex: refresh: %w", err)
		}
		changedIDs = append(changedIDs, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("leadindex: refresh: %w", err)
	}
	if len(changedIDs) > maxMoves {
		ix.mu.Lock()
		defer ix.mu.Unlock()
		return ix.load(ctx)
	}
	changed := make([]indexRow, 0, len(changedIDs))
	for from := 0; from < len(changedIDs); from += 500 {
		chunk := changedIDs[from:min(from+500, len(changedIDs))]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := ix.dvConn.QueryContext(ctx, `SELECT `+indexColumns+` FROM leads WHERE id IN (?`+strings.Repeat(", ?", len(chunk)-1)+`)`, args...)
		if err != nil {
			return fmt.Errorf("leadindex: refresh: %w", err)
		}
		for rows.Next() {
			var r indexRow
			if err := scanIndexRow(rows, &r); err != nil {
				rows.Close()
				return fmt.Errorf("leadindex: refresh: %w", err)
			}
			changed = append(changed, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("leadindex: refresh: %w", err)
		}
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if len(changed) < len(changedIDs) {
		// A lead was deleted. Positions are dense, so a deletion is a rebuild; deletions are rare
		// (erasure, retention) and a rebuild of a million leads takes well under a second.
		for _, id := range changedIDs {
			if p := ix.pos(id); p >= 0 && !slices.ContainsFunc(changed, func(r indexRow) bool { return r.id == id }) {
				return ix.load(ctx)
			}
		}
	}
	for i := range changed {
		if !ix.same(&changed[i]) {
			ix.apply(&changed[i])
		}
	}
	ix.gen++ // any change to a lead, even to text only the search sees, ends the cached searches
	return nil
}

// same reports whether the index already holds r as it is.
func (ix *Index) same(r *indexRow) bool {
	p := ix.pos(r.id)
	if p < 0 {
		return false
	}
	c, ok := ix.comboID[r.a]
	return ok && c == ix.combo[p] && ix.created[p] == r.created && ix.value[p] == r.value && ix.expires[p] == r.expires &&
		ix.status[p] == r.status && ix.company[p] == r.company && ix.facts[p] == ix.factOf(r)
}

// apply puts one added or changed lead in place.
func (ix *Index) apply(r *indexRow) {
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
	old := ix.combo[p]
	c := ix.comboOf(r.a)
	ix.count(old, -1)
	ix.count(c, 1)
	ix.combo[p] = c
	ix.created[p], ix.value[p], ix.expires[p], ix.status[p], ix.company[p] = r.created, r.value, r.expires, r.status, r.company
	ix.facts[p] = ix.factOf(r)
	for k := 0; k < numSorts; k++ {
		ix.permCombo[k][ix.rank[k][p]] = c
		ix.move(k, p)
	}
}

// move puts position p where it belongs in permutation k (it may be out of place after a change).
func (ix *Index) move(k int, p int32) {
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
func (ix *Index) count(c uint32, n int) {
	ix.comboCount[c] += int32(n)
	if a := ix.combos[c]; !a.Test {
		ix.tabTotal[a.Tab] += n
	}
}

// Generation changes whenever a lead is added, changed or deleted.
func (ix *Index) Generation() uint64 {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.gen
}
