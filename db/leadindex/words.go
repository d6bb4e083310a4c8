package leadindex

import (
	"bytes"
	"leaddesk/lead"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// SearchWords lower-cases text and splits it at anything that is not a letter, digit or nonspacing
// mark: the words a lead's text is searched in, and the words of a query.
func SearchWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r)
	})
}

// SearchText is the text of a lead that search looks in, besides its id: company, contact name (as
// "first last" and as "lastfirst", the way Japanese names are written), deal name and notes. An
// expired lead's contact name is left out: finding a lead by its hidden contact would tell who it was.
func SearchText(l *lead.Lead) []string {
	f := fieldsOf(l)
	return f.text()
}

// searchFields is what a lead's search text (SearchText) is made of: its company, contact first and
// last name (empty when hidden), deal name and notes. A load keeps these, and its word builder reads
// the text from them (addFields) without making the two contact-name strings of a million leads.
type searchFields [5]string

func fieldsOf(l *lead.Lead) searchFields {
	first, last := l.ContactFirstName, l.ContactLastName
	if l.ContactHidden() {
		first, last = "", ""
	}
	return searchFields{l.CustomerCompany, first, last, l.DealName, l.Notes}
}

// text is the search text of f (SearchText).
func (f *searchFields) text() []string {
	return []string{f[0], f[1] + " " + f[2], f[2] + f[1], f[3], f[4]}
}

// textWords is the distinct words of a lead's search text (SearchText) without its id, which the word
// index matches by arithmetic instead of holding a million id words.
func textWords(text []string, id int64) []string {
	ids := strconv.FormatInt(id, 10)
	var out []string
	for _, part := range text {
		for _, w := range SearchWords(part) {
			if w != ids && !slices.Contains(out, w) {
				out = append(out, w)
			}
		}
	}
	return out
}

// wordSep ends every word of the dictionary: it is no letter or digit, so no query word runs across it.
const wordSep = 0

// denseBit marks a word whose positions are kept as a bitmap (index into dense) instead of varints.
const denseBit = 1 << 31

// maxOverlay is how many leads' words may have changed since the word index was built before it is
// built anew from memory (compacted, at the end of the Ensure that went past it): the overlay is
// searched word by word, lead by lead (at most maxOverlay leads between Ensures, about a millisecond a
// query word).
const maxOverlay = 4096

// wordIndex answers searches in memory exactly as lead_search (FTS5) does: a query word (two or more
// characters) matches a lead where it occurs inside one of the lead's words; a one-character query word
// where it occurs before the end of a word, or is a whole word; the digits of a lead's id are one of its
// words (matched by arithmetic, see eachIDWith). It holds the distinct words of all leads once, each
// followed by wordSep in dict, so a query word is found by scanning dict with bytes.Index; per word the
// positions of its leads in post, in chunks of 65,536 positions (the chunk's number, the count less
// one, then the low 16 bits of each position: merged with no dependency from one to the next; delta
// varints took 40% less room and twice as long) — or, for words of more than one lead in eight, as a
// bitmap in dense.
//
// Leads whose words changed since the build are marked stale (their words in dict no longer count) and
// their current words kept in overlay, searched one by one; leads added since are in overlay too. A
// deleted lead is stale and in no overlay, and its id has no position, so it never matches. A change
// that leaves a lead's words as they were (a status, an owner) is checked against dict and the
// positions (see same) and changes nothing, so the overlay grows with edits of text only. Past
// maxOverlay leads the index is built anew from itself and the overlay (compacted), without SQL.
type wordIndex struct {
	dict       []byte   // the distinct words in byte order, each followed by wordSep
	starts     []uint32 // where each word starts in dict, and len(dict) last
	postAt     []uint32 // each word's positions: post[postAt[i]:postAt[i+1]] (denseBit off), or its bitmap (denseBit on)
	post       []uint16
	dense      []uint64 // bitmaps of n bits, one after the other, of the words in denseWords
	denseWords []uint32
	n          int     // positions when built
	counts     []uint8 // words of each position (besides its id), up to 255

	// hasWords marks the positions with a word besides their id: FTS5 separates words with a token that
	// starts with "0", so a one-character query "0" finds every lead of two words or more.
	hasWords []uint64
	stale    []uint64 // positions below n changed or deleted since the build
	overlay  map[int32][]string
}

