package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"leaddesk/leadfilter"
)

// While the lead index loads in the background after a start (LoadLeadIndexInBackground), the first
// pages are answered here, from SQLite, with the same results the index gives: the default order
// (newest first, or oldest) walks the leads_created index; the counts read leads_tab_country. Other
// orders have no SQLite index and wait for the lead index instead.

// LoadLeadIndexInBackground starts loading the Leads list's index without waiting for it; until it is
// ready, ListLeads and LeadCountries answer from SQLite where they can. serve calls it at start.
func (d *DB) LoadLeadIndexInBackground() { d.index.LoadInBackground() }

// LeadIndexReady reports whether the Leads list's index is loaded.
func (d *DB) LeadIndexReady() bool { return d.index.Ready() }

// answerFromSQL reports whether view v is answered from SQLite: the index is loading in the background
// and SQLite has an index for v's order.
func (d *DB) answerFromSQL(v leadfilter.View) bool {
	return d.index.Loading() && v.Sort == "created"
}

// listLeadsFromSQL is ListLeads from SQLite.
func (d *DB) listLeadsFromSQL(ctx context.Context, v leadfilter.View, userID int64) (*LeadPage, error) {
	where, args := v.Filter.Where()
	if v.Tab == "favorites" {
		where, args = where+` AND id IN (SELECT lead_id FROM favorites WHERE user_id = ?)`, append(args, userID)
	}
	if match := SearchQuery(v.Q); match != "" {
		where, args = where+` AND id IN (SELECT rowid FROM lead_search WHERE lead_search MATCH ?)`, append(args, match)
	}
	page := &LeadPage{Counts: map[string]int{}, Favorites: map[int64]bool{}}
	if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM leads WHERE `+where, args...).Scan(&page.Total); err != nil {
		return nil, fmt.Errorf("db: list leads: %w", err)
	}
	page.Pages = max(1, (page.Total+v.Size-1)/v.Size)
	page.Page = min(max(v.Page, 1), page.Pages)
	dir := "ASC"
	if v.Desc {
		dir = "DESC"
	}
	// In created order, so the page is the first rows that match, not a sort of every match (the
	// planner would otherwise take leads_tab_country for the tab and sort half a million rows).
	rows, err := d.QueryContext(ctx, `SELECT id FROM leads INDEXED BY leads_created WHERE `+where+` ORDER BY created_at `+dir+`, id `+dir+` LIMIT ? OFFSET ?`,
		append(args, v.Size, (page.Page-1)*v.Size)...)
	if err != nil {
		return nil, fmt.Errorf("db: list leads: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("db: list leads: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: list leads: %w", err)
	}
	if page.Leads, err = d.listLeadsByIDs(ctx, ids); err != nil {
		return nil, err
	}
	var market, qualified, favorites int
	err = d.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM leads WHERE tab = 'marketplace' AND is_test = 0),
		(SELECT COUNT(*) FROM leads WHERE tab = 'qualified' AND is_test = 0),
		(SELECT COUNT(*) FROM favorites f JOIN leads l ON l.id = f.lead_id WHERE f.user_id = ? AND l.is_test = 0)`, userID).
		Scan(&market, &qualified, &favorites)
	if err != nil {
		return nil, fmt.Errorf("db: list counts: %w", err)
	}
	page.Counts = map[string]int{"marketplace": market, "qualified": qualified, "favorites": favorites}
	favs, err := d.FavoriteIDs(ctx, userID)
	if err != nil {
		return nil, err
	}
	var owners []int64
	for _, l := range page.Leads {
		page.Favorites[l.ID] = slices.Contains(favs, l.ID)
		if l.OwnerID != 0 && !slices.Contains(owners, l.OwnerID) {
			owners = append(owners, l.OwnerID)
		}
	}
	if page.Owners, err = d.OwnerLabels(ctx, owners); err != nil {
		return nil, err
	}
	return page, nil
}

// leadCountriesFromSQL is LeadCountries from SQLite: leads_tab_country read from one distinct
// (tab, is_test, country) to the next, a few hundred index seeks instead of a million rows.
func (d *DB) leadCountriesFromSQL(ctx context.Context) ([]string, error) {
	var out []string
	tab, test, country := "", int64(-1), ""
	for {
		err := d.QueryRowContext(ctx, `SELECT tab, is_test, country FROM leads INDEXED BY leads_tab_country
			WHERE (tab, is_test, country) > (?, ?, ?) ORDER BY tab, is_test, country LIMIT 1`, tab, test, country).Scan(&tab, &test, &country)
		if errors.Is(err, sql.ErrNoRows) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("db: lead countries: %w", err)
		}
		if i, found := slices.BinarySearch(out, country); !found && country != "" {
			out = slices.Insert(out, i, country)
		}
	}
	return out, nil
}
