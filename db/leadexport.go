package db

import (
	"context"
	"database/sql"
	"fmt"
	"leaddesk/leadfilter"
	"slices"
	"time"
)

// ExportLeads calls fn for every lead of view v (all pages) in order with the export's fields filled
// (docs/design.md §3.5; not every field of Lead), reading a thousand at a time, so memory stays flat whatever
// the count: the index walks its permutation chunk by chunk (leadindex.Index.Walk), and the chunks'
// leads are read into two buffers in turn — the next chunk is read from SQLite while fn writes this one
// (each was about half of an export's time, one after the other). fn must not keep the *Lead it is
// given past its return. Favourite and search views, and views of an arrival range, are bounded by
// their candidates and are ordered up front.
func (d *DB) ExportLeads(ctx context.Context, v leadfilter.View, userID int64, fn func(*Lead) error) error {
	var ahead readAhead
	emit := func(ids []int64) error { return ahead.next(ctx, d, ids, fn) }
	var err error
	if SearchQuery(v.Q) != "" || v.Tab == "favorites" || v.HasArrival() {
		var order []int64
		if order, err = d.viewOrder(ctx, v, userID); err == nil {
			for from := 0; from < len(order) && err == nil; from += exportChunk {
				err = emit(order[from:min(from+exportChunk, len(order))])
			}
		}
	} else {
		err = d.index.Walk(ctx, v, exportChunk, emit)
	}
	if err != nil {
		ahead.wait()
		return err
	}
	return ahead.finish(fn)
}

// readAhead reads an export's chunks one ahead of the chunk being written, into two buffers in turn.
type readAhead struct {
	bufs    [2]exportBuffer
	n       int        // chunks started
	pending *chunkRead // the chunk being read, nil before the first
}

// chunkRead is one chunk's read, done when done is closed.
type chunkRead struct {
	leads []*Lead
	err   error
	done  chan struct{}
}

// next starts reading ids and meanwhile hands the previous chunk's leads to fn. The chunk being read
// uses the buffer the chunk before the previous one used, which fn is done with.
func (a *readAhead) next(ctx context.Context, d *DB, ids []int64, fn func(*Lead) error) error {
	r := &chunkRead{done: make(chan struct{})}
	buf := &a.bufs[a.n%2]
	a.n++
	go func() {
		defer close(r.done)
		r.leads, r.err = d.exportLeadsByIDs(ctx, ids, buf)
	}()
	prev := a.pending
	a.pending = r
	if prev == nil {
		return nil
	}
	return deliver(prev, fn)
}

// finish hands the last chunk to fn.
func (a *readAhead) finish(fn func(*Lead) error) error {
	if a.pending == nil {
		return nil
	}
	r := a.pending
	a.pending = nil
	return deliver(r, fn)
}

// wait lets a chunk still being read end before its buffer is dropped.
func (a *readAhead) wait() {
	if a.pending != nil {
		<-a.pending.done
	}
}

func deliver(r *chunkRead, fn func(*Lead) error) error {
	<-r.done
	if r.err != nil {
		return r.err
	}
	for _, l := range r.leads {
		if err := fn(l); err != nil {
			return err
		}
	}
	return nil
}

// exportChunk is how many leads an export reads at once.
const exportChunk = 1000

// exportLeadColumns are the columns of the CSV export (docs/design.md §3.5): reading only these keeps a
// million-row export quick. The activity figures are read per chunk (exportActivities).
const exportLeadColumns = `id, created_at, customer_company, contact_first_name, contact_last_name, contact_email, email_validity,
	contact_phone, phone_validity, country, COALESCE(source, ''), COALESCE(lead_type, ''), COALESCE(cta, ''),
	COALESCE(classification, ''), offer_id, offer_title, quality, status, COALESCE(outcome, ''), reason, deal_name, deal_value,
	currency, purchase_date, crm_id, campaign_id, notes, COALESCE(location_id, 0), COALESCE(owner_id, 0)`

// exportBuffer is one chunk's leads, reused from chunk to chunk.
type exportBuffer struct {
	leads []Lead
	at    map[int64]int // id → index in leads
	out   []*Lead
	args  []any
}

// exportLeadsByIDs reads the export's fields of leads, in the order of ids, into buf; the result is
// valid until the next call with buf.
func (d *DB) exportLeadsByIDs(ctx context.Context, ids []int64, buf *exportBuffer) ([]*Lead, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	buf.args = buf.args[:0]
	for _, id := range ids {
		buf.args = append(buf.args, id)
	}
	if buf.at == nil {
		buf.at = make(map[int64]int, len(ids))
	}
	clear(buf.at)
	buf.leads = slices.Grow(buf.leads[:0], len(ids))[:0]
	rows, err := d.QueryContext(ctx, `SELECT `+exportLeadColumns+` FROM leads WHERE id IN (`+placeholders(len(ids))+`)`, buf.args...)
	if err != nil {
		return nil, fmt.Errorf("db: export leads: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		buf.leads = append(buf.leads, Lead{})
		l := &buf.leads[len(buf.leads)-1]
		var created int64
		if err := rows.Scan(&l.ID, &created, &l.CustomerCompany, &l.ContactFirstName, &l.ContactLastName, &l.ContactEmail, &l.EmailValidity,
			&l.ContactPhone, &l.PhoneValidity, &l.Country, &l.Source, &l.LeadType, &l.CTA, &l.Classification, &l.OfferID, &l.OfferTitle,
			&l.Quality, &l.Status, &l.Outcome, &l.Reason, &l.DealName, &l.DealValue, &l.Currency, &l.PurchaseDate, &l.CRMID, &l.CampaignID,
			&l.Notes, &l.LocationID, &l.OwnerID); err != nil {
			return nil, fmt.Errorf("db: export leads: %w", err)
		}
		l.CreatedAt = time.Unix(created, 0).UTC()
		buf.at[l.ID] = len(buf.leads) - 1
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: export leads: %w", err)
	}
	rows.Close()
	if err := d.exportActivities(ctx, buf); err != nil {
		return nil, err
	}
	buf.out = buf.out[:0]
	for _, id := range ids {
		if i, ok := buf.at[id]; ok {
			buf.out = append(buf.out, &buf.leads[i])
		}
	}
	return buf.out, nil
}

// exportActivities fills the activity count and the last activity's time of buf's leads, in one
// query per chunk (most leads have none).
func (d *DB) exportActivities(ctx context.Context, buf *exportBuffer) error {
	rows, err := d.QueryContext(ctx, `SELECT lead_id, COUNT(*), MAX(at) FROM lead_activities WHERE lead_id IN (`+placeholders(len(buf.args))+`)
		GROUP BY lead_id`, buf.args...)
	if err != nil {
		return fmt.Errorf("db: export activities: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var n int
		var last sql.NullInt64
		if err := rows.Scan(&id, &n, &last); err != nil {
			return fmt.Errorf("db: export activities: %w", err)
		}
		if i, ok := buf.at[id]; ok {
			buf.leads[i].Activities, buf.leads[i].LastActivityAt = n, nullTime(last)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("db: export activities: %w", err)
	}
	return nil
}