// wordBuilder collects the words of leads in position order during a load.
type wordBuilder struct {
	id       map[string]uint32
	words    []string
	post     [][]uint16 // chunks, as in wordIndex.post
	head     []int32    // where the count of each word's last chunk is in post
	last     []int32
	count    []int32
	hasWords []uint64
	counts   []uint8
	n        int

	// The lead being added: its id's digits, its words so far, the word being read.
	idDigits []byte
	cur      []uint32
	buf      []byte
}

func newWordBuilder() *wordBuilder {
	return &wordBuilder{id: map[string]uint32{}}
}

// add records the words of the search text (SearchText) of lead id at position p; positions come in
// increasing order. It gives the words textWords gives, in the same order, but splits and lower-cases
// ASCII text itself, without allocating: a million leads' text is read at every load.
func (b *wordBuilder) add(p int32, id int64, text []string) {
	b.begin(p, id)
	for _, part := range text {
		b.addPart(p, part)
	}
	b.end(p)
}

// addFields is add of the search text of f (f.text()) without making it: the contact name's
// "first last" gives the words of the two fields, one after the other, and "lastfirst" is the last
// name's text run on into the first's (made only when either is not ASCII).
func (b *wordBuilder) addFields(p int32, id int64, f *searchFields) {
	b.begin(p, id)
	b.addPart(p, f[0])
	b.addPart(p, f[1])
	b.addPart(p, f[2])
	if isASCII(f[1]) && isASCII(f[2]) {
		b.buf = b.buf[:0]
		b.scanASCII(p, f[2])
		b.scanASCII(p, f[1])
		b.addWord(p, b.buf)
	} else {
		b.addPart(p, f[2]+f[1])
	}
	b.addPart(p, f[3])
	b.addPart(p, f[4])
	b.end(p)
}

// begin starts the words of lead id at position p.
func (b *wordBuilder) begin(p int32, id int64) {
	b.n = int(p) + 1
	b.idDigits = strconv.AppendInt(b.idDigits[:0], id, 10)
	b.cur = b.cur[:0]
}

// end records the word count of the lead at position p, begun with begin.
func (b *wordBuilder) end(p int32) {
	if len(b.cur) > 0 {
		setBit(&b.hasWords, p)
	}
	b.counts = append(b.counts, make([]uint8, int(p)-len(b.counts))...) // positions of no lead: none
	b.counts = append(b.counts, uint8(min(len(b.cur), math.MaxUint8)))
}

// addPart adds the words of one part of a lead's search text to the lead at position p.
func (b *wordBuilder) addPart(p int32, part string) {
	if !isASCII(part) {
		for _, w := range SearchWords(part) {
			b.addWord(p, append(b.buf[:0], w...))
		}
		return
	}
	b.buf = b.buf[:0]
	b.scanASCII(p, part)
	b.addWord(p, b.buf)
}

// scanASCII adds the words of ASCII text s that end in it to the lead at position p, continuing the
// word in buf; the word at its end stays in buf. Letters and digits make words, anything else
// separates them (as in SearchWords).
func (b *wordBuilder) scanASCII(p int32, s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
			b.buf = append(b.buf, c)
		case 'A' <= c && c <= 'Z':
			b.buf = append(b.buf, c+'a'-'A')
		default:
			b.addWord(p, b.buf)
			b.buf = b.buf[:0]
		}
	}
}

