package metrics_test

import (
	"path/filepath"
	"testing"
	"time"

	"leaddesk/db"
	"leaddesk/internal/clock"
	"leaddesk/metrics"
)

// BenchmarkObserveRequest is the per-request cost of metrics: one histogram observation.
func BenchmarkObserveRequest(b *testing.B) {
	d, err := db.Open(b.Context(), filepath.Join(b.TempDir(), db.FileName))
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	m := metrics.New(d, nil, clock.System{}, "bench")
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.ObserveRequest("GET", "/leads/:id", 200, 3*time.Millisecond)
		}
	})
}
