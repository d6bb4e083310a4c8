package demo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// batchLeads is how many leads the generator hands the writers at a time.
const batchLeads = 8192

// bulkTables are the tables whose indexes are dropped during the load and rebuilt afterwards: one
// sort per index at the end is far cheaper than updating ten B-trees on every insert.
var bulkTables = []string{"leads", "lead_events"}

// loadLeads generates the leads on one goroutine while this one writes them and a third builds the
// search index aside (searchAside, in a scratch database in dir), then rebuilds the indexes and copies
// the search index in. The generator also boxes every value into the statements' argument lists, so
// the writers, which SQLite keeps busy, do as little else as possible.
func loadLeads(ctx context.Context, tx *sql.Tx, g *generator, dir string) error {
	indexes, err := dropIndexes(ctx, tx)
	if err != nil {
		return err
	}
	numberLater, err := dropChangeSeqTrigger(ctx, tx)
	if err != nil {
		return err
	}
	search, err := newSearchAside(ctx, tx, dir)
	if err != nil {
		return err
	}
	defer search.close()
	var tables []int
	for t := range nTables {
		if t != tSearch {
			tables = append(tables, t)
		}
	}
	ins, err := prepareInserts(ctx, tx, tables)
	if err != nil {
		return err
	}
	defer func() {
		for _, in := range ins {
			in.close()
		}
	}()

	// Each batch goes to both writers and back to the generator when both are done with it.
	const batches = 4
	full, toSearch := make(chan *batch, batches), make(chan *batch, batches)
	free := make(chan *batch, batches)
	for range batches {
		free <- &batch{}
	}
	done := func(b *batch) {
		if b.pending.Add(-1) == 0 {
			free <- b
		}
	}
	stop := make(chan struct{})
	generated := make(chan struct{})
	go func() {
		defer close(generated)
		defer close(full)
		defer close(toSearch)
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
			b.flatten()
			b.pending.Store(2)
			full <- b // both have room: there are only as many batches as either channel holds
			toSearch <- b
		}
	}()
	searched := make(chan error, 1)
	go func() { searched <- search.run(ctx, toSearch, done, stop) }()
	// On the way out, early or not, the generator and the search writer stop before the scratch
	// database closes.
	defer func() {
		close(stop)
		for b := range full {
			done(b)
		}
		<-generated
		<-searched
	}()
	for b := range full {
		if err := ctx.Err(); err != nil {
			done(b)
			return fmt.Errorf("demo: %w", err)
		}
		for i, in := range ins {
			if err := in.exec(b.args[tables[i]]); err != nil {
				done(b)
				return err
			}
		}
		done(b)
	}
	if numberLater != "" {
		if err := numberChanges(ctx, tx, numberLater); err != nil {
			return err
		}
	}
	// A smaller cache now writes the loaded pages out and makes the index sorts spill into several
	// runs, which SQLite sorts on its worker threads (PRAGMA threads) instead of one.
	if _, err := tx.ExecContext(ctx, `PRAGMA cache_size = -65536`); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	for _, ix := range indexes {
		if _, err := tx.ExecContext(ctx, ix); err != nil {
			return fmt.Errorf("demo: rebuild index: %w", err)
		}
	}
	err = <-searched
	searched <- nil // for the deferred wait
	if err != nil {
		return err
	}
	return search.copyInto(ctx, tx)
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

// changeSeqTriggerSQL is the trigger of migration 0013 that numbers every insert into leads in
// lead_change_seq, for the lead index. Per lead it costs an UPDATE and an indexed INSERT, about a
// third of writing the lead; the load drops it and numbers the leads all at once afterwards
// (numberChanges). Only this exact trigger is replayed: if a migration changes it, the load keeps it.
const changeSeqTriggerSQL = `CREATE TRIGGER leads_changed_insert AFTER INSERT ON leads BEGIN
    UPDATE lead_changes SET n = n + 1 WHERE id = 1;
    INSERT INTO lead_change_seq (lead_id, seq) VALUES (NEW.id, (SELECT n FROM lead_changes WHERE id = 1))
        ON CONFLICT (lead_id) DO UPDATE SET seq = excluded.seq;
END`

