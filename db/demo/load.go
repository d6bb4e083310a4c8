package demo

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// batchLeads is how many leads the generator hands the writer at a time.
const batchLeads = 8192

// bulkTables are the tables whose indexes are dropped during the load and rebuilt afterwards: one
// sort per index at the end is far cheaper than updating ten B-trees on every insert.
var bulkTables = []string{"leads", "lead_events"}

// loadLeads generates the leads on one goroutine while this one writes them, then rebuilds the indexes.
func loadLeads(ctx context.Context, tx *sql.Tx, g *generator) error {
	indexes, err := dropIndexes(ctx, tx)
	if err != nil {
		return err
	}
	w, err := prepareWriter(ctx, tx)
	if err != nil {
		return err
	}
	defer w.close()

	full := make(chan *batch, 2)
	free := make(chan *batch, 3)
	for range 3 {
		free <- &batch{}
	}
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		defer close(full)
		for start := 0; start < g.n; start += batchLeads {
			var b *batch
			select {
			case b = <-free:
			case <-stop:
				return
			}
			b.reset()
			for i := start; i < min(start+batchLeads, g.n); i++ {
				g.next(i, b)
			}
			select {
			case full <- b:
			case <-stop:
				return
			}
		}
	}()
	var twait, twrite time.Duration
	for {
		t0 := time.Now()
		b, ok := <-full
		twait += time.Since(t0)
		if !ok {
			break
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		t1 := time.Now()
		if err := w.write(b); err != nil {
			return err
		}
		twrite += time.Since(t1)
		free <- b
	}
	t2 := time.Now()
	defer func() { println("TIMING wait", twait.String(), "write", twrite.String(), "index", time.Since(t2).String()) }()
	for _, ix := range indexes {
		if _, err := tx.ExecContext(ctx, ix); err != nil {
			return fmt.Errorf("demo: rebuild index: %w", err)
		}
	}
	return nil
}

// dropIndexes drops the bulk tables' own indexes (not the automatic ones behind UNIQUE and PRIMARY
// KEY constraints) and returns the statements that create them again, exactly as the migrations did.
func dropIndexes(ctx context.Context, tx *sql.Tx) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT name, sql FROM sqlite_master
		WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('`+strings.Join(bulkTables, "', '")+`') ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("demo: read indexes: %w", err)
	}
	var names, creates []string
	for rows.Next() {
		var name, create string
		if err := rows.Scan(&name, &create); err != nil {
			rows.Close()
			return nil, fmt.Errorf("demo: read indexes: %w", err)
		}
		names = append(names, name)
		creates = append(creates, create)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("demo: read indexes: %w", err)
	}
	for _, n := range names {
		if _, err := tx.ExecContext(ctx, `DROP INDEX "`+strings.ReplaceAll(n, `"`, `""`)+`"`); err != nil {
			return nil, fmt.Errorf("demo: drop index %s: %w", n, err)
		}
	}
	return creates, nil
}

// writer holds the prepared inserts of one load.
type writer struct {
	ctx                                           context.Context
	lead, search, event, team, contact, fav, item *sql.Stmt
	args                                          []any
}

