package leadindex

import (
	"bytes"
	"maps"
	"math"
	"math/bits"
	"slices"
)

// compacted is a word index of n positions (at least w.n) answering as w does, with an empty overlay:
// each word's positions are w's less the stale ones, plus those of the overlay's leads that have it,
// and it is kept as a bitmap or in chunks by the rule of a load (denseWords, over n positions). Words
// no lead has any more are left out, as a load would. Positions of deleted leads (stale or past w.n,
// and in no overlay) stay stale, so they never match. w is only read: readers may search it meanwhile.
//
// It is what a load of the same leads at the same positions would build, from memory: a reload reads
// a million leads from SQLite for seconds while the list waits, where this copies the index once.
func (w *wordIndex) compacted(n int) *wordIndex {
	c := &wordIndex{n: n, overlay: map[int32][]string{}}
	c.counts, c.hasWords, c.stale = w.compactedLeads(n)

	// The overlay's words in byte order, each with its positions in increasing order.
	added := map[string][]int32{}
	for _, p := range slices.Sorted(maps.Keys(w.overlay)) {
		for _, x := range w.overlay[p] {
			added[x] = append(added[x], p)
		}
	}
	news := slices.Sorted(maps.Keys(added))
	newWords := make([][]byte, len(news))
	newSize, newPos := 0, 0
	for k, x := range news {
		newWords[k] = []byte(x)
		newSize += len(x) + 1
		newPos += 2 * len(added[x])
	}
	words := len(w.starts) - 1
	c.dict = make([]byte, 0, len(w.dict)+newSize)
	c.starts = make([]uint32, 0, words+len(news)+1)
	c.postAt = make([]uint32, 0, words+len(news)+1)
	c.post = make([]uint16, 0, len(w.post)+newPos)
	c.dense = make([]uint64, 0, len(w.denseWords)*((n+63)/64))

	// Merge w's words with the overlay's, both in byte order.
	var live []int32 // a word's positions, reused
	i, k := 0, 0
	for i < words || k < len(news) {
		old, word, add := -1, []byte(nil), []int32(nil)
		switch {
		case k == len(news):
			old = i
		case i == words:
			word, add = newWords[k], added[news[k]]
		default:
			switch d := bytes.Compare(w.word(i), newWords[k]); {
			case d < 0:
				old = i
			case d == 0:
				old, add = i, added[news[k]]
			default:
				word, add = newWords[k], added[news[k]]
			}
		}
		if old >= 0 {
			word = w.word(old)
			i++
		}
		if add != nil {
			k++
		}
		live = c.appendWord(w, old, word, add, live[:0])
	}
	c.starts = append(c.starts, uint32(len(c.dict)))
	c.postAt = append(c.postAt, uint32(len(c.post)))
	c.dense = slices.Clip(c.dense)
	return c
}

// compactedLeads is, for n positions, each lead's word count, which leads have words and which
// positions are deleted (stale or new since the build, and in no overlay), after folding in the
// overlay.
func (w *wordIndex) compactedLeads(n int) (counts []uint8, hasWords, stale []uint64) {
	counts = make([]uint8, n)
	copy(counts, w.counts)
	hasWords = make([]uint64, (n+63)/64)
	copy(hasWords, w.hasWords)
	eachBit(w.stale, func(p int32) {
		counts[p] = 0
		hasWords[p/64] &^= 1 << (p % 64)
		if _, ok := w.overlay[p]; !ok {
			setBit(&stale, p)
		}
	})
	for p := int32(w.n); int(p) < n; p++ {
		if _, ok := w.overlay[p]; !ok {
			setBit(&stale, p)
		}
	}
	for p, ws := range w.overlay {
		counts[p] = uint8(min(len(ws), math.MaxUint8))
		if len(ws) > 0 {
			hasWords[p/64] |= 1 << (p % 64)
		}
	}
	return counts, hasWords, stale
}

// word is word i of dict, without its wordSep.
func (w *wordIndex) word(i int) []byte {
	return w.dict[w.starts[i] : w.starts[i+1]-1]
}

