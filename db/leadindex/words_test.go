package leadindex

import (
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestWordIndexFollowsChanges: the word index answers as a plain check of every lead's words does —
// after its build, and after changes of words, changes that keep them, deletions and new leads — and
// only leads whose words changed (or are new) are searched one by one in the overlay.
func TestWordIndexFollowsChanges(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 21))
	word := func() string { return randomWord(r) }
	text := func() []string {
		var ws []string
		for range r.IntN(5) {
			ws = append(ws, word())
		}
		if r.IntN(10) != 0 {
			ws = append(ws, "Corp") // a word of nine leads in ten: kept as a bitmap
		}
		return []string{strings.Join(ws, " ")}
	}
	// Lead ids are positions + 1; model holds every live lead's words. The positions from 9000 on
	// jump to 66,000, so that the positions of a word come in two chunks.
	model := map[int32][]string{}
	b := newWordBuilder()
	var p int32
	for k := range 10_000 {
		if k == 9000 {
			p = 66_000
		}
		tx := text()
		b.add(p, int64(p)+1, tx)
		model[p] = textWords(tx, int64(p)+1)
		p++
	}
	size := int(p)
	w := b.build(size)
	if len(w.denseWords) == 0 {
		t.Fatal("no word is kept as a bitmap: the test misses that path")
	}
	pos := func(id int64) int32 {
		if _, ok := model[int32(id-1)]; ok {
			return int32(id - 1)
		}
		return -1
	}
	check := func(when string) {
		t.Helper()
		for range 150 {
			q := word()
			if r.IntN(3) == 0 {
				q = string([]rune(q)[:1])
			}
			if r.IntN(5) == 0 {
				q = strconv.Itoa(1 + r.IntN(size))
			}
			checkWordQuery(t, when, w, model, size, pos, q)
		}
	}
	check("built")

	positions := func() []int32 {
		var ps []int32
		for p := range model {
			ps = append(ps, p)
		}
		slices.Sort(ps)
		return ps
	}
	for _, p := range positions() {
		if r.IntN(30) != 0 {
			continue
		}
		same := slices.Clone(model[p])
		r.Shuffle(len(same), func(i, j int) { same[i], same[j] = same[j], same[i] })
		w.change(p, same) // a status changed: the words are the same
	}
	if len(w.overlay) != 0 {
		t.Fatalf("%d leads in the overlay after changes that kept every lead's words", len(w.overlay))
	}
	check("after changes that kept the words")

	for _, p := range positions() {
		if r.IntN(30) != 0 {
			continue
		}
		switch r.IntN(3) {
		case 0:
			w.drop(p)
			delete(model, p)
		default:
			tx := text()
			model[p] = textWords(tx, int64(p)+1)
			w.change(p, model[p])
		}
	}
	for range 50 {
		p := int32(size)
		size++
		tx := text()
		model[p] = textWords(tx, int64(p)+1)
		w.change(p, model[p])
	}
	check("after changes, deletions and new leads")
	if len(w.overlay) > 500+50 {
		t.Fatalf("%d leads in the overlay", len(w.overlay))
	}
}

// TestEachIDWith: the numbers enumerated for a digit string are exactly those up to max whose decimal
// form holds it (a single digit: before the end, or as the whole number).
func TestEachIDWith(t *testing.T) {
	const max = 12345
	for _, d := range []string{"0", "1", "5", "00", "05", "12", "123", "345", "9999", "12346", "0000000000001"} {
		for _, single := range []bool{false, true} {
			if single && len(d) > 1 {
				continue
			}
			got := map[int64]bool{}
			eachIDWith(d, single, max, func(id int64) { got[id] = true })
			for id := int64(1); id <= max; id++ {
				if want := wordMatches(strconv.FormatInt(id, 10), d, single); got[id] != want {
					t.Fatalf("%q (single %v): %d enumerated %v, want %v", d, single, id, got[id], want)
				}
				delete(got, id)
			}
			if len(got) > 0 {
				t.Fatalf("%q: %d numbers out of range enumerated", d, len(got))
			}
		}
	}
}

