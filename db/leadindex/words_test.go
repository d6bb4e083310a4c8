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
		return []string{strings.Join(ws, " ")}
	}
	// Lead ids are positions + 1; model holds every live lead's words.
	const n = 3000
	model := map[int32][]string{}
	b := newWordBuilder()
	for p := int32(0); p < n; p++ {
		tx := text()
		b.add(p, int64(p)+1, tx)
		model[p] = textWords(tx, int64(p)+1)
	}
	w := b.build(n)
	if len(w.denseWords) == 0 {
		t.Fatal("no word is kept as a bitmap: the test misses that path")
	}
	size := n
	pos := func(id int64) int32 {
		if _, ok := model[int32(id-1)]; ok {
			return int32(id - 1)
		}
		return -1
	}
	check := func(when string) {
		t.Helper()
		for range 400 {
			q := word()
			if r.IntN(3) == 0 {
				q = string([]rune(q)[:1])
			}
			if r.IntN(5) == 0 {
				q = strconv.Itoa(1 + r.IntN(size))
			}
			got := w.searchWord(q, size, pos, int64(size))
			single := len([]rune(q)) == 1
			for p := int32(0); p < int32(size); p++ {
				ws, live := model[p]
				want := live && (slices.ContainsFunc(append(slices.Clone(ws), strconv.Itoa(int(p)+1)), func(x string) bool { return wordMatches(x, q, single) }) ||
					(q == "0" && len(ws) > 0))
				if has(got, p) != want {
					t.Fatalf("%s: q=%q, lead %d (words %q): index %v, want %v", when, q, p+1, ws, has(got, p), want)
				}
			}
		}
	}
	check("built")

	for range 300 {
		p := int32(r.IntN(size))
		if _, live := model[p]; !live {
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

	for range 300 {
		p := int32(r.IntN(size))
		if _, live := model[p]; !live {
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
	if len(w.overlay) > 300+50 {
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