// addWord adds word w (when it is one, and not the lead's id) to the lead at position p, once.
func (b *wordBuilder) addWord(p int32, w []byte) {
	if len(w) == 0 || bytes.Equal(w, b.idDigits) {
		return
	}
	i, ok := b.id[string(w)]
	if !ok {
		i = uint32(len(b.words))
		s := string(w)
		b.id[s] = i
		b.words = append(b.words, s)
		b.post = append(b.post, nil)
		b.last = append(b.last, -1)
		b.head = append(b.head, 0)
		b.count = append(b.count, 0)
	}
	if slices.Contains(b.cur, i) {
		return
	}
	b.cur = append(b.cur, i)
	b.appendPos(i, p)
	b.count[i]++
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// leadText is what one lead's search text (SearchText) is made of, at a position, for buildWords.
type leadText struct {
	p      int32
	id     int64
	fields searchFields
}

// buildWords adds the leads it receives, in position order, to a new word index, and sends it on
// built once in is closed.
func buildWords(in <-chan []leadText, built chan<- *wordIndex) {
	b := newWordBuilder()
	for batch := range in {
		for _, t := range batch {
			b.addFields(t.p, t.id, &t.fields)
		}
	}
	built <- b.build(b.n)
}

// build makes the word index of n positions from what add collected; b is spent.
func (b *wordBuilder) build(n int) *wordIndex {
	w := &wordIndex{n: n, overlay: map[int32][]string{}}
	dense := b.denseWords(n)
	size, postSize := 0, 0
	for i, s := range b.words {
		size += len(s) + 1
		if !dense[i] {
			postSize += len(b.post[i])
		}
	}
	w.dict = make([]byte, 0, size)
	w.starts = make([]uint32, 0, len(b.words)+1)
	w.postAt = make([]uint32, 0, len(b.words)+1)
	w.post = make([]uint16, 0, postSize)
	words64 := (n + 63) / 64
	// In byte order, so that a word's number is found by binary search (same).
	order := make([]int, len(b.words))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(x, y int) int { return strings.Compare(b.words[x], b.words[y]) })
	for k, i := range order {
		s := b.words[i]
		w.starts = append(w.starts, uint32(len(w.dict)))
		w.dict = append(append(w.dict, s...), wordSep)
		if dense[i] {
			at := len(w.dense)
			w.postAt = append(w.postAt, uint32(len(w.post))|denseBit)
			w.denseWords = append(w.denseWords, uint32(k))
			w.dense = append(w.dense, make([]uint64, words64)...)
			orChunks(b.post[i], w.dense[at:at+words64])
		} else {
			w.postAt = append(w.postAt, uint32(len(w.post)))
			w.post = append(w.post, b.post[i]...)
		}
		b.post[i] = nil
	}
	w.starts = append(w.starts, uint32(len(w.dict)))
	w.postAt = append(w.postAt, uint32(len(w.post)))
	w.hasWords, w.counts = b.hasWords, b.counts
	w.dense = slices.Clip(w.dense)
	*b = wordBuilder{}
	return w
}

// denseWords says which words are kept as bitmaps: those of more than one lead in eight, whose chunks
// would take more room (two bytes a position). A bitmap for each of the next most frequent words was
// tried: at a million leads it cost 8 MB and saved a tenth of a millisecond on a two-letter term.
func (b *wordBuilder) denseWords(n int) []bool {
	dense := make([]bool, len(b.words))
	for i, c := range b.count {
		dense[i] = n >= 1024 && int(c)*8 > n
	}
	return dense
}

// appendPos adds position p (above the word's last) to word i's chunks.
func (b *wordBuilder) appendPos(i uint32, p int32) {
	post := b.post[i]
	if b.last[i] < 0 || b.last[i]>>16 != p>>16 {
		b.head[i] = int32(len(post) + 1)
		b.post[i] = append(post, uint16(p>>16), 0, uint16(p))
	} else {
		post[b.head[i]]++
		b.post[i] = append(post, uint16(p))
	}
	b.last[i] = p
}

// orChunks sets the bits of chunked positions in hits.
func orChunks(post []uint16, hits []uint64) {
	for i := 0; i+2 <= len(post); {
		base, n := uint32(post[i])<<16, int(post[i+1])+1
		for _, v := range post[i+2 : i+2+n] {
			p := base | uint32(v)
			hits[p>>6] |= 1 << (p & 63)
		}
		i += 2 + n
	}
}

// change records a lead's current words after a change, or its first words when it is new.
func (w *wordIndex) change(p int32, words []string) {
	if w.same(p, words) {
		return
	}
	if int(p) < w.n {
		setBit(&w.stale, p)
	}
	w.overlay[p] = words
}

