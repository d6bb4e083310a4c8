package db

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"testing"
	"time"

	"leaddesk/lead"
	"leaddesk/leadfilter"
)

// TestListFromSQLWhileTheIndexLoads: the pages served from SQLite while the lead index loads after a
// restart are the pages the index serves once loaded — rows, order, totals, page clamping, tab counts,
// hearts, searches, favourites — and the country filter's list is the same too.
func TestListFromSQLWhileTheIndexLoads(t *testing.T) {
	d := openIndexTestDB(t)
	ctx := context.Background()
	r := rand.New(rand.NewPCG(3, 4))
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	var userID int64
	if err := d.QueryRow(`INSERT INTO users (email, created_at) VALUES ('a@example.com', 0) RETURNING id`).Scan(&userID); err != nil {
		t.Fatal(err)
	}
	err := d.InTx(ctx, func(tx *sql.Tx) error {
		for i := range 240 {
			l := &Lead{Tab: lead.Tabs[r.IntN(2)], LeadType: "offer", CTA: lead.CTAs[r.IntN(4)], Source: "appsource",
				CustomerCompany: []string{"Contoso", "Fabrikam", "Northwind Traders", "株式会社テスト"}[r.IntN(4)] + fmt.Sprint(" ", i%9),
				Country:         []string{"JP", "US", "DE", ""}[r.IntN(4)], IsTest: i%17 == 0, DealValue: int64(r.IntN(4)) * 100,
				CreatedAt: now.Add(-time.Duration(r.IntN(30)) * time.Hour)} // many equal times: the id breaks ties
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
	for _, id := range []int64{3, 5, 8, 13, 21, 34, 55, 89, 144, 17} {
		if err := d.SetFavorite(ctx, userID, id, true, now); err != nil {
			t.Fatal(err)
		}
	}
	views := []url.Values{
		{}, {"tab": {"qualified"}}, {"tab": {"favorites"}}, {"test": {"1"}}, {"page": {"2"}, "size": {"25"}}, {"page": {"99"}},
		{"dir": {"asc"}, "size": {"25"}, "page": {"3"}}, {"country": {"JP", "DE"}, "cta": {"contact_me"}},
		{"q": {"contoso"}}, {"q": {"テスト"}, "tab": {"qualified"}}, {"q": {"northwind 3"}, "page": {"2"}, "size": {"25"}},
		{"tab": {"favorites"}, "q": {"fabrikam"}}, {"q": {"nothing-like-it"}},
	}
	for _, q := range views {
		v := leadfilter.ParseView(q)
		fromSQL, err := d.listLeadsFromSQL(ctx, v, userID)
		if err != nil {
			t.Fatal(err)
		}
		fromIndex, err := d.ListLeads(ctx, v, userID)
		if err != nil {
			t.Fatal(err)
		}
		ids := func(p *LeadPage) []int64 {
			var out []int64
			for _, l := range p.Leads {
				out = append(out, l.ID)
			}
			return out
		}
		if !slices.Equal(ids(fromSQL), ids(fromIndex)) || fromSQL.Total != fromIndex.Total || fromSQL.Page != fromIndex.Page ||
			fromSQL.Pages != fromIndex.Pages || fmt.Sprint(fromSQL.Counts) != fmt.Sprint(fromIndex.Counts) ||
			fmt.Sprint(fromSQL.Favorites) != fmt.Sprint(fromIndex.Favorites) {
			t.Errorf("view %s:\n from SQLite: page %d/%d, total %d, counts %v, rows %v\n from index:  page %d/%d, total %d, counts %v, rows %v",
				q.Encode(), fromSQL.Page, fromSQL.Pages, fromSQL.Total, fromSQL.Counts, ids(fromSQL),
				fromIndex.Page, fromIndex.Pages, fromIndex.Total, fromIndex.Counts, ids(fromIndex))
		}
		if fromIndex.Total == 0 && q.Get("q") != "nothing-like-it" {
			t.Errorf("view %s matches nothing: the comparison proves little", q.Encode())
		}
	}
	fromSQL, err := d.leadCountriesFromSQL(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fromIndex, err := d.LeadCountries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(fromSQL, fromIndex) || len(fromIndex) != 3 {
		t.Errorf("countries from SQLite %v, from the index %v", fromSQL, fromIndex)
	}
}

// TestListWhileLoadingInBackground: a database whose index loads in the background answers the list at
// once and rightly, before and after the index is ready, and the index becomes ready by itself.
func TestListWhileLoadingInBackground(t *testing.T) {
	path := openIndexTestDB(t).Path
	ctx := context.Background()
	d, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	err = d.InTx(ctx, func(tx *sql.Tx) error {
		for i := range 30 {
			if err := InsertLeadTx(ctx, tx, &Lead{Tab: "marketplace", LeadType: "offer", CTA: "contact_me", Country: "JP",
				CustomerCompany: fmt.Sprint("Contoso ", i), CreatedAt: time.Unix(1_800_000_000+int64(i), 0)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	d.LoadLeadIndexInBackground()
	v := leadfilter.ParseView(url.Values{})
	v.Size = 10
	first, err := d.ListLeads(ctx, v, 1) // from SQLite or from the index, whichever the load allows
	if err != nil {
		t.Fatal(err)
	}
	if first.Total != 30 || len(first.Leads) != 10 || first.Leads[0].CustomerCompany != "Contoso 29" {
		t.Fatalf("first page: total %d, %d rows", first.Total, len(first.Leads))
	}
	if err := d.index.Ensure(ctx); err != nil { // waits for the background load
		t.Fatal(err)
	}
	if !d.LeadIndexReady() || d.index.Loading() || d.index.Loads() != 1 {
		t.Fatalf("after the load: ready %v, loading %v, loads %d", d.LeadIndexReady(), d.index.Loading(), d.index.Loads())
	}
	again, err := d.ListLeads(ctx, v, 1)
	if err != nil {
		t.Fatal(err)
	}
	if again.Total != first.Total || again.Leads[9].ID != first.Leads[9].ID {
		t.Fatalf("after the load: total %d, row 10 is %d (was %d)", again.Total, again.Leads[9].ID, first.Leads[9].ID)
	}
}
