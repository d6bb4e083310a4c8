package demo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// The search index is built aside, on the core the generator leaves idle: FTS5's tokenising and
// segment writing cost about as much as writing the leads themselves, and SQLite writes one table at a
// time per database file. So a second connection builds lead_search in a scratch database next to
// the data file, with the same statements in the same order as the load would run them on the main
// database, and the load then copies its shadow tables (the index's whole state) into the main
// database's, inside the seed's one transaction. The result is the index the main connection would
// have built, page for page.

// searchShadow are lead_search's shadow tables (contentless_delete=1: data, idx, docsize, config).
var searchShadow = []string{"lead_search_config", "lead_search_data", "lead_search_idx", "lead_search_docsize"}

// loadSettings are FTS5's settings while the index is built aside. FTS5 flushes its in-memory term
// buffer to a new segment every hashsize bytes, and merges segments as they pile up (automerge,
// crisismerge), rewriting every term once per level. During the load a big buffer and no merging
// until the end, then one merge of all segments into one ('optimize'), write each term's list
// about once: a third less work for the index, and a single segment for searches to read. Afterwards
// the settings are as before the load (see run).
var loadSettings = []struct {
	k string
	v int64
}{{"hashsize", 64 << 20}, {"automerge", 0}, {"crisismerge", 64}}

// searchAside is the scratch database and the connection that builds the index in it.
type searchAside struct {
	path     string
	db       *sql.DB
	tx       *sql.Tx
	ins      *bulkInsert
	settings [][]any // lead_search_config's rows other than version before the load: k, v
}

// newSearchAside creates the scratch database in dir with lead_search as the main database defines
// it and with its settings (read through main), and begins the load there.
func newSearchAside(ctx context.Context, main *sql.Tx, dir string) (_ *searchAside, err error) {
	var create string
	if err := main.QueryRowContext(ctx, `SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'lead_search'`).Scan(&create); err != nil {
		return nil, fmt.Errorf("demo: read search index: %w", err)
	}
	settings, err := queryRows(ctx, main, `SELECT k, v FROM lead_search_config WHERE k <> 'version' ORDER BY k`)
	if err != nil {
		return nil, fmt.Errorf("demo: read search index settings: %w", err)
	}
	f, err := os.CreateTemp(dir, ".demo-search-*.db")
	if err != nil {
		return nil, fmt.Errorf("demo: scratch search index: %w", err)
	}
	f.Close()
	s := &searchAside{path: f.Name()}
	defer func() {
		if err != nil {
			s.close()
		}
	}()
	// Scratch data: no journal, no fsync; one connection, used by one goroutine at a time, so SQLite
	// need not lock it on every call.
	if s.db, err = sql.Open("sqlite3", "file:"+filepath.ToSlash(s.path)+"?_journal_mode=OFF&_synchronous=OFF&_mutex=no"); err != nil {
		return nil, fmt.Errorf("demo: scratch search index: %w", err)
	}
	s.db.SetMaxOpenConns(1)
	if _, err := s.db.ExecContext(ctx, create); err != nil {
		return nil, fmt.Errorf("demo: scratch search index: %w", err)
	}
	if s.tx, err = s.db.BeginTx(ctx, nil); err != nil {
		return nil, fmt.Errorf("demo: scratch search index: %w", err)
	}
	s.settings = settings
	for _, kv := range settings {
		if _, err := s.tx.ExecContext(ctx, `INSERT INTO lead_search (lead_search, rank) VALUES (?, ?)`, kv[0], kv[1]); err != nil {
			return nil, fmt.Errorf("demo: search index setting %v: %w", kv[0], err)
		}
	}
	for _, kv := range loadSettings {
		if _, err := s.tx.ExecContext(ctx, `INSERT INTO lead_search (lead_search, rank) VALUES (?, ?)`, kv.k, kv.v); err != nil {
			return nil, fmt.Errorf("demo: search index setting %s: %w", kv.k, err)
		}
	}
	ins, err := prepareInserts(ctx, s.tx, []int{tSearch})
	if err != nil {
		return nil, err
	}
	s.ins = ins[0]
	return s, nil
}

