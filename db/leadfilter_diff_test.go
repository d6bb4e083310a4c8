package db

import (
	"context"
	"database/sql"
	"fmt"
	"leaddesk/lead"
	"leaddesk/leadfilter"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestFilterSQLAndMemoryAgree is the differential test of the one filter: random leads of every kind
// in a real SQLite database, random filters, and for each filter the leads that leadfilter's SQL
// builder (Where) selects must be exactly those its in-memory matcher (Compile/Match) accepts, and
// exactly what the Leads list (through the index), the CSV export and the JSON API's cursor paging
// return, arrival range (created_from, created_to) included. Halfway, some leads move to another
// location, so the index's refresh is held to the same rule as its first load.
func TestFilterSQLAndMemoryAgree(t *testing.T) {
	d := openIndexTestDB(t)
	ctx := context.Background()
	r := rand.New(rand.NewPCG(12, 2026))
	pick := func(list []string) string { return list[r.IntN(len(list))] }
	pickOrNone := func(list []string) string {
		if r.IntN(4) == 0 {
			return ""
		}
		return pick(list)
	}
	countries := []string{"JP", "US", "DE", "FR", ""}
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	var locations []int64 // three locations of the business profile; a lead has one of them or none
	for _, name := range []string{"Tokyo", "Osaka", "Berlin"} {
		res, err := d.ExecContext(ctx, `INSERT INTO locations (name, created_at, updated_at) VALUES (?, 0, 0)`, name)
		if err != nil {
			t.Fatal(err)
		}
		id, _ := res.LastInsertId()
		locations = append(locations, id)
	}
	locationIDs := []string{fmt.Sprint(locations[0]), fmt.Sprint(locations[1]), fmt.Sprint(locations[2])}
	err = d.InTx(ctx, func(tx *sql.Tx) error {
		for i := 0; i < 600; i++ {
			l := &Lead{Tab: pick(lead.Tabs), Country: pick(countries), Quality: pick(lead.Qualities),
				EmailValidity: pick(lead.EmailValidities), PhoneValidity: pick(lead.PhoneValidities), IsTest: r.IntN(6) == 0,
				CustomerCompany: fmt.Sprint("Company ", i), CreatedAt: now.Add(-time.Duration(r.IntN(400)) * 17 * time.Minute)} // over five days
			if k := r.IntN(len(locations) + 1); k < len(locations) {
				l.LocationID = locations[k]
			}
			if l.Tab == "qualified" {
				l.Classification, l.LeadType, l.Source = pick(lead.Classifications), pickOrNone(lead.LeadTypes), pickOrNone(lead.Sources)
			} else {
				l.LeadType, l.Source = pick(lead.LeadTypes), pick(lead.Sources)
				if l.LeadType == "offer" {
					l.CTA = pick(lead.CTAs)
				}
			}
			switch r.IntN(3) {
			case 1:
				l.Status = "accepted"
			case 2:
				l.Status = "archived"
				if lead.IsActionable(l.Tab, l.LeadType, l.CTA) || r.IntN(2) == 0 {
					l.Outcome = pick(lead.Outcomes)
				}
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
	// Owners (issue 17): two users own about a third of the leads each; the rest are unassigned.
	var owners []int64
	for _, email := range []string{"aiko@example.com", "ben@example.com"} {
		res, err := d.ExecContext(ctx, `INSERT INTO users (email, created_at) VALUES (?, 0)`, email)
		if err != nil {
			t.Fatal(err)
		}
		id, _ := res.LastInsertId()
		owners = append(owners, id)
	}
	ownerValues := []string{leadfilter.OwnerMe, leadfilter.OwnerNone, fmt.Sprint(owners[0]), fmt.Sprint(owners[1])}
	assignSome := func(n int) {
		for i := 0; i < n; i++ {
			var to any
			if k := r.IntN(3); k < len(owners) {
				to = owners[k]
			}
			if _, err := d.ExecContext(ctx, `UPDATE leads SET owner_id = ? WHERE id = ?`, to, 1+r.IntN(600)); err != nil {
				t.Fatal(err)
			}
		}
	}
	assignSome(400)
	all, _, err := d.LeadsAfter(ctx, leadfilter.Filter{Test: true}, LeadCursor{}, 10_000)
	if err != nil || len(all) != 600 {
		t.Fatalf("%d leads, %v", len(all), err)
	}
	// Some of each field's values, so most filters select a few leads and some select none.
	subset := func(list []string) []string {
		var out []string
		if r.IntN(3) == 0 {
			return nil
		}
		for _, v := range list {
			if r.IntN(3) == 0 {
				out = append(out, v)
			}
		}
		return out
	}
	for n := 0; n < 300; n++ {
		if n == 150 {
			// Re-routing: forty leads move to another location or to none.
			for i := 0; i < 40; i++ {
				var to any
				if k := r.IntN(len(locations) + 1); k < len(locations) {
					to = locations[k]
				}
				if _, err := d.ExecContext(ctx, `UPDATE leads SET location_id = ? WHERE id = ?`, to, all[r.IntN(len(all))].ID); err != nil {
					t.Fatal(err)
				}
			}
			assignSome(40)
			if all, _, err = d.LeadsAfter(ctx, leadfilter.Filter{Test: true}, LeadCursor{}, 10_000); err != nil {
				t.Fatal(err)
			}
		}
		f := leadfilter.Filter{Tab: []string{"", "marketplace", "qualified"}[r.IntN(3)], Test: r.IntN(3) == 0,
			CTA: subset(lead.CTAs), Country: subset([]string{"DE", "FR", "JP", "US"}), Source: subset(lead.Sources),
			Type: subset(lead.LeadTypes), Quality: subset(lead.Qualities), Status: subset(lead.Statuses), Outcome: subset(lead.Outcomes),
			EmailValidity: subset(lead.EmailValidities), PhoneValidity: subset(lead.PhoneValidities),
			Classification: subset(lead.Classifications), Location: subset(locationIDs),
			Owner: subset(ownerValues), Me: owners[r.IntN(2)]}
		// The arrival range (issue 16's drill-downs): days of the five, either end open, in UTC or Tokyo.
		days := []string{"", "", "2026-11-25", "2026-11-26", "2026-11-27", "2026-11-28", "2026-11-29", "2026-11-30"}
		f.CreatedFrom, f.CreatedTo = days[r.IntN(len(days))], days[r.IntN(len(days))]
		if r.IntN(2) == 0 {
			f.Loc = tokyo
		}
		// SQL builder.
		where, args := f.Where()
		rows, err := d.QueryContext(ctx, `SELECT id FROM leads WHERE `+where+` ORDER BY id`, args...)
		if err != nil {
			t.Fatal(err)
		}
		var bySQL []int64
		for rows.Next() {
			var id int64
			rows.Scan(&id)
			bySQL = append(bySQL, id)
		}
		rows.Close()
		// In-memory matcher, over each lead as stored.
		m := f.Compile()
		var byMatcher []int64
		for _, l := range all {
			if a := leadfilter.AttrsOf(l); m.Match(&a) && m.Arrived(l.CreatedAt.Unix()) {
				byMatcher = append(byMatcher, l.ID)
			}
		}
		slices.Sort(byMatcher)
		if !slices.Equal(bySQL, byMatcher) {
			t.Fatalf("filter %+v\n SQL     %v\n matcher %v", f, bySQL, byMatcher)
		}
		// The JSON API: cursor pages of 7.
		var byAPI []int64
		var cur LeadCursor
		for {
			page, more, err := d.LeadsAfter(ctx, f, cur, 7)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range page {
				byAPI = append(byAPI, l.ID)
			}
			if !more {
				break
			}
			cur = LeadCursor{Created: page[len(page)-1].CreatedAt.Unix(), ID: page[len(page)-1].ID}
		}
		slices.Sort(byAPI)
		if !slices.Equal(byAPI, bySQL) {
			t.Fatalf("filter %+v\n API %v\n SQL %v", f, byAPI, bySQL)
		}
		// The Leads list and the export (a tab is always chosen there).
		if f.Tab == "" {
			continue
		}
		v := leadfilter.View{Filter: f, Sort: leadfilter.Sorts[r.IntN(len(leadfilter.Sorts))], Desc: r.IntN(2) == 0, Page: 1, Size: 1000}
		page, err := d.ListLeads(ctx, v, 1)
		if err != nil {
			t.Fatal(err)
		}
		var byList []int64
		for _, l := range page.Leads {
			byList = append(byList, l.ID)
		}
		slices.Sort(byList)
		if page.Total != len(bySQL) || !slices.Equal(byList, bySQL) {
			t.Fatalf("view %+v: list total %d\n list %v\n SQL  %v", v, page.Total, byList, bySQL)
		}
		var byExport []int64
		if err := d.ExportLeads(ctx, v, 1, func(l *Lead) error { byExport = append(byExport, l.ID); return nil }); err != nil {
			t.Fatal(err)
		}
		slices.Sort(byExport)
		if !slices.Equal(byExport, bySQL) {
			t.Fatalf("view %+v:\n export %v\n SQL    %v", v, byExport, bySQL)
		}
	}
}
