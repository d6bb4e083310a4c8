package db

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"leaddesk/db/leadindex"
	"leaddesk/leadfilter"
)

// searchPieces are what the random leads' words are made of: syllables that overlap in many ways,
// Japanese characters, digits (ids are words too), an accented letter and a combining mark.
var searchPieces = []string{"co", "rp", "an", "er", "te", "ch", "ma", "ra", "on", "a", "e", "0", "1", "2", "5", "9", "10",
	"田", "中", "山", "建設", "食品", "商事", "株式", "会社", "有限", "é", "e\u0301", "x"}

func randomSearchWord(r *rand.Rand) string {
	var b strings.Builder
	for range 1 + r.IntN(4) {
		b.WriteString(searchPieces[r.IntN(len(searchPieces))])
	}
	return b.String()
}

func randomSearchText(r *rand.Rand, words int) string {
	var ws []string
	for range r.IntN(words + 1) {
		w := randomSearchWord(r)
		if r.IntN(4) == 0 {
			w = strings.ToUpper(w)
		}
		ws = append(ws, w)
	}
	return strings.Join(ws, []string{" ", "-", ", ", "・"}[r.IntN(4)])
}

// randomSearchQuery is 1–3 words: pieces of the leads' words (single characters among them), ids and
// their digits, or words no lead has.
func randomSearchQuery(r *rand.Rand, texts []string, maxID int64) string {
	var q []string
	for range 1 + r.IntN(3) {
		switch r.IntN(6) {
		case 0:
			q = append(q, fmt.Sprint(1+r.Int64N(maxID+5)))
		case 1:
			id := []rune(fmt.Sprint(1 + r.Int64N(maxID+5)))
			from := r.IntN(len(id))
			q = append(q, string(id[from:from+1+r.IntN(len(id)-from)]))
		case 2:
			q = append(q, []string{"zzq", "0", "00", "05", "1", "a", "田", "x", "é"}[r.IntN(9)])
		default:
			ws := searchWords(texts[r.IntN(len(texts))])
			if len(ws) == 0 {
				continue
			}
			w := []rune(ws[r.IntN(len(ws))])
			from := r.IntN(len(w))
			n := 1 + r.IntN(len(w)-from)
			if r.IntN(3) == 0 {
				n = 1
			}
			q = append(q, string(w[from:from+n]))
		}
	}
	return strings.Join(q, " ")
}

