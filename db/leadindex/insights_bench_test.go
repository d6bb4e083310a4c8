package leadindex

import (
	"context"
	"database/sql"
	"os"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"leaddesk/insights"
	"leaddesk/leadfilter"
)

// BenchmarkInsightsReport is one uncached Insights report (figures and charts) for the last 12
// months over the lead index of LEADDESK_BENCH_DB, without HTTP or templates: the pass alone.
func BenchmarkInsightsReport(b *testing.B) {
	ix := benchIndex(b)
	if err := ix.Ensure(context.Background()); err != nil {
		b.Fatal(err)
	}
	to := time.Now().Truncate(24 * time.Hour)
	period := insights.Period{From: to.AddDate(-1, 0, 0), To: to}
	b.ResetTimer()
	for range b.N {
		ix.mu.RLock()
		ix.insights(leadfilter.Filter{}, period, insights.PreviousPeriod(period), time.UTC)
		ix.mu.RUnlock()
	}
}

// benchIndex is an index, not yet loaded, over LEADDESK_BENCH_DB opened read-only (make bench seeds it);
// the benchmark is skipped without one.
func benchIndex(b *testing.B) *Index {
	path := os.Getenv("LEADDESK_BENCH_DB")
	if path == "" {
		b.Skip("LEADDESK_BENCH_DB is not set (make bench sets it)")
	}
	sdb, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { sdb.Close() })
	return New(sdb, Options{})
}
