package db

import (
	"context"
	"strings"
	"testing"
)

// Anonymising or deleting a lead looks up its rows in the queues and the digest items, once per lead:
// a retention run does it for hundreds of leads in one write transaction. Each lookup must use an index
// (migration 0101) — a scan of a large outbox per lead held the write lock for more than ten seconds.
func TestLeadRowsAreFoundByIndexInTheQueues(t *testing.T) {
	d := openTest(t)
	for _, q := range []string{
		`DELETE FROM outbox WHERE lead_id = ?`,               // scrubQueuesTx
		`DELETE FROM webhook_deliveries WHERE lead_id = ?`,   // scrubQueuesTx
		`UPDATE outbox SET lead_id = NULL WHERE lead_id = ?`, // ON DELETE SET NULL of a deleted lead
		`DELETE FROM digest_items WHERE lead_id = ?`,         // ON DELETE CASCADE of a deleted lead
	} {
		rows, err := d.QueryContext(context.Background(), `EXPLAIN QUERY PLAN `+q, 1)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		if p := strings.Join(plan, "; "); strings.Contains(p, "SCAN ") {
			t.Errorf("%s\n  scans a table: %s", q, p)
		}
	}
}
