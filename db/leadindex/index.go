// Package leadindex is the Leads list's in-memory index: a compact copy of every lead's filterable and
// sortable attributes, so the list can filter, count, sort and page a million leads in about a
// millisecond (counting and ordering hundreds of thousands of matching rows per request in SQLite
// takes far longer). One Index belongs to one open database: db.Open creates it and db.DB.Close
// closes it, which releases its connection; it starts no goroutine that outlives a call.
//
// Leads are stored by position (load order), column-wise in small types: ids as int32, times as
// uint32 unix seconds, the company as its rank among the distinct (lowercased) companies, everything
// else the filters look at interned as "combos" (one per distinct leadfilter.Attrs, with a row count
// each), so a tab count or a filtered total is a sum over a few thousand combos, and a filter test
// per row is one table lookup. For each sort key a permutation of positions (ascending by key, then
// id) and, beside it, each position's combo, so a page is found by a sequential scan; a lead's place
// in a permutation is found by binary search. About 90 bytes a lead in all, and the search's words.
//
// The search's words (words.go) answer a list search as lead_search (FTS5) does, in a few
// milliseconds even for a never-seen two-letter term: the leads' distinct words once, scanned for the
// query, with each word's positions (about 18 bytes a lead at a million demo leads); the hits go to
// the list as a bitmap of positions (Hits). lead_search answers until the index is loaded, and for the
// API.
//
// It stays current with writes from anywhere (this process, `leaddesk jobs`, the CLI): before each use
// it reads the lead change counter (lead_changes.n, bumped by triggers on every insert, update and
// delete of a lead) on a connection of its own; when it moved, it reads which leads changed since
// (lead_change_seq, migration 0013: per lead the counter value of its last change) and re-reads
// exactly those, so a write that leaves updated_at alone, stamps an older time, or deletes the row is
// seen all the same. A deleted lead leaves the permutations in place (its position stays, unused,
// until the next full load).
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
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Options tune an Index; the zero value is what the app uses.
type Options struct {
	// LargeSearch is the hit count above which a search is paged by scanning the sort's permutation
	// rather than by sorting its hits (default 5000).
	LargeSearch int

	// MaxOverlay is how many leads' words may have changed since the word index was built before it
	// is built anew from memory (default maxOverlay; tests lower it).
	MaxOverlay int
}

// Index is the in-memory lead index of one database.
type Index struct {
	db          *sql.DB
	largeSearch int
	maxOverlay  int

	mu     sync.RWMutex
	loaded bool
	ready  atomic.Bool // loaded, readable without a lock: until then the list is answered from SQLite
	loads  int         // full loads so far

	compactions int // word indexes built anew from memory (compactWords) so far

	// One entry per position (load order).
	ids     []int32
	combo   []uint32
	created []uint32 // unix seconds
	value   []int64
	expires []uint32 // unix seconds; noExpiry when none
	company []uint32 // rank of the lowercased company in companies
	posByID []int32  // id → position+1 (0 = none)
	dead    int      // positions of deleted leads, in no permutation

	companies []string // distinct lowercased companies, sorted

	words *wordIndex // the search's words (words.go)

	// What Insights needs besides the filter attributes and the columns above (DESIGN §11), one
	// record per position; reasons, currencies and offer titles are ids into names.
	facts  []insightFact
	names  []string
	nameID map[string]uint32

	combos      []leadfilter.Attrs
	comboID     map[leadfilter.Attrs]uint32
	comboCount  []int32
	comboStatus []uint8  // the status sort's key of each combo
	countries   []string // distinct countries of all combos, sorted (for the country filter's list)
	tabTotal    [3]int   // non-test leads per tab code (1 marketplace, 2 qualified)
	tables      tableCache

	perm      [numSorts][]int32
	permCombo [numSorts][]uint32

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

	// The background load (LoadInBackground): its context's cancel and its end.
	bgMu     sync.Mutex
	bgCancel context.CancelFunc
	bgDone   chan struct{}
}

// ErrClosed is returned by an Index used after Close.
var ErrClosed = errors.New("leadindex: closed")

const numSorts = 5 // leadfilter.Sorts

// noExpiry is the respond-by time of a lead without one: it sorts last.
const noExpiry = math.MaxUint32

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
	if opts.MaxOverlay <= 0 {
		opts.MaxOverlay = maxOverlay
	}
	return &Index{db: db, largeSearch: opts.LargeSearch, maxOverlay: opts.MaxOverlay}
}

