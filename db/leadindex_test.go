package db

import (
	"context"
	"database/sql"
	"fmt"
	"leaddesk/db/leadindex"
	"leaddesk/lead"
	"leaddesk/leadfilter"
	"math/rand/v2"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func openIndexTestDB(t *testing.T) *DB {
	t.Helper()
	d, err := Open(context.Background(), filepath.Join(t.TempDir(), FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// referenceOrder is what SQL says view f holds, in order: the truth the in-memory index must match.
func referenceOrder(t *testing.T, d *DB, f leadfilter.View) []int64 {
	t.Helper()
	where, args := f.Where()
	order := map[string]string{
		"created":  "created_at %[1]s, id %[1]s",
		"customer": "lower(customer_company) %[1]s, id %[1]s",
		"value":    "deal_value %[1]s, id %[1]s",
		"status":   "(CASE WHEN outcome IS NULL THEN (CASE status WHEN 'received' THEN 1 WHEN 'accepted' THEN 2 ELSE 3 END) ELSE 3 + (CASE outcome WHEN 'won' THEN 1 WHEN 'lost' THEN 2 WHEN 'declined' THEN 3 ELSE 4 END) END) %[1]s, id %[1]s",
		"expiry":   "COALESCE(expires_at, 9223372036854775807) %[1]s, id %[1]s",
	}[f.Sort]
	dir := "ASC"
	if f.Desc {
		dir = "DESC"
	}
	rows, err := d.Query(`SELECT id FROM leads WHERE `+where+` ORDER BY `+fmt.Sprintf(order, dir), args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		ids = append(ids, id)
	}
	return ids
}

// TestLeadIndexFollowsRandomWrites writes leads in random ways, as other features and processes do,
// and after every round checks that every sort of a few views gives exactly SQL's order and counts.
func TestLeadIndexFollowsRandomWrites(t *testing.T) {
	d := openIndexTestDB(t)
	ctx := context.Background()
	r := rand.New(rand.NewPCG(1, 2))
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	countries := []string{"JP", "US", "DE"}
	companies := []string{"alpha", "Beta", "gamma", "Delta", "epsilon"}
	insert := func(n int) {
		err := d.InTx(ctx, func(tx *sql.Tx) error {
			for i := 0; i < n; i++ {
				l := &Lead{Tab: lead.Tabs[r.IntN(2)], LeadType: "offer", CTA: lead.CTAs[r.IntN(4)], Source: "appsource",
					CustomerCompany: companies[r.IntN(len(companies))], Country: countries[r.IntN(3)],
					DealValue: int64(r.IntN(4)) * 100, CreatedAt: now.Add(-time.Duration(r.IntN(50)) * time.Hour)}
				if l.Tab == "qualified" {
					l.Classification, l.LeadType, l.CTA, l.Source = "sales_qualified", "", "", ""
				}
				if err := InsertLeadTx(ctx, tx, l); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	insert(300)
	views := []url.Values{{"tab": {"marketplace"}}, {"tab": {"qualified"}, "country": {"JP"}}, {"tab": {"marketplace"}, "status": {"received"}, "country": {"US", "DE"}}}
	for round := 0; round < 6; round++ {
		for _, v := range views {
			for _, s := range leadfilter.Sorts {
				for _, dir := range []string{"asc", "desc"} {
					v.Set("sort", s)
					v.Set("dir", dir)
					f := leadfilter.ParseView(v)
					want := referenceOrder(t, d, f)
					got, err := d.viewOrder(ctx, f, 1)
					if err != nil {
						t.Fatal(err)
					}
					if !slices.Equal(got, want) {
						t.Fatalf("round %d, view %s: index order differs from SQL\n got %v\nwant %v", round, v.Encode(), got, want)
					}
					f.Size = 25
					f.Page = 2
					page, err := d.ListLeads(ctx, f, 1)
					if err != nil {
						t.Fatal(err)
					}
					if page.Total != len(want) {
						t.Fatalf("round %d, view %s: total %d, want %d", round, v.Encode(), page.Total, len(want))
					}
				}
			}
		}
		// Writes behind the index's back: renames, re-pricing, status changes, re-dating, deletions, new leads.
		at := now.Add(time.Duration(round+1) * time.Minute).Unix()
		for i := 0; i < 40; i++ {
			id := 1 + r.IntN(300)
			var q string
			var arg any
			if r.IntN(8) == 0 { // a deletion (erasure, retention)
				if _, err := d.Exec(`DELETE FROM leads WHERE id = ?`, id); err != nil {
					t.Fatal(err)
				}
				continue
			}
			switch r.IntN(4) {
			case 0:
				q, arg = `UPDATE leads SET customer_company = ?`, companies[r.IntN(len(companies))]+fmt.Sprint(i)
			case 1:
				q, arg = `UPDATE leads SET deal_value = ?`, r.IntN(5)*100
			case 2:
				q, arg = `UPDATE leads SET status = 'archived', outcome = ?, expires_at = NULL`, lead.Outcomes[r.IntN(4)]
			case 3:
				q, arg = `UPDATE leads SET created_at = ?`, now.Add(-time.Duration(r.IntN(80))*time.Hour).Unix()
			}
			if _, err := d.Exec(q+`, updated_at = ?, version = version + 1 WHERE id = ?`, arg, at, id); err != nil {
				t.Fatal(err)
			}
		}
		insert(10)
	}
}

// TestLeadIndexLargeSearch pages a search with more hits than the candidate-sorting path takes, so
// it goes through the permutation scan, and compares with the small-search path.
func TestLeadIndexLargeSearch(t *testing.T) {
	d := openIndexTestDB(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	err := d.InTx(ctx, func(tx *sql.Tx) error {
		for i := 0; i < 120; i++ {
			company := "Contoso " + fmt.Sprint(i)
			if i%3 == 0 {
				company = "Fabrikam " + fmt.Sprint(i)
			}
			l := &Lead{Tab: "marketplace", LeadType: "offer", CTA: "contact_me", CustomerCompany: company, Country: "JP",
				CreatedAt: now.Add(-time.Duration(i%7) * time.Hour)}
			if err := InsertLeadTx(ctx, tx, l); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	f := leadfilter.ParseView(url.Values{"tab": {"marketplace"}, "q": {"contoso"}, "sort": {"customer"}, "size": {"25"}, "page": {"2"}})
	small, err := d.ListLeads(ctx, f, 1)
	if err != nil {
		t.Fatal(err)
	}
	// The same database through an index that takes the large-search path from 10 hits.
	d2, err := OpenWith(ctx, d.Path, Options{LeadIndex: leadindex.Options{LargeSearch: 10}})
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	large, err := d2.ListLeads(ctx, f, 1)
	if err != nil {
		t.Fatal(err)
	}
	if small.Total != 80 || large.Total != 80 || len(large.Leads) != 25 {
		t.Fatalf("totals: small %d, large %d, rows %d", small.Total, large.Total, len(large.Leads))
	}
	for i := range small.Leads {
		if small.Leads[i].ID != large.Leads[i].ID {
			t.Fatalf("row %d: %s vs %s", i, small.Leads[i].CustomerCompany, large.Leads[i].CustomerCompany)
		}
	}
}

// TestSearchIsExactInTheIndex: the index finds exactly the leads a substring check finds.
func TestSearchIsExactInTheIndex(t *testing.T) {
	d := openIndexTestDB(t)
	ctx := context.Background()
	texts := [][3]string{{"Banana Bread", "Cy", "Ng"}, {"ANAB Holdings", "Al", "Bo"}, {"株式会社テスト", "太郎", "田中"}, {"Contoso Corp", "Ann", "Smith"},
		{"Corp Rp", "Co", "Or"}, {"Tech-Nova", "Te", "Ch"}, {"田中商事", "花子", "中田"}}
	err := d.InTx(ctx, func(tx *sql.Tx) error {
		for i, x := range texts {
			l := &Lead{Tab: "marketplace", LeadType: "offer", CTA: "contact_me", CustomerCompany: x[0], ContactFirstName: x[1], ContactLastName: x[2],
				Notes: fmt.Sprint("note ", i), CreatedAt: time.Unix(1_800_000_000+int64(i), 0)}
			if err := InsertLeadTx(ctx, tx, l); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.index.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	// The index answers exactly what a plain substring check of every word against every lead's words
	// answers: bigrams in order, no run across two words ("tech nova" is two words of "Tech-Nova").
	queries := []string{"anab", "corp", "tech nova", "株式会社", "田中太郎", "中田花子", "smith ann", "note 3", "ote", "ab", "rp co", "ch", "anaba", "ahol"}
	var leads [][]string
	rows, err := d.QueryContext(ctx, `SELECT id, customer_company, contact_first_name, contact_last_name, deal_name, notes FROM leads ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var c, f, l, dn, n string
		rows.Scan(&id, &c, &f, &l, &dn, &n)
		leads = append(leads, append([]string{fmt.Sprint(id)}, searchWords(strings.Join([]string{c, f + " " + l, l + f, dn, n, fmt.Sprint(id)}, " "))...))
	}
	rows.Close()
	for _, q := range queries {
		hits, err := d.searchHits(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		ids := hits.IDs()
		var want []int64
		for _, words := range leads {
			all := true
			for _, w := range searchWords(q) {
				found := false
				for _, x := range words[1:] {
					found = found || strings.Contains(x, w)
				}
				all = all && found
			}
			if all {
				var id int64
				fmt.Sscan(words[0], &id)
				want = append(want, id)
			}
		}
		slices.Sort(ids)
		if !slices.Equal(ids, want) {
			t.Errorf("q=%s: index %v, substring check %v", q, ids, want)
		}
	}
	if hits, _ := d.searchHits(ctx, "anab"); hits.Len() != 1 || hits.IDs()[0] != 2 {
		t.Errorf("anab: %v, want only ANAB Holdings (2)", hits.IDs())
	}
}

func TestLeadIndexConcurrentUse(t *testing.T) {
	d := openIndexTestDB(t)
	ctx := context.Background()
	insert := func(i int) {
		err := d.InTx(ctx, func(tx *sql.Tx) error {
			return InsertLeadTx(ctx, tx, &Lead{Tab: "marketplace", LeadType: "offer", CTA: "contact_me", CustomerCompany: fmt.Sprint("Contoso ", i),
				Country: []string{"JP", "US"}[i%2], CreatedAt: time.Unix(1_800_000_000+int64(i), 0)})
		})
		if err != nil {
			t.Error(err)
		}
	}
	for i := 0; i < 50; i++ {
		insert(i)
	}
	done := make(chan struct{})
	errs := make(chan error, 8)
	for r := 0; r < 4; r++ {
		go func(r int) {
			views := []url.Values{{"tab": {"marketplace"}}, {"country": {"JP"}, "sort": {"customer"}}, {"q": {"contoso"}}, {"status": {"received"}, "page": {"2"}, "size": {"25"}}}
			for i := 0; ; i++ {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				f := leadfilter.ParseView(views[(r+i)%len(views)])
				p, err := d.ListLeads(ctx, f, 1)
				if err == nil && p.Total > 200 {
					err = fmt.Errorf("total %d with at most 200 leads", p.Total)
				}
				if err == nil && i%10 == 0 {
					err = d.ExportLeads(ctx, f, 1, func(*Lead) error { return nil })
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}(r)
	}
	for i := 50; i < 200; i++ {
		insert(i)
		if _, err := d.Exec(`UPDATE leads SET status = 'accepted', expires_at = NULL, updated_at = ?, version = version + 1 WHERE id = ?`, 1_900_000_000+i, 1+i%50); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	for r := 0; r < 4; r++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	p, err := d.ListLeads(ctx, leadfilter.ParseView(url.Values{}), 1)
	if err != nil || p.Total != 200 {
		t.Fatalf("after the writes: %d leads, %v", p.Total, err)
	}
}