// TestWordIndexCompacts: a word index built anew from itself and its overlay (compacted) is exactly
// what a load of the same leads at the same positions builds — the same dictionary, positions,
// bitmaps, word counts — with the deleted positions stale; a word becomes a bitmap, or stops being
// one, as at a load; it answers as a plain check of every lead's words does, goes on following
// changes, and compacts again; the index it was made from is left as it was.
func TestWordIndexCompacts(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 14))
	word := func() string { return randomWord(r) }
	// randomWords is a lead's distinct words (without its id): a few random ones and extra.
	randomWords := func(p int32, extra ...string) []string {
		var ws []string
		for range r.IntN(5) {
			ws = append(ws, word())
		}
		return textWords([]string{strings.Join(append(ws, extra...), " ")}, int64(p)+1)
	}
	positions := func(model map[int32][]string) []int32 { return slices.Sorted(maps.Keys(model)) }
	// load builds the word index of model's leads at their positions, as a load does.
	load := func(model map[int32][]string, n int) *wordIndex {
		b := newWordBuilder()
		for _, p := range positions(model) {
			b.add(p, int64(p)+1, []string{strings.Join(model[p], " ")})
		}
		return b.build(n)
	}
	dense := func(w *wordIndex, x string) bool {
		i, ok := w.wordNumber(x)
		return ok && w.postAt[i]&denseBit != 0
	}

	// 10,000 leads at positions 0–4,999 and 65,536–70,535 (two chunks); "corp" is a word of 9,000,
	// more than one position in eight: a bitmap.
	model := map[int32][]string{}
	var p int32
	for k := range 10_000 {
		if k == 5000 {
			p = 65_536
		}
		var extra []string
		if k%10 != 0 {
			extra = []string{"corp"}
		}
		model[p] = randomWords(p, extra...)
		p++
	}
	n := int(p)
	w := load(model, n)
	if !dense(w, "corp") || dense(w, "zz") {
		t.Fatal(`"corp" should be a bitmap and "zz" no word at first`)
	}
	checkWordIndex(t, "built", r, w, model, n, word)

	deleted := map[int32]bool{}
	// Changes: "corp" leaves 400 leads (too few for a bitmap then), "zz" joins some 9,300 (enough), other
	// leads change words or keep them, are deleted, and new leads come, some deleted again.
	corp := 0
	for _, p := range positions(model) {
		ws := model[p]
		switch {
		case corp < 400 && slices.Contains(ws, "corp"):
			corp++
			ws = slices.DeleteFunc(slices.Clone(ws), func(x string) bool { return x == "corp" })
		case p%32 != 0:
			ws = append(slices.Clone(ws), "zz")
		case r.IntN(4) == 0:
			w.drop(p)
			delete(model, p)
			deleted[p] = true
			continue
		case r.IntN(3) == 0:
			ws = randomWords(p)
		default:
			w.change(p, slices.Clone(ws)) // its words as they were
			continue
		}
		model[p] = ws
		w.change(p, ws)
	}
	for k := range 200 {
		p := int32(n)
		n++
		model[p] = randomWords(p, "corp")
		w.change(p, model[p])
		if k%4 == 0 {
			w.drop(p)
			delete(model, p)
			deleted[p] = true
		}
	}
	checkWordIndex(t, "with the changes in the overlay", r, w, model, n, word)
	before := *w
	c := w.compacted(n)
	compareWordIndex(t, "compacted", c, load(model, n), deleted)
	if dense(c, "corp") || !dense(c, "zz") {
		t.Fatal(`compacted: "corp" should have stopped being a bitmap and "zz" become one`)
	}
	checkWordIndex(t, "compacted", r, c, model, n, word)
	if !slices.Equal(w.post, before.post) || !slices.Equal(w.dense, before.dense) || !slices.Equal(w.counts, before.counts) ||
		!slices.Equal(w.stale, before.stale) || len(w.overlay) != len(before.overlay) {
		t.Fatal("compacting changed the index it was made from")
	}
	checkWordIndex(t, "the index compacted from", r, w, model, n, word)

	// The compacted index follows changes, and compacts again.
	for _, p := range positions(model) {
		switch r.IntN(40) {
		case 0:
			w.drop(p)
			c.drop(p)
			delete(model, p)
			deleted[p] = true
		case 1:
			model[p] = randomWords(p)
			c.change(p, model[p])
		case 2:
			c.change(p, slices.Clone(model[p]))
		}
	}
	if len(c.overlay) > len(model)/20 {
		t.Fatalf("%d leads in the overlay after about %d changes of words", len(c.overlay), len(model)/40)
	}
	for range 50 {
		p := int32(n)
		n++
		model[p] = randomWords(p)
		c.change(p, model[p])
	}
	checkWordIndex(t, "compacted, then changed", r, c, model, n, word)
	c = c.compacted(n)
	compareWordIndex(t, "compacted twice", c, load(model, n), deleted)
	checkWordIndex(t, "compacted twice", r, c, model, n, word)
}