// LoadInBackground starts loading the index on a goroutine of its own and returns at once; Close
// stops it. Until it is done, Ready reports false and callers may answer from SQLite instead.
func (ix *Index) LoadInBackground() {
	ix.bgMu.Lock()
	defer ix.bgMu.Unlock()
	if ix.bgDone != nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	ix.bgCancel, ix.bgDone = cancel, make(chan struct{})
	go func() {
		defer close(ix.bgDone)
		if ix.Ensure(ctx) == nil {
			// A load reads every lead and sorts five permutations: several times the index's own
			// size passes through the heap once. Hand that back to the system now rather than keep
			// it as idle heap for as long as the process runs (the scavenger returns it slowly).
			debug.FreeOSMemory()
		}
		// An error (closed, cancelled) leaves the index unloaded: the next use loads it.
	}()
}

// Ready reports whether the index has been loaded, without waiting for a load under way.
func (ix *Index) Ready() bool { return ix.ready.Load() }

// Loading reports whether a background load (LoadInBackground) is under way.
func (ix *Index) Loading() bool {
	ix.bgMu.Lock()
	done := ix.bgDone
	ix.bgMu.Unlock()
	if done == nil || ix.ready.Load() {
		return false
	}
	select {
	case <-done:
		return false
	default:
		return true
	}
}

// Loads is how many times the index was read in full (the first load, and any reload since).
func (ix *Index) Loads() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.loads
}

// Compactions is how many times the search's words were built anew from memory, folding in the words
// of the leads changed since (see compactWords).
func (ix *Index) Compactions() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.compactions
}

// Close releases the index's connection and its memory; later use answers ErrClosed.
func (ix *Index) Close() error {
	ix.bgMu.Lock()
	if ix.bgCancel != nil {
		ix.bgCancel()
		<-ix.bgDone
	}
	ix.bgMu.Unlock()
	ix.dvMu.Lock()
	defer ix.dvMu.Unlock()
	ix.closed = true
	var err error
	if ix.dvConn != nil {
		err = ix.dvConn.Close()
		ix.dvConn = nil
	}
	ix.mu.Lock()
	ix.reset()
	ix.mu.Unlock()
	ix.tables.reset()
	ix.search.reset()
	ix.reports.reset()
	return err
}

// reset empties the index; the caller holds mu.
func (ix *Index) reset() {
	ix.ids, ix.combo, ix.created, ix.value, ix.expires, ix.company, ix.posByID, ix.dead = nil, nil, nil, nil, nil, nil, nil, 0
	ix.companies, ix.words = nil, nil
	ix.facts, ix.names, ix.nameID = nil, nil, map[string]uint32{}
	ix.combos, ix.comboID, ix.comboCount, ix.comboStatus, ix.countries, ix.tabTotal = nil, map[leadfilter.Attrs]uint32{}, nil, nil, nil, [3]int{}
	ix.perm, ix.permCombo = [numSorts][]int32{}, [numSorts][]uint32{}
	ix.loaded = false
	ix.ready.Store(false)
}

const indexColumns = `id, tab, COALESCE(lead_type, ''), COALESCE(source, ''), COALESCE(cta, ''), actionable, quality, status,
	COALESCE(outcome, ''), email_validity, phone_validity, country, is_test, created_at, COALESCE(expires_at, 0),
	deal_value, customer_company, COALESCE(classification, ''),
	CASE WHEN accepted_at IS NOT NULL THEN accepted_at WHEN outcome = 'declined' THEN COALESCE(archived_at, 0) ELSE 0 END,
	accepted_at IS NOT NULL, reason, currency, offer_title, COALESCE(location_id, 0), COALESCE(owner_id, 0), ` + leadfilter.SyncColumn + `,
	contact_first_name, contact_last_name, deal_name, notes`

type indexRow struct {
	id, created, expires, value int64
	a                           leadfilter.Attrs
	company                     string
	answered, location          int64
	accepted                    bool
	reason, currency, offer     string
	fields                      searchFields // of SearchText
}

func scanIndexRow(rows *sql.Rows, r *indexRow) error {
	var l lead.Lead
	if err := rows.Scan(&r.id, &l.Tab, &l.LeadType, &l.Source, &l.CTA, &l.Actionable, &l.Quality, &l.Status, &l.Outcome, &l.EmailValidity,
		&l.PhoneValidity, &l.Country, &l.IsTest, &r.created, &r.expires, &r.value, &r.company, &l.Classification, &r.answered, &r.accepted,
		&r.reason, &r.currency, &r.offer, &r.location, &l.OwnerID, &l.PCSync, &l.ContactFirstName, &l.ContactLastName, &l.DealName,
		&l.Notes); err != nil {
		return err
	}
	l.LocationID = r.location
	l.CustomerCompany = r.company
	r.fields = fieldsOf(&l)
	r.a = leadfilter.AttrsOf(&l)
	r.company = strings.ToLower(r.company)
	return nil
}