// TestIndexSearchMatchesFTS: the lead index's in-memory words find exactly the leads lead_search
// (FTS5) finds, for random leads and many random queries — after the first load, after updates,
// anonymisations, deletions and new leads made through the app's write paths (seen by the index as
// changes since its load), after a bulk edit that takes the leads of changed words past MaxOverlay
// (the words are built anew from memory, with no reload), after changes since, and after a fresh load
// of the changed database.
func TestIndexSearchMatchesFTS(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), FileName)
	opts := Options{LeadIndex: leadindex.Options{LargeSearch: 10, MaxOverlay: 450}}
	d, err := OpenWith(ctx, path, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { d.Close() }()
	r := rand.New(rand.NewPCG(21, 1))
	var texts []string
	insert := func(n int) {
		t.Helper()
		err := d.InTx(ctx, func(tx *sql.Tx) error {
			for range n {
				// A third of the companies end in "Corp", another third in "株式会社": words of more than
				// one lead in eight, which the index keeps as bitmaps.
				company := randomSearchText(r, 3) + []string{"", " Corp", " 株式会社"}[r.IntN(3)]
				l := &Lead{Tab: "marketplace", LeadType: "offer", CTA: "contact_me", CustomerCompany: company,
					ContactFirstName: randomSearchText(r, 1), ContactLastName: randomSearchText(r, 1), DealName: randomSearchText(r, 3),
					Notes: randomSearchText(r, 4), CreatedAt: time.Unix(1_800_000_000, 0)}
				if r.IntN(5) == 0 {
					l.Status, l.Outcome = "archived", "expired"
				}
				if r.IntN(10) == 0 {
					l.CustomerCompany, l.ContactFirstName, l.ContactLastName, l.DealName, l.Notes = "", "", "", "", ""
				}
				if err := InsertLeadTx(ctx, tx, l); err != nil {
					return err
				}
				texts = append(texts, strings.Join([]string{l.CustomerCompany, l.ContactFirstName, l.ContactLastName, l.DealName, l.Notes}, " "))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	var maxID int64
	check := func(when string) {
		t.Helper()
		if err := d.index.Ensure(ctx); err != nil {
			t.Fatal(err)
		}
		if err := d.QueryRow(`SELECT COALESCE(MAX(id), 0) FROM leads`).Scan(&maxID); err != nil {
			t.Fatal(err)
		}
		nonEmpty := 0
		for range 1500 {
			q := randomSearchQuery(r, texts, maxID)
			match := SearchQuery(q)
			if match == "" {
				continue
			}
			want, err := d.searchFTS(ctx, match)
			if err != nil {
				t.Fatal(err)
			}
			hits, ok := d.index.Search(searchWords(q))
			if !ok {
				t.Fatalf("%s: the index did not answer", when)
			}
			got := hits.IDs()
			if hits.Len() != len(got) {
				t.Fatalf("%s: q=%q: %d hits counted, %d ids", when, q, hits.Len(), len(got))
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Fatalf("%s: q=%q (%s): index %v, FTS5 %v", when, q, match, got, want)
			}
			if len(want) > 0 {
				nonEmpty++
			}
			if nonEmpty%10 == 0 {
				// The list pages and orders the hits from the index's positions (a large search
				// from the bitmap, as LargeSearch is 10 here).
				v := leadfilter.ParseView(url.Values{"q": {q}, "sort": {"customer"}})
				p, err := d.ListLeads(ctx, v, 1)
				if err != nil {
					t.Fatal(err)
				}
				order, err := d.viewOrder(ctx, v, 1)
				if err != nil {
					t.Fatal(err)
				}
				slices.Sort(order)
				if p.Total != len(want) || !slices.Equal(order, want) {
					t.Fatalf("%s: q=%q: list total %d, order %v; FTS5 %v", when, q, p.Total, order, want)
				}
			}
		}
		if nonEmpty < 300 {
			t.Fatalf("%s: only %d of the queries found leads: the test searches too little", when, nonEmpty)
		}
	}
	insert(1500)
	check("after the load")

	actor := Actor{Label: "test"}
	now := time.Unix(1_800_100_000, 0)
	// change makes n random changes (deletions, anonymisations, edits of other fields, of the text) in
	// one transaction; only edits of the text when textOnly.
	change := func(n int, textOnly bool) {
		t.Helper()
		err := d.InTx(ctx, func(tx *sql.Tx) error {
			for range n {
				id := 1 + r.Int64N(maxID)
				before, err := LeadByIDTx(ctx, tx, id)
				if err == ErrNotFound {
					continue
				}
				if err != nil {
					return err
				}
				kind := r.IntN(5)
				if textOnly {
					kind = 4
				}
				switch kind {
				case 0:
					err = DeleteLeadTx(ctx, tx, id)
				case 1:
					_, err = AnonymiseLeadTx(ctx, tx, before, now, actor, "anonymised", "request")
				case 2: // no searched text changes
					after := *before
					after.CRMID, after.UpdatedAt = fmt.Sprint("crm-", id), now
					_, err = SaveLeadTx(ctx, tx, before, &after, actor, "edited", nil)
				default:
					after := *before
					after.Notes, after.DealName, after.UpdatedAt = randomSearchText(r, 4), randomSearchText(r, 2), now
					texts = append(texts, after.Notes+" "+after.DealName)
					if r.IntN(3) == 0 {
						after.Status, after.Outcome = "archived", "expired"
					}
					_, err = SaveLeadTx(ctx, tx, before, &after, actor, "edited", nil)
				}
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// counts fails unless the index was read once and its words built anew from memory compactions times.
	counts := func(when string, compactions int) {
		t.Helper()
		if loads, c := d.index.Loads(), d.index.Compactions(); loads != 1 || c != compactions {
			t.Fatalf("%s: the index was read %d times and its words built anew %d times, want once and %d", when, loads, c, compactions)
		}
	}
	change(300, false)
	insert(200)
	check("after changes")
	counts("after changes", 0)

	change(600, true) // a bulk edit: past MaxOverlay leads of changed words
	check("after a bulk edit")
	counts("after a bulk edit", 1)
	change(100, false)
	insert(50)
	check("after changes since")
	counts("after changes since", 1)

	d.Close()
	if d, err = OpenWith(ctx, path, opts); err != nil {
		t.Fatal(err)
	}
	check("after a fresh load")
}

// TestIndexSearchWhileWordsCompact: lists searched on several goroutines while leads are added and
// their notes edited, with a MaxOverlay so low that the index's words are built anew from memory again
// and again meanwhile (run with -race: the build reads the words while searches do, and only the swap
// waits for them); the searches answer throughout, and as FTS5 does at the end, with no reload.
func TestIndexSearchWhileWordsCompact(t *testing.T) {
	ctx := context.Background()
	d, err := OpenWith(ctx, filepath.Join(t.TempDir(), FileName), Options{LeadIndex: leadindex.Options{MaxOverlay: 20}})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	insert := func(i int) {
		err := d.InTx(ctx, func(tx *sql.Tx) error {
			return InsertLeadTx(ctx, tx, &Lead{Tab: "marketplace", LeadType: "offer", CTA: "contact_me", CustomerCompany: fmt.Sprint("Contoso ", i),
				Notes: "alpha beta", CreatedAt: time.Unix(1_800_000_000+int64(i), 0)})
		})
		if err != nil {
			t.Error(err)
		}
	}
	for i := range 100 {
		insert(i)
	}
	done := make(chan struct{})
	errs := make(chan error, 3)
	for r := range 3 {
		go func(r int) {
			for i := 0; ; i++ {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				q := []string{"contoso", "alpha", "note 1", "5"}[(r+i)%4]
				p, err := d.ListLeads(ctx, leadfilter.ParseView(url.Values{"q": {q}}), 1)
				if err == nil && q == "contoso" && (p.Total < 100 || p.Total > 250) {
					err = fmt.Errorf("contoso: %d leads of 100 to 250", p.Total)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}(r)
	}
	for i := 100; i < 250; i++ {
		insert(i)
		err := d.InTx(ctx, func(tx *sql.Tx) error {
			before, err := LeadByIDTx(ctx, tx, int64(1+i%100))
			if err != nil {
				return err
			}
			after := *before
			after.Notes, after.UpdatedAt = fmt.Sprint("note ", i), time.Unix(1_900_000_000+int64(i), 0)
			_, err = SaveLeadTx(ctx, tx, before, &after, Actor{Label: "test"}, "edited", nil)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	for range 3 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if err := d.index.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	if loads, c := d.index.Loads(), d.index.Compactions(); loads != 1 || c == 0 {
		t.Fatalf("the index was read %d times and its words built anew %d times: want once, and some", loads, c)
	}
	for _, q := range []string{"contoso", "alpha", "beta", "note", "note 1", "12", "te 24"} {
		match := SearchQuery(q)
		if match == "" {
			t.Fatalf("q=%q: no FTS5 query", q)
		}
		want, err := d.searchFTS(ctx, match)
		if err != nil {
			t.Fatal(err)
		}
		hits, _ := d.index.Search(searchWords(q))
		got := hits.IDs()
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("q=%q: index %v, FTS5 %v", q, got, want)
		}
	}
}