// dropChangeSeqTrigger drops the change-numbering trigger when it is the one numberChanges replays,
// and returns the statement that creates it again ("" when it was left alone).
func dropChangeSeqTrigger(ctx context.Context, tx *sql.Tx) (string, error) {
	var create string
	err := tx.QueryRowContext(ctx, `SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'leads_changed_insert'`).Scan(&create)
	if errors.Is(err, sql.ErrNoRows) || err == nil && create != changeSeqTriggerSQL {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("demo: read trigger: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DROP TRIGGER leads_changed_insert`); err != nil {
		return "", fmt.Errorf("demo: drop trigger: %w", err)
	}
	return create, nil
}

// numberChanges does at once what the change-numbering trigger does lead by lead: the writer inserted
// the leads in id order, so the k-th gets the counter's value before the load plus k, and the counter
// moves on by the number of leads. Then the trigger is back.
func numberChanges(ctx context.Context, tx *sql.Tx, createTrigger string) error {
	for _, q := range []string{
		`INSERT INTO lead_change_seq (lead_id, seq)
			SELECT id, (SELECT n FROM lead_changes WHERE id = 1) + ROW_NUMBER() OVER (ORDER BY id) FROM leads WHERE true
			ON CONFLICT (lead_id) DO UPDATE SET seq = excluded.seq`,
		`UPDATE lead_changes SET n = n + (SELECT COUNT(*) FROM leads) WHERE id = 1`,
		createTrigger,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("demo: number the lead changes: %w", err)
		}
	}
	return nil
}

// The tables a batch fills, in the order they are written (leads before the rows that point at them).
const (
	tLeads = iota
	tSearch
	tEvents
	tTeam
	tContacts
	tFavorites
	tItems
	tAnonymised
	nTables
)

var insertSQL = [nTables]struct {
	head string
	cols int
	row  string // VALUES tuple when it is not all placeholders
}{
	tLeads: {`INSERT INTO leads (id, external_id, tab, classification, lead_type, source, cta, actionable, offer_id, offer_title,
		location_id, customer_company, contact_first_name, contact_last_name, contact_title, contact_email, contact_phone, country,
		city, description, quality, email_validity, phone_validity, customer_requested_contact, customer_consent, status, outcome,
		reason, reason_notes, deal_name, deal_value, currency, purchase_date, notes, crm_id, campaign_id, sender_name, sender_email,
		is_test, created_at, updated_at, accepted_at, archived_at, expires_at, version)`, 45, ""},
	tSearch:     {`INSERT INTO lead_search (rowid, terms)`, 2, ""},
	tEvents:     {`INSERT INTO lead_events (lead_id, at, actor_user_id, actor_label, kind, changes)`, 6, ""},
	tTeam:       {`INSERT INTO lead_team (lead_id, user_id)`, 2, ""},
	tContacts:   {`INSERT INTO lead_contacts (lead_id, kind, name, email, phone, created_at)`, 5, "(?, 'contact', ?, ?, ?, ?)"},
	tFavorites:  {`INSERT INTO favorites (user_id, lead_id, created_at)`, 3, ""},
	tItems:      {`INSERT INTO action_items (lead_id, kind, created_at, done_at)`, 4, ""},
	tAnonymised: {`INSERT INTO lead_anonymised (lead_id, at, cause)`, 2, "(?, ?, 'retention')"},
}

// bulkInsert writes many rows per statement (fewer statement runs, far less per-row overhead) and
// the remainder one by one.
type bulkInsert struct {
	cols, perStmt int
	many, one     *sql.Stmt
	ctx           context.Context
}

