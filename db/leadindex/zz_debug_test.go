package leadindex

import (
	"context"
	"database/sql"
	"os"
	"slices"
	"testing"
)

func TestZZWordStats(t *testing.T) {
	path := os.Getenv("LEADDESK_BENCH_DB")
	if path == "" {
		t.Skip()
	}
	sdb, _ := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	defer sdb.Close()
	ix := New(sdb, Options{})
	if err := ix.Ensure(context.Background()); err != nil {
		t.Fatal(err)
	}
	w := ix.words
	nw := len(w.starts) - 1
	counts := make([]int, nw)
	for i := 0; i < nw; i++ {
		at, end := w.postAt[i], w.postAt[i+1]&^denseBit
		if at&denseBit != 0 {
			counts[i] = -1
			continue
		}
		eachPosting(w.post[at:end], func(int32) { counts[i]++ })
	}
	s := slices.Clone(counts)
	slices.Sort(s)
	t.Logf("dense %d; top counts %v", len(w.denseWords), s[len(s)-60:])
	for _, thr := range []int{1 << 10, 1 << 12, 1 << 13, 1 << 14, 1 << 15} {
		k, tot := 0, 0
		for _, c := range counts {
			if c > thr {
				k++
				tot += c
			}
		}
		t.Logf("> %d: %d words, %d entries", thr, k, tot)
	}
	for _, q := range benchTerms["common"] {
		nm, tot := 0, 0
		w.eachWordWith(q, false, func(i int) { nm++; tot += max(counts[i], 0) })
		t.Logf("%s: %d words, %d entries", q, nm, tot)
	}
	for i := 0; i < 40; i++ {
		t.Logf("%q", string(w.dict[w.starts[i*60]:w.starts[i*60+1]]))
	}
}
