package leadindex

import "math/bits"

// Hits is a set of leads a view picks from besides its filters: a search's hits, the leads received
// in an arrival range. The index's own search (Search) gives them as positions, a bitmap over the load
// it was made in, so a common term's hundreds of thousands of hits are never an id list; anything else
// gives ids (IDHits). A Hits is never changed once made: the search cache shares it between requests.
type Hits struct {
	ids  []int64
	mark []uint64 // positions, when found by the index
	of   []int32  // the ids by position of the load mark belongs to
	load int      // that load's number (Index.loads)
	n    int
}

// IDHits is the set of the leads with these ids.
func IDHits(ids []int64) *Hits { return &Hits{ids: ids, n: len(ids)} }

// Len is how many leads the set holds (deleted ones among them, until the next search).
func (h *Hits) Len() int { return h.n }

// IDs is the set's lead ids (a new slice when the index found them).
func (h *Hits) IDs() []int64 {
	if h.mark == nil {
		return h.ids
	}
	ids := make([]int64, 0, h.n)
	eachBit(h.mark, func(p int32) { ids = append(ids, int64(h.of[p])) })
	return ids
}

// hitMark is h as a bitmap of the index's current positions, with the deleted leads left out. The
// caller holds mu; the result may be h's own bitmap, to read only.
func (ix *Index) hitMark(h *Hits) []uint64 {
	if h.mark != nil && h.load == ix.loads {
		return h.mark
	}
	mark := make([]uint64, (len(ix.ids)+63)/64)
	for _, id := range h.IDs() {
		if p := ix.pos(id); p >= 0 {
			mark[p/64] |= 1 << (p % 64)
		}
	}
	return mark
}

// has says whether position p is set in mark (which may be shorter than the index: leads added since).
func has(mark []uint64, p int32) bool {
	return int(p/64) < len(mark) && mark[p/64]&(1<<(p%64)) != 0
}

func onesCount(mark []uint64) int {
	n := 0
	for _, x := range mark {
		n += bits.OnesCount64(x)
	}
	return n
}
