package db

import (
	"context"
	"database/sql"
	"fmt"
	"leaddesk/db/leadindex"
	"leaddesk/leadfilter"
	"slices"
	"time"
)

// LeadPage is one page of the Leads list with the counts around it.
type LeadPage struct {
	Leads     []*Lead         // with the fields the list shows (listLeadColumns), not every field
	Total     int             // leads matching the whole view
	Page      int             // the page shown (the last one when asked past the end)
	Pages     int             // at least 1
	Counts    map[string]int  // per tab: marketplace, qualified, favorites (test leads not counted)
	Favorites map[int64]bool  // which of the page's leads this user hearted
	Owners    map[int64]Owner // the owners of the page's leads, by user id
}

// ListLeads returns the page of leads that view v shows to userID, with the total and tab counts.
// A page past the end gives the last page.
func (d *DB) ListLeads(ctx context.Context, v leadfilter.View, userID int64) (*LeadPage, error) {
	if d.answerFromSQL(v) {
		return d.listLeadsFromSQL(ctx, v, userID)
	}
	favs, search, err := d.viewInputs(ctx, v, userID)
	if err != nil {
		return nil, err
	}
	ip := d.index.Page(combosOnly(v), favs, search)
	leads, err := d.listLeadsByIDs(ctx, ip.IDs)
	if err != nil {
		return nil, err
	}
	page := &LeadPage{Leads: leads, Total: ip.Total, Page: ip.Page, Pages: max(1, (ip.Total+v.Size-1)/v.Size), Counts: ip.Counts,
		Favorites: map[int64]bool{}}
	fs := map[int64]bool{}
	for _, id := range favs {
		fs[id] = true
	}
	var owners []int64
	for _, l := range leads {
		page.Favorites[l.ID] = fs[l.ID]
		if l.OwnerID != 0 && !slices.Contains(owners, l.OwnerID) {
			owners = append(owners, l.OwnerID)
		}
	}
	if page.Owners, err = d.OwnerLabels(ctx, owners); err != nil {
		return nil, err
	}
	return page, nil
}

// AdjacentLeadIDs returns the leads before and after id in view v as userID sees it (0 when there is
// none, or when id is not in the view), for previous/next on the details page.
func (d *DB) AdjacentLeadIDs(ctx context.Context, v leadfilter.View, userID, id int64) (prev, next int64, err error) {
	if v.Tab != "favorites" && SearchQuery(v.Q) == "" && !v.HasArrival() {
		// A tab view: the index walks its permutation from the lead's place to its neighbours.
		if err := d.index.Ensure(ctx); err != nil {
			return 0, 0, err
		}
		prev, next = d.index.Adjacent(v, id)
		return prev, next, nil
	}
	order, err := d.viewOrder(ctx, v, userID)
	if err != nil {
		return 0, 0, err
	}
	i := slices.Index(order, id)
	if i < 0 {
		return 0, 0, nil
	}
	if i > 0 {
		prev = order[i-1]
	}
	if i+1 < len(order) {
		next = order[i+1]
	}
	return prev, next, nil
}

// viewInputs brings the lead index up to date and gathers what a view of it needs besides the filter:
// the user's favourites and the candidates (search hits and leads received in the arrival range; nil
// when v narrows by neither).
func (d *DB) viewInputs(ctx context.Context, v leadfilter.View, userID int64) ([]int64, *leadindex.Hits, error) {
	if err := d.index.Ensure(ctx); err != nil {
		return nil, nil, err
	}
	favs, err := d.favoriteIDsRemembered(ctx, userID)
	if err != nil {
		return nil, nil, err
	}
	search, err := d.candidates(ctx, v.Filter)
	if err != nil {
		return nil, nil, err
	}
	return favs, search, nil
}

// viewOrder is every lead id of view v in order (all pages).
func (d *DB) viewOrder(ctx context.Context, v leadfilter.View, userID int64) ([]int64, error) {
	favs, search, err := d.viewInputs(ctx, v, userID)
	if err != nil {
		return nil, err
	}
	return d.index.Order(combosOnly(v), favs, search), nil
}

// LeadCountries returns the country codes that leads have had, sorted, for the country filter's list.
func (d *DB) LeadCountries(ctx context.Context) ([]string, error) {
	if d.index.Loading() {
		return d.leadCountriesFromSQL(ctx)
	}
	if err := d.index.Ensure(ctx); err != nil {
		return nil, err
	}
	return d.index.Countries(), nil
}

// listLeadColumns are the fields a row of the Leads list shows; a page reads only these.
const listLeadColumns = `id, customer_company, contact_first_name, contact_last_name, email_validity, phone_validity, quality,
	COALESCE(lead_type, ''), country, COALESCE(source, ''), is_test, COALESCE(cta, ''), COALESCE(classification, ''), deal_value,
	currency, created_at, status, COALESCE(outcome, ''), customer_requested_contact, actionable, expires_at, COALESCE(owner_id, 0),
	first_contact_at`

// listLeadsByIDs reads the list's fields of leads, in the order of ids.
func (d *DB) listLeadsByIDs(ctx context.Context, ids []int64) ([]*Lead, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := d.QueryContext(ctx, `SELECT `+listLeadColumns+` FROM leads WHERE id IN (`+placeholders(len(ids))+`)`, anySlice(ids)...)
	if err != nil {
		return nil, fmt.Errorf("db: list leads: %w", err)
	}
	defer rows.Close()
	byID := make(map[int64]*Lead, len(ids))
	for rows.Next() {
		var l Lead
		var created int64
		var expires, firstContact sql.NullInt64
		if err := rows.Scan(&l.ID, &l.CustomerCompany, &l.ContactFirstName, &l.ContactLastName, &l.EmailValidity, &l.PhoneValidity,
			&l.Quality, &l.LeadType, &l.Country, &l.Source, &l.IsTest, &l.CTA, &l.Classification, &l.DealValue, &l.Currency, &created,
			&l.Status, &l.Outcome, &l.CustomerRequestedContact, &l.Actionable, &expires, &l.OwnerID,
			&firstContact); err != nil {
			return nil, fmt.Errorf("db: list leads: %w", err)
		}
		l.FirstContactAt = nullTime(firstContact) // the response-target badge (package sla)
		l.CreatedAt = time.Unix(created, 0).UTC()
		l.ExpiresAt = nullTime(expires)
		byID[l.ID] = &l
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: list leads: %w", err)
	}
	out := make([]*Lead, 0, len(ids))
	for _, id := range ids {
		if l := byID[id]; l != nil {
			out = append(out, l)
		}
	}
	return out, nil
}

// LocationName is a business-profile location as the list's location filter names it.
type LocationName struct {
	ID   int64
	Name string
}

// LocationNames returns every location's id and name, by name, for the location filter and its chips
// (without ListLocations' lead counts, which a list page does not need).
func (d *DB) LocationNames(ctx context.Context) ([]LocationName, error) {
	rows, err := d.QueryContext(ctx, `SELECT id, name FROM locations ORDER BY name, id`)
	if err != nil {
		return nil, fmt.Errorf("db: location names: %w", err)
	}
	defer rows.Close()
	var out []LocationName
	for rows.Next() {
		var l LocationName
		if err := rows.Scan(&l.ID, &l.Name); err != nil {
			return nil, fmt.Errorf("db: location names: %w", err)
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: location names: %w", err)
	}
	return out, nil
}
