package handlers_test

import (
	"fmt"
	"strings"
	"testing"
)

// The list filters synced leads by their Partner Center state: an accepted lead waits as pending until
// its push is made, then is in sync; leads from elsewhere have no sync state and never match. The
// export follows the same filter.
func TestPartnerCenterSyncStateFilter(t *testing.T) {
	f := newPCFixture(t)
	f.connect(t)
	synced := f.createQualified(t, 31)
	other := f.createQualified(t, 32)
	if _, err := f.pc.Pull(f.ctx); err != nil {
		t.Fatal(err)
	}
	id, otherID := f.leadOf(t, synced), f.leadOf(t, other)
	link := func(id int64) string { return fmt.Sprintf(`href="/leads/%d?`, id) }
	listed := func(query string) string {
		t.Helper()
		res := f.worker.Get("/leads?tab=qualified&" + query)
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d", query, res.StatusCode)
		}
		return res.Body
	}

	if page := listed("sync=in_sync"); !strings.Contains(page, link(id)) || !strings.Contains(page, link(otherID)) {
		t.Fatalf("both pulled leads are in sync, the in-sync view misses one")
	}
	if page := listed(""); !strings.Contains(page, `name="sync" value="pending"`) || !strings.Contains(page, "Partner Center sync") {
		t.Errorf("the Qualified tab's filter panel offers no sync filter")
	}
	f.accept(t, id)
	page := listed("sync=pending")
	if !strings.Contains(page, link(id)) || strings.Contains(page, link(otherID)) {
		t.Fatalf("after accepting, the pending view should hold exactly the accepted lead")
	}
	if !strings.Contains(page, "Partner Center sync: Pending") {
		t.Errorf("no chip for the sync filter")
	}
	csv := f.worker.Get("/leads/export.csv?tab=qualified&sync=pending").Body
	if n := strings.Count(strings.TrimSpace(csv), "\n"); n != 1 {
		t.Errorf("export of the pending view has %d rows, want 1:\n%s", n, csv)
	}
	f.runQueue(t)
	if page := listed("sync=pending"); strings.Contains(page, link(id)) {
		t.Errorf("still pending after the push was made")
	}
	if page := listed("sync=in_sync"); !strings.Contains(page, link(id)) {
		t.Errorf("not in sync after the push was made")
	}
	if page := f.worker.Get("/leads?tab=marketplace&sync=pending").Body; strings.Contains(page, link(id)) {
		t.Errorf("a qualified lead shows on the Marketplace tab")
	}
}