// run indexes the batches' search rows until in closes, handing each batch back with done, then
// merges the index and commits it, unless stop closed (the load failed). After an error it only hands
// the batches back, so the generator never waits on it; the error is answered at the end.
func (s *searchAside) run(ctx context.Context, in <-chan *batch, done func(*batch), stop <-chan struct{}) error {
	var err error
	for b := range in {
		if err == nil {
			err = s.ins.exec(b.args[tSearch])
		}
		done(b)
	}
	if err != nil {
		return err
	}
	select {
	case <-stop:
		return errors.New("demo: search index: the load stopped")
	default:
	}
	if _, err := s.tx.ExecContext(ctx, `INSERT INTO lead_search (lead_search) VALUES ('optimize')`); err != nil {
		return fmt.Errorf("demo: merge search index: %w", err)
	}
	if err := s.restoreSettings(ctx); err != nil {
		return err
	}
	s.ins.close()
	s.ins = nil
	if err := s.tx.Commit(); err != nil {
		return fmt.Errorf("demo: search index: %w", err)
	}
	s.tx = nil
	return nil
}

// restoreSettings puts lead_search_config back as it was before the load, as a fresh database has it
// (TestSeedLeavesTheSchemaAsMigrationsMakeIt): the rows are written directly, since through FTS5 a
// setting can be changed but not removed. Nothing uses the scratch index through
// FTS5 after this; its shadow tables are only copied.
func (s *searchAside) restoreSettings(ctx context.Context) error {
	rows := s.settings
	for _, kv := range loadSettings {
		if _, err := s.tx.ExecContext(ctx, `DELETE FROM lead_search_config WHERE k = ?`, kv.k); err != nil {
			return fmt.Errorf("demo: search index settings: %w", err)
		}
	}
	for _, kv := range rows {
		if _, err := s.tx.ExecContext(ctx, `INSERT OR REPLACE INTO lead_search_config (k, v) VALUES (?, ?)`, kv[0], kv[1]); err != nil {
			return fmt.Errorf("demo: search index settings: %w", err)
		}
	}
	return nil
}

// copyInto replaces the main database's (empty) search index with the one built aside, shadow table
// by shadow table, in main's transaction. The connection main runs on must not use lead_search
// before this in the same transaction, and must not be used again afterwards: FTS5 keeps the index's
// structure cached per connection and does not see its own connection write the shadow tables.
func (s *searchAside) copyInto(ctx context.Context, main *sql.Tx) error {
	for _, table := range searchShadow {
		cols, err := queryRows(ctx, s.db, `SELECT name FROM pragma_table_info(?) ORDER BY cid`, table)
		if err != nil || len(cols) == 0 {
			return fmt.Errorf("demo: copy search index %s: %v columns, %w", table, len(cols), err)
		}
		names := make([]string, len(cols))
		for i, c := range cols {
			names[i] = `"` + c[0].(string) + `"`
		}
		list := strings.Join(names, ", ")
		if _, err := main.ExecContext(ctx, `DELETE FROM "`+table+`"`); err != nil {
			return fmt.Errorf("demo: copy search index %s: %w", table, err)
		}
		in, err := prepareInsert(ctx, main, `INSERT INTO "`+table+`" (`+list+`)`, len(cols), "")
		if err != nil {
			return err
		}
		err = copyRows(ctx, s.db, `SELECT `+list+` FROM "`+table+`"`, in)
		in.close()
		if err != nil {
			return fmt.Errorf("demo: copy search index %s: %w", table, err)
		}
	}
	return nil
}

// copyRows inserts every row of query (on from) with in, many at a time.
func copyRows(ctx context.Context, from *sql.DB, query string, in *bulkInsert) error {
	rows, err := from.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	vals := make([]any, in.cols)
	ptrs := make([]any, in.cols)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	args := make([]any, 0, in.cols*in.perStmt)
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		args = append(args, vals...)
		if len(args) == cap(args) {
			if err := in.exec(args); err != nil {
				return err
			}
			args = args[:0]
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return in.exec(args)
}

// close ends the scratch connection and removes the scratch database.
func (s *searchAside) close() {
	if s.ins != nil {
		s.ins.close()
	}
	if s.tx != nil {
		s.tx.Rollback()
	}
	if s.db != nil {
		s.db.Close()
	}
	for _, p := range []string{s.path, s.path + "-journal", s.path + "-wal", s.path + "-shm"} {
		os.Remove(p) // best effort: most do not exist, and one left behind is only disk space
	}
}

// queryRows answers every row of query as its column values.
func queryRows(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, query string, args ...any) ([][]any, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out [][]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				vals[i] = string(b)
			}
		}
		out = append(out, vals)
	}
	return out, rows.Err()
}
