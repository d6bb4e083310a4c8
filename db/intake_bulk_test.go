package db

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// collidingLeads makes n leads that often repeat each other: external ids, addresses (in varying
// case), offers and calls to action from small pools, creation times within a few days.
func collidingLeads(seed uint64, n int, now time.Time) []*Lead {
	r := rand.New(rand.NewPCG(seed, 7))
	emails := []string{"a@contoso.com", "A@Contoso.com", "b@fabrikam.jp", "c@example.org", ""}
	ctas := []string{"contact_me", "free_trial", ""}
	out := make([]*Lead, n)
	for i := range out {
		l := &Lead{Tab: "marketplace", LeadType: "offer", Country: "JP", CustomerCompany: fmt.Sprintf("Company %d", i),
			ContactEmail: emails[r.IntN(len(emails))], OfferID: fmt.Sprintf("offer-%d", r.IntN(2)), CTA: ctas[r.IntN(len(ctas))],
			CreatedAt: now.Add(-time.Duration(r.IntN(96*60)) * time.Minute)}
		if r.IntN(3) == 0 {
			l.ExternalID = fmt.Sprintf("X-%d", r.IntN(40))
		}
		if r.IntN(10) == 0 {
			l.CreatedAt = time.Time{} // arrives "now"
		}
		out[i] = l
	}
	return out
}

func openTestDB(t *testing.T) *DB {
	t.Helper()
	d, err := Open(t.Context(), filepath.Join(t.TempDir(), FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// TestSaveIncomingLeadsTxMatchesOneByOne stores the same colliding leads one by one and as batches
// and expects the same answers, the same stored leads, timeline and search index. (Which leads are
// new — the ones the leads service records a Received event for — follows from the answers.)
func TestSaveIncomingLeadsTxMatchesOneByOne(t *testing.T) {
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	for seed := range uint64(4) {
		one, bulk := openTestDB(t), openTestDB(t)
		var hookOne, hookBulk []int64
		// Some leads are stored before, by the one-by-one path in both databases.
		for _, l := range collidingLeads(seed+100, 30, now) {
			l2 := *l
			if _, _, err := saveIncoming(t, one, l, "api", now); err != nil {
				t.Fatal(err)
			}
			if _, _, err := saveIncoming(t, bulk, &l2, "api", now); err != nil {
				t.Fatal(err)
			}
		}
		var want, got []IncomingResult
		for _, l := range collidingLeads(seed, 400, now) {
			id, created, err := saveIncoming(t, one, l, "import", now)
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, IncomingResult{ID: id, Created: created})
			if created {
				hookOne = append(hookOne, id)
			}
		}
		leads := collidingLeads(seed, 400, now)
		for start := 0; start < len(leads); start += 150 {
			err := bulk.InTx(t.Context(), func(tx *sql.Tx) error {
				res, err := SaveIncomingLeadsTx(t.Context(), tx, leads[start:min(start+150, len(leads))], 0, "import", now)
				got = append(got, res...)
				for _, r := range res {
					if r.Created {
						hookBulk = append(hookBulk, r.ID)
					}
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		if !reflect.DeepEqual(got, want) {
			for i := range want {
				if got[i] != want[i] {
					t.Errorf("seed %d lead %d: bulk %+v, one by one %+v", seed, i, got[i], want[i])
				}
			}
			t.Fatalf("seed %d: answers differ", seed)
		}
		created := 0
		for _, r := range want {
			if r.Created {
				created++
			}
		}
		if created == 0 || created == len(want) {
			t.Fatalf("seed %d: %d of %d new: the data does not exercise de-duplication", seed, created, len(want))
		}
		if !reflect.DeepEqual(hookBulk, hookOne) {
			t.Errorf("seed %d: new in bulk %v, one by one %v", seed, hookBulk, hookOne)
		}
		for _, q := range []string{
			`SELECT group_concat(id || ':' || COALESCE(external_id, '') || ':' || contact_email || ':' || COALESCE(cta, '') || ':' ||
				created_at || ':' || updated_at || ':' || status || ':' || COALESCE(expires_at, '') || ':' || actionable, ',') FROM (SELECT * FROM leads ORDER BY id)`,
			`SELECT group_concat(lead_id || ':' || at || ':' || actor_label || ':' || kind || ':' || changes, ',') FROM (SELECT * FROM lead_events ORDER BY id)`,
			`SELECT group_concat(rowid, ',') FROM (SELECT rowid FROM lead_search WHERE lead_search MATCH 'terms: ("co" AND "om")' ORDER BY rowid)`,
		} {
			var a, b string
			if err := one.QueryRow(q).Scan(&a); err != nil {
				t.Fatal(err)
			}
			if err := bulk.QueryRow(q).Scan(&b); err != nil {
				t.Fatal(err)
			}
			if a != b || a == "" {
				t.Errorf("seed %d: %s\nbulk:       %.300s\none by one: %.300s", seed, q, b, a)
			}
		}
	}
}

// saveIncoming stores one incoming lead in a transaction of its own, as the leads service's Receive does.
func saveIncoming(t *testing.T, d *DB, l *Lead, label string, now time.Time) (id int64, created bool, err error) {
	t.Helper()
	err = d.InTx(t.Context(), func(tx *sql.Tx) error {
		id, created, err = SaveIncomingLeadTx(t.Context(), tx, l, 0, label, now)
		return err
	})
	return id, created, err
}