// unixSeconds keeps a time of the index in 32 bits: leads are dated between 1970 and 2106.
func unixSeconds(t int64) uint32 {
	return uint32(min(max(t, 0), math.MaxUint32-1))
}

// expiry is the respond-by sort key: noExpiry (last) when there is none.
func expiry(t int64) uint32 {
	if t == 0 {
		return noExpiry
	}
	return unixSeconds(t)
}

// statusKey orders statuses: received, accepted, archived, then the archived outcomes.
func statusKey(a *leadfilter.Attrs) uint8 {
	if a.Outcome != 0 {
		return 3 + a.Outcome
	}
	return a.Status
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
	if ix.words != nil && len(ix.words.overlay) > ix.maxOverlay {
		// Many leads' words are searched one by one: fold them into the word index. In memory, in a
		// few hundred milliseconds at a million leads, where a reload takes seconds.
		ix.compactWords()
	}
	return nil
}

// load reads every lead into a new index and swaps it in; readers go on with the old one (if any)
// meanwhile. The caller holds dvMu.
func (ix *Index) load(ctx context.Context) error {
	rows, err := ix.dvConn.QueryContext(ctx, `SELECT `+indexColumns+` FROM leads ORDER BY id`)
	if err != nil {
		return fmt.Errorf("leadindex: load: %w", err)
	}
	defer rows.Close()
	n := &Index{}
	n.reset()
	// Companies are numbered as first seen, then renumbered by their order once all are known.
	seen := map[string]uint32{}
	var firstSeen []string
	// The search's words are built on a goroutine of their own, fed in batches, while rows are read:
	// splitting a million leads' text takes seconds, as long as reading it.
	words := make(chan []leadText, 4)
	built := make(chan *wordIndex, 1)
	go buildWords(words, built)
	defer func() {
		if words != nil { // an error: the builder ends, unused
			close(words)
			<-built
		}
	}()
	batch := make([]leadText, 0, 1024)
	var r indexRow
	for rows.Next() {
		if err := scanIndexRow(rows, &r); err != nil {
			return fmt.Errorf("leadindex: load: %w", err)
		}
		c, ok := seen[r.company]
		if !ok {
			c = uint32(len(firstSeen))
			seen[r.company] = c
			firstSeen = append(firstSeen, r.company)
		}
		if err := n.appendRow(&r, c); err != nil {
			return err
		}
		if batch = append(batch, leadText{int32(len(n.ids) - 1), r.id, r.fields}); len(batch) == cap(batch) {
			words <- batch
			batch = make([]leadText, 0, 1024)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("leadindex: load: %w", err)
	}
	words <- batch
	close(words)
	n.words, words = <-built, nil
	seen = nil
	order := make([]uint32, len(firstSeen))
	for i := range order {
		order[i] = uint32(i)
	}
	slices.SortFunc(order, func(a, b uint32) int { return strings.Compare(firstSeen[a], firstSeen[b]) })
	rank := make([]uint32, len(firstSeen))
	n.companies = make([]string, len(firstSeen))
	for i, c := range order {
		rank[c], n.companies[i] = uint32(i), firstSeen[c]
	}
	for p, c := range n.company {
		n.company[p] = rank[c]
	}
	n.rebuildPerms()

	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.ids, ix.combo, ix.created, ix.value, ix.expires, ix.company, ix.posByID, ix.dead = n.ids, n.combo, n.created, n.value, n.expires, n.company, n.posByID, 0
	ix.companies, ix.words = n.companies, n.words
	ix.facts, ix.names, ix.nameID = n.facts, n.names, n.nameID
	ix.combos, ix.comboID, ix.comboCount, ix.comboStatus, ix.countries, ix.tabTotal = n.combos, n.comboID, n.comboCount, n.comboStatus, n.countries, n.tabTotal
	ix.perm, ix.permCombo = n.perm, n.permCombo
	ix.tables.reset()
	ix.loaded = true
	ix.ready.Store(true)
	ix.loads++
	ix.gen++
	return nil
}

func (ix *Index) comboOf(a leadfilter.Attrs) uint32 {
	c, ok := ix.comboID[a]
	if !ok {
		c = uint32(len(ix.combos))
		ix.combos = append(ix.combos, a)
		ix.comboCount = append(ix.comboCount, 0)
		ix.comboStatus = append(ix.comboStatus, statusKey(&a))
		ix.comboID[a] = c
		if i, found := slices.BinarySearch(ix.countries, a.Country); !found && a.Country != "" {
			ix.countries = slices.Insert(ix.countries, i, a.Country)
		}
	}
	return c
}

// appendRow adds r at a new position with company rank company (in no permutation yet).
func (ix *Index) appendRow(r *indexRow, company uint32) error {
	if r.id <= 0 || r.id > math.MaxInt32 {
		return fmt.Errorf("leadindex: lead id %d is outside the index's range", r.id)
	}
	c := ix.comboOf(r.a)
	ix.count(c, 1)
	p := int32(len(ix.ids))
	ix.ids = append(ix.ids, int32(r.id))
	ix.combo = append(ix.combo, c)
	ix.created = append(ix.created, unixSeconds(r.created))
	ix.value = append(ix.value, r.value)
	ix.expires = append(ix.expires, expiry(r.expires))
	ix.company = append(ix.company, company)
	ix.facts = append(ix.facts, ix.factOf(r))
	ix.setPos(r.id, p)
	return nil
}

// insightFact is one lead's record for Insights besides its combo, creation time and deal value: its
// first answer (0 = none) in unix seconds, its reason, currency and offer title as ids into names,
// and whether it was accepted.
type insightFact struct {
	answered                uint32
	reason, currency, offer uint32
	accepted                bool
}

func (ix *Index) factOf(r *indexRow) insightFact {
	var answered uint32
	if r.answered != 0 {
		answered = unixSeconds(r.answered)
	}
	return insightFact{answered: answered, reason: ix.nameOf(r.reason), currency: ix.nameOf(r.currency), offer: ix.nameOf(r.offer), accepted: r.accepted}
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
		c = cmp.Compare(ix.company[a], ix.company[b])
	case 2:
		c = cmp.Compare(ix.value[a], ix.value[b])
	case 3:
		c = cmp.Compare(ix.comboStatus[ix.combo[a]], ix.comboStatus[ix.combo[b]])
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
			pc := make([]uint32, n)
			for i, q := range p {
				pc[i] = ix.combo[q]
			}
			ix.perm[k], ix.permCombo[k] = p, pc
		}(k)
	}
	wg.Wait()
}

