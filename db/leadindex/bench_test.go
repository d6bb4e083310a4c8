package leadindex_test

import (
	"context"
	"os"
	"runtime"
	"testing"
	"time"

	"leaddesk/db"
)

// BenchmarkIndexLoad loads the lead index of LEADDESK_BENCH_DB (make bench seeds one) and reports the
// load time and the index's live heap: what the server holds for the Leads list at rest.
func BenchmarkIndexLoad(b *testing.B) {
	path := os.Getenv("LEADDESK_BENCH_DB")
	if path == "" {
		b.Skip("LEADDESK_BENCH_DB is not set (make bench sets it)")
	}
	ctx := context.Background()
	for range b.N {
		var before runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		d, err := db.Open(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		if _, err := d.LeadCountries(ctx); err != nil { // loads the index
			b.Fatal(err)
		}
		load := time.Since(start)
		var after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(load.Milliseconds()), "load-ms")
		b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/(1<<20), "live-MB")
		runtime.KeepAlive(d)
		d.Close()
	}
}
