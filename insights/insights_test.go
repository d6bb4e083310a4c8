package insights

import (
	"math"
	"slices"
	"testing"
	"time"
)

// TestDurationsQuantileMatchesSortedReference: the histogram's quantiles equal linear interpolation over
// the sorted values (PERCENTILE.INC), including answers past the histogram and a single value.
func TestDurationsQuantileMatchesSortedReference(t *testing.T) {
	ref := func(xs []int64, p float64) time.Duration {
		xs = slices.Sorted(slices.Values(xs))
		h := float64(len(xs)-1) * p
		lo := int(math.Floor(h))
		v := xs[lo]
		if lo+1 < len(xs) {
			v += int64(math.Round((h - float64(lo)) * float64(xs[lo+1]-xs[lo])))
		}
		return time.Duration(v) * time.Second
	}
	cases := [][]int64{
		{3600},
		{3600, 3 * 3600},
		{3600, 2 * 3600, 3 * 3600, 5 * 3600, 10 * 3600},
		{0, 59, 61, 7200, 13*86400 + 5, 15 * 86400, 20 * 86400}, // two past the 14-day histogram
		{-30, 10, 10, 10, 11},                                   // a negative answer counts as 0
	}
	for _, xs := range cases {
		var d Durations
		for _, x := range xs {
			d.Add(x)
		}
		clamped := make([]int64, len(xs))
		for i, x := range xs {
			clamped[i] = max(0, x)
		}
		for _, p := range []float64{0, 0.5, 0.9, 1} {
			if got, want := d.Quantile(p), ref(clamped, p); got != want {
				t.Errorf("%v p%.0f = %v, want %v", xs, p*100, got, want)
			}
		}
	}
	var empty Durations
	if empty.Quantile(0.5) != 0 || empty.N() != 0 {
		t.Errorf("no durations: %v", empty.Quantile(0.5))
	}
}

// TestDurationsBuckets: a duration equal to a bound falls in the bar above it; past 14 days in the last.
func TestDurationsBuckets(t *testing.T) {
	var d Durations
	for _, x := range []int64{0, 3599, 3600, 4 * 3600, 86400 - 1, 14*86400 - 1, 14 * 86400} {
		d.Add(x)
	}
	got := make([]int, len(AnswerBuckets)+1)
	d.Buckets(got)
	want := []int{2, 1, 2, 0, 0, 0, 1, 1}
	if !slices.Equal(got, want) {
		t.Errorf("buckets = %v, want %v", got, want)
	}
}
