package db

import (
	"context"
	"database/sql"
	"fmt"
	"leaddesk/leadfilter"
	"time"
)

// ExportLeads calls fn for every lead of view v (all pages) in order with the export's fields filled
// (docs/design.md §3.5; not every field of Lead), reading a thousand at a time, so memory stays flat whatever
// the count: the index walks its permutation chunk by chunk (leadindex.Index.Walk). Favourite and
// search views, and views of an arrival range, are bounded by their candidates and are ordered up front.
func (d *DB) ExportLeads(ctx context.Context, v leadfilter.View, userID int64, fn func(*Lead) error) error {
	emit := func(ids []int64) error {
		leads, err := d.exportLeadsByIDs(ctx, ids)
		if err != nil {
			return err
		}
		for _, l := range leads {
			if err := fn(l); err != nil {
				return err
			}
		}
		return nil
	}
	if SearchQuery(v.Q) != "" || v.Tab == "favorites" || v.HasArrival() {
		order, err := d.viewOrder(ctx, v, userID)
		if err != nil {
			return err
		}
		for from := 0; from < len(order); from += exportChunk {
			if err := emit(order[from:min(from+exportChunk, len(order))]); err != nil {
				return err
			}
		}
		return nil
	}
	return d.index.Walk(ctx, v, exportChunk, emit)
}

// exportChunk is how many leads an export reads at once.
const exportChunk = 1000

// exportLeadColumns are the columns of the CSV export (docs/design.md §3.5): reading only these keeps a
// million-row export quick.
const exportLeadColumns = `id, created_at, customer_company, contact_first_name, contact_last_name, contact_email, email_validity,
	contact_phone, phone_validity, country, COALESCE(source, ''), COALESCE(lead_type, ''), COALESCE(cta, ''),
	COALESCE(classification, ''), offer_id, offer_title, quality, status, COALESCE(outcome, ''), reason, deal_name, deal_value,
	currency, purchase_date, crm_id, campaign_id, notes, COALESCE(location_id, 0), COALESCE(owner_id, 0),
	(SELECT COUNT(*) FROM lead_activities a WHERE a.lead_id = leads.id), (SELECT MAX(a.at) FROM lead_activities a WHERE a.lead_id = leads.id)`

// exportLeadsByIDs reads the export's fields of leads, in the order of ids.
func (d *DB) exportLeadsByIDs(ctx context.Context, ids []int64) ([]*Lead, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := d.QueryContext(ctx, `SELECT `+exportLeadColumns+` FROM leads WHERE id IN (`+placeholders(len(ids))+`)`, anySlice(ids)...)
	if err != nil {
		return nil, fmt.Errorf("db: export leads: %w", err)
	}
	defer rows.Close()
	byID := make(map[int64]*Lead, len(ids))
	for rows.Next() {
		var l Lead
		var created int64
		var lastAct sql.NullInt64
		if err := rows.Scan(&l.ID, &created, &l.CustomerCompany, &l.ContactFirstName, &l.ContactLastName, &l.ContactEmail, &l.EmailValidity,
			&l.ContactPhone, &l.PhoneValidity, &l.Country, &l.Source, &l.LeadType, &l.CTA, &l.Classification, &l.OfferID, &l.OfferTitle,
			&l.Quality, &l.Status, &l.Outcome, &l.Reason, &l.DealName, &l.DealValue, &l.Currency, &l.PurchaseDate, &l.CRMID, &l.CampaignID,
			&l.Notes, &l.LocationID, &l.OwnerID, &l.Activities, &lastAct); err != nil {
			return nil, fmt.Errorf("db: export leads: %w", err)
		}
		l.CreatedAt = time.Unix(created, 0).UTC()
		l.LastActivityAt = nullTime(lastAct)
		byID[l.ID] = &l
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: export leads: %w", err)
	}
	out := make([]*Lead, 0, len(ids))
	for _, id := range ids {
		if l := byID[id]; l != nil {
			out = append(out, l)
		}
	}
	return out, nil
}