// same says whether the lead at position p has exactly these (distinct) words already.
func (w *wordIndex) same(p int32, words []string) bool {
	if int(p) >= w.n || has(w.stale, p) {
		old, ok := w.overlay[p]
		return ok && len(old) == len(words) && !slices.ContainsFunc(words, func(x string) bool { return !slices.Contains(old, x) })
	}
	if c := w.counts[p]; c == math.MaxUint8 || int(c) != len(words) {
		return false
	}
	for _, x := range words {
		i, ok := w.wordNumber(x)
		if !ok || !w.holds(i, p) {
			return false
		}
	}
	return true
}

// wordNumber is the number of word x in dict, found by binary search.
func (w *wordIndex) wordNumber(x string) (int, bool) {
	return slices.BinarySearchFunc(w.starts[:len(w.starts)-1], x, func(start uint32, x string) int {
		end := start + uint32(bytes.IndexByte(w.dict[start:], wordSep))
		return strings.Compare(string(w.dict[start:end]), x)
	})
}

// holds says whether word i's positions include p.
func (w *wordIndex) holds(i int, p int32) bool {
	at, end := w.postAt[i], w.postAt[i+1]&^denseBit
	if at&denseBit != 0 {
		k, _ := slices.BinarySearch(w.denseWords, uint32(i))
		return has(w.dense[k*((w.n+63)/64):][:(w.n+63)/64], p)
	}
	post := w.post[at:end]
	for j := 0; j+2 <= len(post); {
		n := int(post[j+1]) + 1
		if int32(post[j]) == p>>16 {
			_, found := slices.BinarySearch(post[j+2:j+2+n], uint16(p))
			return found
		}
		j += 2 + n
	}
	return false
}

// drop records that the lead at position p was deleted.
func (w *wordIndex) drop(p int32) {
	if int(p) < w.n {
		setBit(&w.stale, p)
	}
	delete(w.overlay, p)
}

// search is the positions (of n) of the leads that have every query word, as a bitmap; words are
// distinct, and pos finds a lead id's position (or -1).
func (w *wordIndex) search(words []string, n int, pos func(id int64) int32, maxID int64) []uint64 {
	var all []uint64
	for _, q := range words {
		hits := w.searchWord(q, n, pos, maxID)
		if all == nil {
			all = hits
			continue
		}
		left := uint64(0)
		for i := range all {
			all[i] &= hits[i]
			left |= all[i]
		}
		if left == 0 {
			break
		}
	}
	return all
}

// searchWord is the positions of the leads that have word q (see wordIndex).
func (w *wordIndex) searchWord(q string, n int, pos func(id int64) int32, maxID int64) []uint64 {
	hits := make([]uint64, (n+63)/64)
	single := len([]rune(q)) == 1
	w.eachWordWith(q, single, func(i int) {
		at, end := w.postAt[i], w.postAt[i+1]&^denseBit
		if at&denseBit != 0 {
			words64 := (w.n + 63) / 64
			k, _ := slices.BinarySearch(w.denseWords, uint32(i))
			d := w.dense[k*words64:][:words64]
			for j, x := range d {
				hits[j] |= x
			}
			return
		}
		orChunks(w.post[at:end], hits)
	})
	if q == "0" {
		for j, x := range w.hasWords {
			hits[j] |= x
		}
	}
	for j, x := range w.stale {
		hits[j] &^= x
	}
	for p, ws := range w.overlay {
		if (q == "0" && len(ws) > 0) || slices.ContainsFunc(ws, func(x string) bool { return wordMatches(x, q, single) }) {
			hits[p/64] |= 1 << (p % 64)
		}
	}
	if isDigits(q) {
		eachIDWith(q, single, maxID, func(id int64) {
			if p := pos(id); p >= 0 {
				hits[p/64] |= 1 << (p % 64)
			}
		})
	}
	return hits
}

// eachWordWith calls fn with the number of every dictionary word that q matches.
func (w *wordIndex) eachWordWith(q string, single bool, fn func(i int)) {
	d, b := w.dict, []byte(q)
	word := 0
	for from := 0; from < len(d); {
		o := bytes.Index(d[from:], b)
		if o < 0 {
			return
		}
		o += from
		end := o + len(b)
		if single && d[end] == wordSep && o > 0 && d[o-1] != wordSep {
			// At the end of a longer word: no match there; the word has no later place either.
			from = end + 1
			continue
		}
		word = w.wordAt(word, o)
		fn(word)
		from = int(w.starts[word+1])
	}
}

