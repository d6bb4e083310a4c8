package leadindex

import (
	"leaddesk/leadfilter"
	"sync"
)

// searchCache keeps the exact hits of the last few searches for one index generation.
type searchCache struct {
	mu    sync.Mutex
	gen   uint64
	keys  []string
	byKey map[string]*Hits
}

const searchCacheSize = 8

func (c *searchCache) reset() {
	c.mu.Lock()
	c.keys, c.byKey = nil, nil
	c.mu.Unlock()
}

// CachedSearch is the hits kept for a search key in the current generation.
func (ix *Index) CachedSearch(key string) (*Hits, bool) {
	gen := ix.Generation()
	c := &ix.search
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return nil, false
	}
	ids, ok := c.byKey[key]
	return ids, ok
}

// CacheSearch keeps the hits of a search made when the index was at generation gen.
func (ix *Index) CacheSearch(key string, gen uint64, ids *Hits) {
	c := &ix.search
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen || c.byKey == nil {
		c.gen, c.keys, c.byKey = gen, nil, map[string]*Hits{}
	}
	if _, ok := c.byKey[key]; !ok {
		if len(c.keys) >= searchCacheSize {
			delete(c.byKey, c.keys[0])
			c.keys = c.keys[1:]
		}
		c.keys = append(c.keys, key)
	}
	c.byKey[key] = ids
}

// tableCache keeps the match tables of recent filters. Combos are only ever appended (until a full
// load, which resets the cache), so a table stays right for the combos it covers and is extended
// for new ones.
type tableCache struct {
	mu sync.Mutex
	m  map[string][]bool

	// The country of each combo as an id into countryNames ("" has one too), for Insights to count
	// countries in an array instead of looking each combo's country up in a map.
	country      []int32
	countryNames []string
	countryID    map[string]int32
}

func (t *tableCache) reset() {
	t.mu.Lock()
	t.m = nil
	t.country, t.countryNames, t.countryID = nil, nil, nil
	t.mu.Unlock()
}

// comboCountries is each combo's country as an id into the names it returns, extended for the combos
// added since. The caller holds ix.mu (read); the result is only read.
func (ix *Index) comboCountries() ([]int32, []string) {
	t := &ix.tables
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.countryID == nil {
		t.countryID = map[string]int32{}
	}
	for c := len(t.country); c < len(ix.combos); c++ {
		name := ix.combos[c].Country
		id, ok := t.countryID[name]
		if !ok {
			id = int32(len(t.countryNames))
			t.countryNames = append(t.countryNames, name)
			t.countryID[name] = id
		}
		t.country = append(t.country, id)
	}
	return t.country[:len(ix.combos)], t.countryNames
}

// matchTable says for each combo whether f's filters match it. The caller holds ix.mu (read).
func (ix *Index) matchTable(f leadfilter.Filter) []bool {
	key := f.Key()
	ix.tables.mu.Lock()
	t := ix.tables.m[key]
	ix.tables.mu.Unlock()
	if len(t) == len(ix.combos) {
		return t
	}
	m := f.Compile()
	nt := make([]bool, len(ix.combos))
	copy(nt, t)
	for i := len(t); i < len(ix.combos); i++ {
		nt[i] = m.Match(&ix.combos[i])
	}
	ix.tables.mu.Lock()
	if ix.tables.m == nil || len(ix.tables.m) >= 256 {
		ix.tables.m = map[string][]bool{}
	}
	ix.tables.m[key] = nt
	ix.tables.mu.Unlock()
	return nt
}