// appendWord adds word to c with the live positions of w's word old (none when old is -1) and the
// positions add (which are not live in w: an overlay lead's old positions are stale), unless no lead
// has it. live is scratch space, returned for reuse.
func (c *wordIndex) appendWord(w *wordIndex, old int, word []byte, add []int32, live []int32) []int32 {
	words64 := (c.n + 63) / 64
	var bitmap []uint64 // w's bitmap of the word, less the stale positions, when it has one
	count := len(add)
	if old >= 0 && w.postAt[old]&denseBit != 0 {
		k, _ := slices.BinarySearch(w.denseWords, uint32(old))
		bitmap = make([]uint64, words64)
		copy(bitmap, w.dense[k*((w.n+63)/64):][:(w.n+63)/64])
		for j, x := range w.stale {
			bitmap[j] &^= x
		}
		for _, x := range bitmap {
			count += bits.OnesCount64(x)
		}
	} else if old >= 0 {
		live = w.livePositions(old, live)
		count += len(live)
	}
	if count == 0 {
		return live
	}
	c.starts = append(c.starts, uint32(len(c.dict)))
	c.dict = append(append(c.dict, word...), wordSep)
	if c.n >= 1024 && count*8 > c.n { // as denseWords
		c.postAt = append(c.postAt, uint32(len(c.post))|denseBit)
		c.denseWords = append(c.denseWords, uint32(len(c.starts)-1))
		at := len(c.dense)
		c.dense = append(c.dense, make([]uint64, words64)...)
		d := c.dense[at:]
		if bitmap != nil {
			copy(d, bitmap)
		}
		for _, p := range live {
			d[p/64] |= 1 << (p % 64)
		}
		for _, p := range add {
			d[p/64] |= 1 << (p % 64)
		}
		return live
	}
	c.postAt = append(c.postAt, uint32(len(c.post)))
	if bitmap != nil {
		live = live[:0]
		eachBit(bitmap, func(p int32) { live = append(live, p) })
	}
	c.post = appendChunks(c.post, mergePositions(live, add))
	return live
}

// livePositions appends word i's positions (kept in chunks), less the stale ones, to live.
func (w *wordIndex) livePositions(i int, live []int32) []int32 {
	post := w.post[w.postAt[i] : w.postAt[i+1]&^denseBit]
	for j := 0; j+2 <= len(post); {
		base, n := int32(post[j])<<16, int(post[j+1])+1
		for _, v := range post[j+2 : j+2+n] {
			if p := base | int32(v); !has(w.stale, p) {
				live = append(live, p)
			}
		}
		j += 2 + n
	}
	return live
}

// mergePositions is the increasing positions of a and b (each increasing, none in both); a when b is
// empty.
func mergePositions(a, b []int32) []int32 {
	if len(b) == 0 {
		return a
	}
	out := make([]int32, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		if j == len(b) || (i < len(a) && a[i] < b[j]) {
			out = append(out, a[i])
			i++
		} else {
			out = append(out, b[j])
			j++
		}
	}
	return out
}

// appendChunks appends increasing positions ps to post in chunks of 65,536 (see wordIndex).
func appendChunks(post []uint16, ps []int32) []uint16 {
	head := -1
	for i, p := range ps {
		if i == 0 || ps[i-1]>>16 != p>>16 {
			head = len(post) + 1
			post = append(post, uint16(p>>16), 0, uint16(p))
			continue
		}
		post[head]++
		post = append(post, uint16(p))
	}
	return post
}

// compactWords folds the word index's overlay in (compacted) and swaps the result in. The index's
// other columns are untouched and the answers stay the same, so cached searches stay valid. The caller
// holds dvMu, so the word index does not change meanwhile; mu is taken only for the swap.
func (ix *Index) compactWords() {
	c := ix.words.compacted(len(ix.ids))
	ix.mu.Lock()
	ix.words = c
	ix.compactions++
	ix.mu.Unlock()
}
