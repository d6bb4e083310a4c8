package leadindex

import (
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
	pieces := []string{"co", "rp", "an", "er", "a", "0", "1", "5", "田", "中", "株式", "é", "x"}
	word := func() string {
		var b strings.Builder
		for range 1 + r.IntN(3) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		return b.String()
	}
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
			got := w.searchWord(q, size, pos, int64(size))
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