// compareWordIndex fails unless got holds what want (a load of the same leads) holds, with exactly
// the deleted positions stale and an empty overlay.
func compareWordIndex(t *testing.T, when string, got, want *wordIndex, deleted map[int32]bool) {
	t.Helper()
	trim := func(b []uint64) []uint64 {
		for len(b) > 0 && b[len(b)-1] == 0 {
			b = b[:len(b)-1]
		}
		return b
	}
	counts := func(c []uint8) []uint8 {
		for len(c) > 0 && c[len(c)-1] == 0 {
			c = c[:len(c)-1]
		}
		return c
	}
	switch {
	case got.n != want.n:
		t.Fatalf("%s: %d positions, a load %d", when, got.n, want.n)
	case !slices.Equal(got.dict, want.dict) || !slices.Equal(got.starts, want.starts):
		t.Fatalf("%s: %d words, a load %d", when, len(got.starts)-1, len(want.starts)-1)
	case !slices.Equal(got.postAt, want.postAt) || !slices.Equal(got.post, want.post):
		t.Fatalf("%s: the words' positions are not a load's", when)
	case !slices.Equal(got.denseWords, want.denseWords) || !slices.Equal(got.dense, want.dense):
		t.Fatalf("%s: bitmaps of words %v, a load %v (or their bits differ)", when, got.denseWords, want.denseWords)
	case !slices.Equal(counts(got.counts), counts(want.counts)) || !slices.Equal(trim(got.hasWords), trim(want.hasWords)):
		t.Fatalf("%s: the leads' word counts are not a load's", when)
	case len(got.overlay) != 0:
		t.Fatalf("%s: %d leads in the overlay", when, len(got.overlay))
	}
	for p := range int32(got.n) {
		if has(got.stale, p) != deleted[p] {
			t.Fatalf("%s: position %d (deleted: %v) stale %v", when, p, deleted[p], has(got.stale, p))
		}
	}
}

// checkWordIndex fails unless random queries of words made by word (pieces of them, ids) find in w
// exactly the leads of model (of n positions) that have them.
func checkWordIndex(t *testing.T, when string, r *rand.Rand, w *wordIndex, model map[int32][]string, n int, word func() string) {
	t.Helper()
	pos := func(id int64) int32 {
		if _, ok := model[int32(id-1)]; ok {
			return int32(id - 1)
		}
		return -1
	}
	for range 100 {
		q := word()
		switch r.IntN(6) {
		case 0:
			q = string([]rune(q)[:1])
		case 1:
			q = strconv.Itoa(1 + r.IntN(n))
		case 2:
			q = []string{"zz", "corp", "z", "0"}[r.IntN(4)]
		}
		checkWordQuery(t, when, w, model, n, pos, q)
	}
}

// randomWord is one to three pieces that words share (Latin, Japanese, digits, an accent), so random
// leads have common words, rare ones and words inside others.
func randomWord(r *rand.Rand) string {
	pieces := []string{"co", "rp", "an", "er", "a", "0", "1", "5", "田", "中", "株式", "é", "x"}
	var b strings.Builder
	for range 1 + r.IntN(3) {
		b.WriteString(pieces[r.IntN(len(pieces))])
	}
	return b.String()
}

// checkWordQuery fails unless query word q finds in w exactly the leads of model (of n positions)
// that have a word it matches, their id included, and no position without a lead.
func checkWordQuery(t *testing.T, when string, w *wordIndex, model map[int32][]string, n int, pos func(int64) int32, q string) {
	t.Helper()
	got := w.searchWord(q, n, pos, int64(n))
	single := len([]rune(q)) == 1
	for p, ws := range model {
		want := slices.ContainsFunc(append(slices.Clone(ws), strconv.Itoa(int(p)+1)), func(x string) bool { return wordMatches(x, q, single) }) ||
			(q == "0" && len(ws) > 0)
		if has(got, p) != want {
			t.Fatalf("%s: q=%q, lead %d (words %q): index %v, want %v", when, q, p+1, ws, has(got, p), want)
		}
	}
	eachBit(got, func(p int32) {
		if _, live := model[p]; !live {
			t.Fatalf("%s: q=%q: position %d, of no lead, found", when, q, p)
		}
	})
}

// TestAddFields: the load's word builder reading a lead's fields (addFields) builds the index that
// adding its search text (SearchText, with the contact name run together both ways) builds — for
// ASCII, mixed case, punctuation at either end of a name, non-ASCII names, empty fields and ids.
func TestAddFields(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 8))
	pieces := []string{"co", "RP", "an", "Er", "a", "0", "1", "5", "12", " ", "-", ", ", "・", "田", "中", "株式", "é", "E\u0301", "x", ""}
	field := func() string {
		var b strings.Builder
		for range r.IntN(4) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		return b.String()
	}
	byText, byFields := newWordBuilder(), newWordBuilder()
	for p := range int32(3000) {
		f := searchFields{field(), field(), field(), field(), field()}
		if r.IntN(10) == 0 {
			f[1] = strconv.Itoa(int(p) + 1) // the id as a first name: run on into the last, a word
		}
		byText.add(p, int64(p)+1, f.text())
		byFields.addFields(p, int64(p)+1, &f)
	}
	compareWordIndex(t, "from the fields", byFields.build(3000), byText.build(3000), nil)
}
