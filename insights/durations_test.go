package insights

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestDurationsReusedAfterReset: a pooled Durations, reset and filled again (Reset clears only the
// hours it used), gives the same quantiles and bars as the sorted values, over answers spread from
// seconds to past the expiry window.
func TestDurationsReusedAfterReset(t *testing.T) {
	r := rand.New(rand.NewPCG(16, 2026))
	var d Durations
	for round := 0; round < 4; round++ {
		d.Reset()
		var xs []int64
		for i := 0; i < 200+r.IntN(300); i++ {
			x := r.Int64N(int64(16 * 24 * time.Hour / time.Second))
			if r.IntN(3) == 0 {
				x = r.Int64N(7200) // many answers in the first hours, as teams answer
			}
			xs = append(xs, x)
			d.Add(x)
		}
		slices.Sort(xs)
		for _, p := range []float64{0, 0.5, 0.9, 1} {
			h := float64(len(xs)-1) * p
			lo := int(h)
			want := xs[lo]
			if lo+1 < len(xs) {
				want += int64((h-float64(lo))*float64(xs[lo+1]-xs[lo]) + 0.5)
			}
			if got := d.Quantile(p); got != time.Duration(want)*time.Second {
				t.Errorf("round %d p%.0f = %v, want %v", round, p*100, got, time.Duration(want)*time.Second)
			}
		}
		got, want := make([]int, len(AnswerBuckets)+1), make([]int, len(AnswerBuckets)+1)
		d.Buckets(got)
		for _, x := range xs {
			i := 0
			for i < len(AnswerBuckets) && time.Duration(x)*time.Second >= AnswerBuckets[i] {
				i++
			}
			want[i]++
		}
		if !slices.Equal(got, want) {
			t.Errorf("round %d bars %v, want %v", round, got, want)
		}
	}
}