// rankOf is position p's place in permutation k, found by binary search (p must be in it, and the
// columns must hold what p was sorted by).
func (ix *Index) rankOf(k int, p int32) int {
	perm := ix.perm[k]
	r, found := slices.BinarySearchFunc(perm, p, func(e, t int32) int { return ix.cmp(k, e, t) })
	if !found {
		return slices.Index(perm, p) // not reached while the permutation is sorted
	}
	return r
}

// maxMoves is how many changed leads refresh moves one by one; beyond it (an import, a job) a full
// load is quicker.
const maxMoves = 2000

// refresh reads the leads added, changed or deleted since the last look and moves them into place.
// The caller holds dvMu.
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
	if len(changedIDs) > maxMoves || (ix.dead > 1000 && ix.dead > len(ix.ids)/4) {
		// Many changes (an import, a job) or many unused positions after deletions: read afresh.
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
		// Leads were deleted (erasure, retention): they leave the permutations in one pass each.
		present := make(map[int64]bool, len(changed))
		for i := range changed {
			present[changed[i].id] = true
		}
		var gone []int32
		for _, id := range changedIDs {
			if p := ix.pos(id); p >= 0 && !present[id] {
				gone = append(gone, p)
				ix.words.drop(p)
			}
		}
		ix.remove(gone)
	}
	var newCompanies []string
	for i := range changed {
		if _, found := slices.BinarySearch(ix.companies, changed[i].company); !found {
			newCompanies = append(newCompanies, changed[i].company)
		}
	}
	ix.addCompanies(newCompanies)
	for i := range changed {
		if !ix.same(&changed[i]) {
			if err := ix.apply(&changed[i]); err != nil {
				return err
			}
		}
		ix.words.change(ix.pos(changed[i].id), textWords(changed[i].fields.text(), changed[i].id))
	}
	ix.gen++ // any change to a lead, even to text only the search sees, ends the cached searches
	return nil
}

// companyRank is the rank of company s, which companies holds.
func (ix *Index) companyRank(s string) uint32 {
	r, _ := slices.BinarySearch(ix.companies, s)
	return uint32(r)
}

