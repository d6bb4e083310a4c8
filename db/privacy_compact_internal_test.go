package db

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

// TestCompactAfterErasureLetsWritesThroughWhileAReaderLingers: a reader on an old snapshot (the lead
// index loading a million leads at start reads for seconds) keeps the write-ahead log from being
// truncated. The compaction after an erasure must then give up soon and say so, not hold the write
// lock while it waits (a sign-in waited seconds behind it). Once the reader is done, the compaction
// truncates the log.
func TestCompactAfterErasureLetsWritesThroughWhileAReaderLingers(t *testing.T) {
	d := openTestDB(t)
	ctx := context.Background()
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	write := func(what string) {
		t.Helper()
		if err := Audit(ctx, d, now, 0, "test", what, "", "{}"); err != nil {
			t.Fatal(err)
		}
	}
	write("before the reader")
	reader, err := d.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	if _, err := reader.ExecContext(ctx, `BEGIN DEFERRED`); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := reader.QueryRowContext(ctx, `SELECT count(*) FROM audit_log`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	write("after the reader's snapshot")

	// The compaction holds the write lock for as long as it waits for the reader, so how soon it gives
	// up is how long a sign-in can wait behind it.
	start := time.Now()
	err = d.CompactAfterErasure(ctx)
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("the compaction held the write lock %v waiting for a reader (busy timeout %v)", took, busyTimeout)
	}
	if err == nil || !strings.Contains(err.Error(), "reader kept") {
		t.Errorf("compaction with a reader on an old snapshot: %v, want the reader named", err)
	}
	start = time.Now()
	write("after the compaction")
	if took := time.Since(start); took > time.Second {
		t.Errorf("a write after the compaction waited %v", took)
	}

	if _, err := reader.ExecContext(ctx, `COMMIT`); err != nil {
		t.Fatal(err)
	}
	if err := d.CompactAfterErasure(ctx); err != nil {
		t.Fatalf("compaction once the reader is done: %v", err)
	}
	if fi, err := os.Stat(d.Path + "-wal"); err == nil && fi.Size() != 0 {
		t.Errorf("the write-ahead log holds %d bytes after the compaction", fi.Size())
	}
}
