package demo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// batchLeads is how many leads the generator hands the writer at a time.
const batchLeads = 8192

// bulkTables are the tables whose indexes are dropped during the load and rebuilt afterwards: one
// sort per index at the end is far cheaper than updating ten B-trees on every insert.
var bulkTables = []string{"leads", "lead_events"}

// loadLeads generates the leads on one goroutine while this one writes them, then rebuilds the
// indexes. The generator also boxes every value into the statements' argument lists, so the writer,
// which SQLite keeps busy, does as little else as possible.
func loadLeads(ctx context.Context, tx *sql.Tx, g *generator) error {
	indexes, err := dropIndexes(ctx, tx)
	if err != nil {
		return err
	}
	numberLater, err := dropChangeSeqTrigger(ctx, tx)
	if err != nil {
		return err
	}
	// FTS5 flushes its in-memory term buffer to a new segment every hashsize bytes and merges segments
	// as they pile up; a big buffer during the load means fewer segments and less merging.
	var hashsize int64 = 1 << 20 // FTS5's default
	if err := tx.QueryRowContext(ctx, `SELECT v FROM lead_search_config WHERE k = 'hashsize'`).Scan(&hashsize); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("demo: read search index settings: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO lead_search (lead_search, rank) VALUES ('hashsize', ?)`, 64<<20); err != nil {
		return fmt.Errorf("demo: search index settings: %w", err)
	}
	ins, err := prepareInserts(ctx, tx)
	if err != nil {
		return err
	}
	defer func() {
		for _, in := range ins {
			in.close()
		}
	}()

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
			b.flatten()
			select {
			case full <- b:
			case <-stop:
				return
			}
		}
	}()
	for b := range full {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		for t, in := range ins {
			if err := in.exec(b.args[t]); err != nil {
				return err
			}
		}
		free <- b
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO lead_search (lead_search, rank) VALUES ('hashsize', ?)`, hashsize); err != nil {
		return fmt.Errorf("demo: search index settings: %w", err)
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

func prepareInserts(ctx context.Context, tx *sql.Tx) ([]*bulkInsert, error) {
	// Per-row statements run without a cancellable context: go-sqlite3 starts a watcher goroutine for
	// every statement that has one. Cancellation is checked once per batch instead.
	quiet := context.WithoutCancel(ctx)
	ins := make([]*bulkInsert, 0, nTables)
	for _, s := range insertSQL {
		row := s.row
		if row == "" {
			row = "(" + strings.TrimSuffix(strings.Repeat("?, ", s.cols), ", ") + ")"
		}
		in := &bulkInsert{cols: s.cols, perStmt: max(1, 1000/s.cols), ctx: quiet}
		var err error
		if in.many, err = tx.PrepareContext(ctx, s.head+" VALUES "+strings.TrimSuffix(strings.Repeat(row+", ", in.perStmt), ", ")); err == nil {
			in.one, err = tx.PrepareContext(ctx, s.head+" VALUES "+row)
		}
		ins = append(ins, in)
		if err != nil {
			for _, in := range ins {
				in.close()
			}
			return nil, fmt.Errorf("demo: prepare: %w", err)
		}
	}
	return ins, nil
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