// addCompanies puts new companies in their sorted place and renumbers every lead's company rank in
// one pass (ranks keep their order, so the permutations stay sorted). The caller holds mu.
func (ix *Index) addCompanies(add []string) {
	if len(add) == 0 {
		return
	}
	slices.Sort(add)
	add = slices.Compact(add)
	old := ix.companies
	merged := make([]string, 0, len(old)+len(add))
	remap := make([]uint32, len(old))
	i, j := 0, 0
	for i < len(old) || j < len(add) {
		if j == len(add) || (i < len(old) && old[i] < add[j]) {
			remap[i] = uint32(len(merged))
			merged = append(merged, old[i])
			i++
			continue
		}
		merged = append(merged, add[j])
		j++
	}
	for p, r := range ix.company {
		ix.company[p] = remap[r]
	}
	ix.companies = merged
}

// remove takes the leads at positions gone out of the index: out of the permutations and the counts;
// their positions stay unused until the next full load. The caller holds mu.
func (ix *Index) remove(gone []int32) {
	if len(gone) == 0 {
		return
	}
	for k := 0; k < numSorts; k++ {
		ranks := make([]int, len(gone))
		for i, p := range gone {
			ranks[i] = ix.rankOf(k, p)
		}
		slices.Sort(ranks)
		perm, pc := ix.perm[k], ix.permCombo[k]
		w := ranks[0]
		for i, r := range ranks {
			end := len(perm)
			if i+1 < len(ranks) {
				end = ranks[i+1]
			}
			copy(perm[w:], perm[r+1:end])
			copy(pc[w:], pc[r+1:end])
			w += end - r - 1
		}
		ix.perm[k], ix.permCombo[k] = perm[:w], pc[:w]
	}
	for _, p := range gone {
		ix.count(ix.combo[p], -1)
		ix.posByID[ix.ids[p]] = 0
	}
	ix.dead += len(gone)
}

// same reports whether the index already holds r as it is.
func (ix *Index) same(r *indexRow) bool {
	p := ix.pos(r.id)
	if p < 0 {
		return false
	}
	c, ok := ix.comboID[r.a]
	return ok && c == ix.combo[p] && ix.created[p] == unixSeconds(r.created) && ix.value[p] == r.value && ix.expires[p] == expiry(r.expires) &&
		ix.companies[ix.company[p]] == r.company && ix.facts[p] == ix.factOf(r)
}

// apply puts one added or changed lead in place; its company is in companies.
func (ix *Index) apply(r *indexRow) error {
	p := ix.pos(r.id)
	if p < 0 {
		if err := ix.appendRow(r, ix.companyRank(r.company)); err != nil {
			return err
		}
		p = int32(len(ix.ids) - 1)
		for k := 0; k < numSorts; k++ {
			ix.perm[k] = append(ix.perm[k], p)
			ix.permCombo[k] = append(ix.permCombo[k], ix.combo[p])
			ix.move(k, p, len(ix.perm[k])-1)
		}
		return nil
	}
	var ranks [numSorts]int
	for k := range ranks {
		ranks[k] = ix.rankOf(k, p) // before the columns change
	}
	old := ix.combo[p]
	c := ix.comboOf(r.a)
	ix.count(old, -1)
	ix.count(c, 1)
	ix.combo[p] = c
	ix.created[p], ix.value[p], ix.expires[p], ix.company[p] = unixSeconds(r.created), r.value, expiry(r.expires), ix.companyRank(r.company)
	ix.facts[p] = ix.factOf(r)
	for k := 0; k < numSorts; k++ {
		ix.permCombo[k][ranks[k]] = c
		ix.move(k, p, ranks[k])
	}
	return nil
}

// move puts position p, at place r of permutation k, where it belongs (it may be out of place after
// a change), shifting the entries in between by one.
func (ix *Index) move(k int, p int32, r int) {
	perm, pc := ix.perm[k], ix.permCombo[k]
	less := func(e, t int32) int { return ix.cmp(k, e, t) }
	c := pc[r]
	switch {
	case r > 0 && ix.cmp(k, p, perm[r-1]) < 0:
		at, _ := slices.BinarySearchFunc(perm[:r], p, less)
		copy(perm[at+1:r+1], perm[at:r])
		copy(pc[at+1:r+1], pc[at:r])
		perm[at], pc[at] = p, c
	case r < len(perm)-1 && ix.cmp(k, perm[r+1], p) < 0:
		j, _ := slices.BinarySearchFunc(perm[r+1:], p, less)
		at := r + j
		copy(perm[r:at], perm[r+1:at+1])
		copy(pc[r:at], pc[r+1:at+1])
		perm[at], pc[at] = p, c
	}
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