// wordAt is the number of the word at offset o of dict, searching from word from onwards.
func (w *wordIndex) wordAt(from, o int) int {
	// Gallop: matches come in order, often near the last one.
	step, lo := 1, from
	for lo+step < len(w.starts) && int(w.starts[lo+step]) <= o {
		lo += step
		step *= 2
	}
	hi := min(lo+step, len(w.starts)-1)
	i, _ := slices.BinarySearch(w.starts[lo:hi+1], uint32(o)+1)
	return lo + i - 1
}

// wordMatches says whether query word q matches the word x of a lead (see wordIndex).
func wordMatches(x, q string, single bool) bool {
	if !single {
		return strings.Contains(x, q)
	}
	i := strings.Index(x, q)
	return x == q || (i >= 0 && i+len(q) < len(x))
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// eachIDWith calls fn with every number from 1 to max whose decimal form holds the digits d, some more
// than once: each is some prefix, then d, then k more digits (for a single digit, k > 0 or the number
// is d itself). The count is about max/10^len(d) per k, with no memory per lead.
func eachIDWith(d string, single bool, max int64, fn func(id int64)) {
	if len(d) > 10 || max <= 0 {
		return
	}
	v, _ := strconv.ParseInt(d, 10, 64)
	pl := int64(1)
	for range d {
		pl *= 10
	}
	minPrefix := int64(0)
	if d[0] == '0' {
		minPrefix = 1 // "05" at the start of a number is no number's decimal form
	}
	if single && minPrefix == 0 && v <= max {
		fn(v)
	}
	k0 := int64(1)
	if !single {
		k0 = 0
	}
	for pk := pow10(k0); pk <= max; pk *= 10 {
		for prefix := minPrefix; ; prefix++ {
			head := prefix*pl + v
			if head > max/pk {
				break
			}
			base := head * pk
			for s := int64(0); s < pk && base+s <= max; s++ {
				fn(base + s)
			}
		}
	}
}

func pow10(k int64) int64 {
	p := int64(1)
	for range k {
		p *= 10
	}
	return p
}

// setBit sets bit p of a growing bitmap.
func setBit(b *[]uint64, p int32) {
	if need := int(p)/64 + 1; need > len(*b) {
		*b = slices.Grow(*b, need-len(*b))[:need]
	}
	(*b)[p/64] |= 1 << (p % 64)
}

// eachBit calls fn with every set bit of b, in order.
func eachBit(b []uint64, fn func(p int32)) {
	for j, x := range b {
		for x != 0 {
			t := bits.TrailingZeros64(x)
			fn(int32(j*64 + t))
			x &= x - 1
		}
	}
}

// size is the memory the word index holds, in bytes.
func (w *wordIndex) size() int {
	n := len(w.dict) + 4*len(w.starts) + 4*len(w.postAt) + 2*len(w.post) + 4*len(w.denseWords) + len(w.counts) + 8*len(w.dense) + 8*len(w.hasWords) + 8*len(w.stale)
	for _, ws := range w.overlay {
		for _, x := range ws {
			n += len(x) + 16
		}
	}
	return n
}

// Search is the leads whose text holds every word of a query (SearchWords), as lead_search finds
// them, and true; false when the index is not loaded yet (lead_search answers meanwhile). It answers
// as of the last Ensure.
func (ix *Index) Search(words []string) (*Hits, bool) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if !ix.loaded || ix.words == nil {
		return nil, false
	}
	var distinct []string
	for _, w := range words {
		if !slices.Contains(distinct, w) {
			distinct = append(distinct, w)
		}
	}
	mark := ix.words.search(distinct, len(ix.ids), ix.pos, int64(len(ix.posByID))-1)
	return &Hits{mark: mark, of: ix.ids[:len(ix.ids):len(ix.ids)], load: ix.loads, n: onesCount(mark)}, true
}