func prepareWriter(ctx context.Context, tx *sql.Tx) (*writer, error) {
	// Per-row statements run without a cancellable context: go-sqlite3 starts a watcher goroutine for
	// every statement that has one. Cancellation is checked once per batch instead.
	w := &writer{ctx: context.WithoutCancel(ctx), args: make([]any, 0, 45)}
	for _, p := range []struct {
		stmt **sql.Stmt
		sql  string
	}{
		{&w.lead, `INSERT INTO leads (id, external_id, tab, classification, lead_type, source, cta, actionable, offer_id, offer_title,
			location_id, customer_company, contact_first_name, contact_last_name, contact_title, contact_email, contact_phone, country,
			city, description, quality, email_validity, phone_validity, customer_requested_contact, customer_consent, status, outcome,
			reason, reason_notes, deal_name, deal_value, currency, purchase_date, notes, crm_id, campaign_id, sender_name, sender_email,
			is_test, created_at, updated_at, accepted_at, archived_at, expires_at, version)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`},
		{&w.search, `INSERT INTO lead_search (rowid, terms) VALUES (?, ?)`},
		{&w.event, `INSERT INTO lead_events (lead_id, at, actor_user_id, actor_label, kind, changes) VALUES (?, ?, ?, ?, ?, ?)`},
		{&w.team, `INSERT INTO lead_team (lead_id, user_id) VALUES (?, ?)`},
		{&w.contact, `INSERT INTO lead_contacts (lead_id, kind, name, email, phone, created_at) VALUES (?, 'contact', ?, ?, ?, ?)`},
		{&w.fav, `INSERT INTO favorites (user_id, lead_id, created_at) VALUES (?, ?, ?)`},
		{&w.item, `INSERT INTO action_items (lead_id, kind, created_at, done_at) VALUES (?, ?, ?, ?)`},
	} {
		s, err := tx.PrepareContext(ctx, p.sql)
		if err != nil {
			w.close()
			return nil, fmt.Errorf("demo: prepare: %w", err)
		}
		*p.stmt = s
	}
	return w, nil
}

func (w *writer) close() {
	for _, s := range []*sql.Stmt{w.lead, w.search, w.event, w.team, w.contact, w.fav, w.item} {
		if s != nil {
			s.Close()
		}
	}
}

// null turns the generator's zero values into SQL NULL.
func nullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullInt(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

func (w *writer) write(b *batch) error {
	for i := range b.leads {
		l := &b.leads[i]
		a := append(w.args[:0], l.id, l.externalID, l.tab, nullText(l.classification), nullText(l.leadType), nullText(l.source),
			nullText(l.cta), l.actionable, l.offerID, l.offerTitle, nullInt(l.locationID), l.company, l.first, l.last, l.title,
			l.email, l.phone, l.country, l.city, l.description, l.quality, l.emailValidity, l.phoneValidity, l.flame, l.consent,
			l.status, nullText(l.outcome), l.reason, l.reasonNotes, l.dealName, l.dealValue, l.currency, l.purchaseDate, l.notes,
			l.crmID, l.campaignID, l.senderName, l.senderEmail, l.isTest, l.created, l.updated, nullInt(l.accepted),
			nullInt(l.archived), nullInt(l.expires), l.version)
		if _, err := w.lead.ExecContext(w.ctx, a...); err != nil {
			return fmt.Errorf("demo: insert lead %d: %w", l.id, err)
		}
		if _, err := w.search.ExecContext(w.ctx, l.id, l.terms); err != nil {
			return fmt.Errorf("demo: index lead %d: %w", l.id, err)
		}
	}
	for _, e := range b.events {
		if _, err := w.event.ExecContext(w.ctx, e.leadID, e.at, nullInt(e.actor), e.label, e.kind, e.change); err != nil {
			return fmt.Errorf("demo: lead %d event: %w", e.leadID, err)
		}
	}
	for _, t := range b.team {
		if _, err := w.team.ExecContext(w.ctx, t.a, t.b); err != nil {
			return fmt.Errorf("demo: lead %d team: %w", t.a, err)
		}
	}
	for _, c := range b.contacts {
		if _, err := w.contact.ExecContext(w.ctx, c.leadID, c.name, c.email, c.phone, c.created); err != nil {
			return fmt.Errorf("demo: lead %d contact: %w", c.leadID, err)
		}
	}
	for _, f := range b.favs {
		if _, err := w.fav.ExecContext(w.ctx, f.a, f.b, f.at); err != nil {
			return fmt.Errorf("demo: favourite: %w", err)
		}
	}
	for _, it := range b.items {
		if _, err := w.item.ExecContext(w.ctx, it.leadID, it.kind, it.created, nullInt(it.done)); err != nil {
			return fmt.Errorf("demo: lead %d action item: %w", it.leadID, err)
		}
	}
	return nil
}