// prepareInserts prepares the inserts of tables (indexes into insertSQL), in that order.
func prepareInserts(ctx context.Context, tx *sql.Tx, tables []int) ([]*bulkInsert, error) {
	ins := make([]*bulkInsert, 0, len(tables))
	for _, t := range tables {
		s := insertSQL[t]
		in, err := prepareInsert(ctx, tx, s.head, s.cols, s.row)
		if err != nil {
			for _, in := range ins {
				in.close()
			}
			return nil, err
		}
		ins = append(ins, in)
	}
	return ins, nil
}

// prepareInsert prepares head (INSERT INTO t (cols…)) with many and with one VALUES tuple of row, or
// of cols placeholders when row is "".
func prepareInsert(ctx context.Context, tx *sql.Tx, head string, cols int, row string) (*bulkInsert, error) {
	if row == "" {
		row = "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	}
	// Per-row statements run without a cancellable context: go-sqlite3 starts a watcher goroutine for
	// every statement that has one. Cancellation is checked once per batch instead.
	in := &bulkInsert{cols: cols, perStmt: max(1, 1000/cols), ctx: context.WithoutCancel(ctx)}
	var err error
	if in.many, err = tx.PrepareContext(ctx, head+" VALUES "+strings.TrimSuffix(strings.Repeat(row+", ", in.perStmt), ", ")); err == nil {
		in.one, err = tx.PrepareContext(ctx, head+" VALUES "+row)
	}
	if err != nil {
		in.close()
		return nil, fmt.Errorf("demo: prepare: %w", err)
	}
	return in, nil
}

func (in *bulkInsert) exec(args []any) error {
	step := in.cols * in.perStmt
	for len(args) >= step {
		if _, err := in.many.ExecContext(in.ctx, args[:step]...); err != nil {
			return fmt.Errorf("demo: bulk insert: %w", err)
		}
		args = args[step:]
	}
	for ; len(args) > 0; args = args[in.cols:] {
		if _, err := in.one.ExecContext(in.ctx, args[:in.cols]...); err != nil {
			return fmt.Errorf("demo: insert: %w", err)
		}
	}
	return nil
}

func (in *bulkInsert) close() {
	for _, s := range []*sql.Stmt{in.many, in.one} {
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

// flatten turns the batch's rows into the argument lists of the inserts.
func (b *batch) flatten() {
	for i := range b.leads {
		l := &b.leads[i]
		b.args[tLeads] = append(b.args[tLeads], l.id, l.externalID, l.tab, nullText(l.classification), nullText(l.leadType),
			nullText(l.source), nullText(l.cta), l.actionable, l.offerID, l.offerTitle, nullInt(l.locationID), l.company, l.first,
			l.last, l.title, l.email, l.phone, l.country, l.city, l.description, l.quality, l.emailValidity, l.phoneValidity,
			l.flame, l.consent, l.status, nullText(l.outcome), l.reason, l.reasonNotes, l.dealName, l.dealValue, l.currency,
			l.purchaseDate, l.notes, l.crmID, l.campaignID, l.senderName, l.senderEmail, l.isTest, l.created, l.updated,
			nullInt(l.accepted), nullInt(l.archived), nullInt(l.expires), l.version)
		b.args[tSearch] = append(b.args[tSearch], l.id, l.terms)
	}
	for _, e := range b.events {
		b.args[tEvents] = append(b.args[tEvents], e.leadID, e.at, nullInt(e.actor), e.label, e.kind, e.change)
	}
	for _, t := range b.team {
		b.args[tTeam] = append(b.args[tTeam], t.a, t.b)
	}
	for _, c := range b.contacts {
		b.args[tContacts] = append(b.args[tContacts], c.leadID, c.name, c.email, c.phone, c.created)
	}
	for _, f := range b.favs {
		b.args[tFavorites] = append(b.args[tFavorites], f.a, f.b, f.at)
	}
	for _, it := range b.items {
		b.args[tItems] = append(b.args[tItems], it.leadID, it.kind, it.created, nullInt(it.done))
	}
	for _, a := range b.anonymised {
		b.args[tAnonymised] = append(b.args[tAnonymised], a.a, a.b)
	}
}
