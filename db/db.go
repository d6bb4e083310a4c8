// Package db is Leaddesk's storage: one SQLite file through mattn/go-sqlite3, with embedded numbered
// migrations, literal parameterized SQL per table, and no knowledge of HTTP.
package db

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"leaddesk/db/leadindex"

	"github.com/mattn/go-sqlite3"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// ErrNotFound is returned when a row asked for does not exist.
var ErrNotFound = errors.New("db: not found")

// ErrConflict is returned when a row changed since it was read (a stale version) or a unique value is taken.
var ErrConflict = errors.New("db: conflict")

// DB is the open database with the components that live as long as it: the Leads list's index.
type DB struct {
	*sql.DB
	Path  string
	index *leadindex.Index
	memo  memo // answers of hot look-ups until the next commit (memo.go)
	opts  Options
	// PreUpgradeBackup is the backup Open wrote before applying migrations ("" when none were pending).
	PreUpgradeBackup string
}

// Options tune what Open builds beside the connection; the zero value is what the app uses.
type Options struct {
	LeadIndex leadindex.Options
	// BackupDir receives the automatic backup taken before migrations change an existing database;
	// default: backups/ beside the database.
	BackupDir string
}

// Close closes the lead index (releasing its connection) and then the database.
func (d *DB) Close() error {
	ierr := errors.Join(d.index.Close(), d.memo.close())
	if err := d.DB.Close(); err != nil {
		return fmt.Errorf("db: close: %w", err)
	}
	if ierr != nil {
		return fmt.Errorf("db: close lead index: %w", ierr)
	}
	return nil
}

// FileName is the database file inside the data directory.
const FileName = "leaddesk.db"

// busyTimeout is how long a statement waits for another connection's lock (the write lock, mostly)
// before it fails with "database is locked".
const busyTimeout = 10 * time.Second

// Open opens (creating if needed) the database at path and applies pending migrations.
// It refuses a database written by a newer Leaddesk.
func Open(ctx context.Context, path string) (*DB, error) {
	return OpenWith(ctx, path, Options{})
}

// OpenWith is Open with options (tests use them to reach rarely taken paths).
func OpenWith(ctx context.Context, path string, opts Options) (*DB, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("data directory %s cannot be created; it must be a writable directory (LEADDESK_DATA_DIR): %w", dir, pathReason(err))
		}
		if err := checkWritable(dir); err != nil {
			return nil, err
		}
	}
	// _txlock=immediate: every write transaction takes the write lock at BEGIN, so two writers wait on
	// busy_timeout instead of failing with SQLITE_BUSY halfway through. _stmt_cache_size keeps prepared
	// statements per connection, so hot inserts (intake, import) are not re-parsed every time.
	// _secure_delete=on: a deleted or overwritten row is zeroed in the file, so an erased person's data
	// does not linger in free pages (issue 19). _mutex=no: database/sql never uses one connection from two
	// goroutines at once, so SQLite's serialized mode only took and released a mutex around every step
	// and column read — a fifth of an export's CPU (perf), ≈ 10 % more Leads pages a second without it.
	// _cache_size=-512: half a megabyte of page cache per connection instead of SQLite's two. Reads
	// come from the operating system's file cache either way (a million leads are a 1 GB file, far
	// more than any connection's cache); the ten connections' caches were 20 MB of the server's
	// peak under load, now 5 (make bench: peak 368 → 349 MB, pages per second unchanged).
	dsn := "file:" + path + "?_journal_mode=WAL&_foreign_keys=on&_busy_timeout=" + strconv.FormatInt(busyTimeout.Milliseconds(), 10) + "&_synchronous=NORMAL&_txlock=immediate&cache=private&_stmt_cache_size=64&_secure_delete=on&_mutex=no&_cache_size=-512"
	sqldb, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, fmt.Errorf("db: open %s: %w", path, err)
	}
	// Ten: the lead index and the memo each keep one of their own, the request gate lets at most six
	// requests work at once, and the jobs need a couple.
	sqldb.SetMaxOpenConns(10)
	sqldb.SetMaxIdleConns(10)
	sqldb.SetConnMaxIdleTime(5 * time.Minute)
	d := &DB{DB: sqldb, Path: path, index: leadindex.New(sqldb, opts.LeadIndex), opts: opts}
	if err := sqldb.PingContext(ctx); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("db: open %s: %w", path, err)
	}
	if err := d.migrate(ctx); err != nil {
		sqldb.Close()
		return nil, err
	}
	// Keep the query planner's statistics current (bulk-loaded demo data has none), cheaply: a bounded
	// sample per index, only for tables that changed a lot.
	if _, err := d.ExecContext(ctx, `PRAGMA analysis_limit = 1000; PRAGMA optimize = 0x10002`); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("db: optimize %s: %w", path, err)
	}
	if err := d.ensureSearchIndex(ctx); err != nil {
		sqldb.Close()
		return nil, err
	}
	return d, nil
}

type migration struct {
	version int
	name    string
	sql     string
}

func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, n := range names {
		base := filepath.Base(n)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("db: migration %s: name must start with a number and '_'", base)
		}
		body, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: base, sql: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, fmt.Errorf("db: migrations %s and %s share a number", ms[i-1].name, ms[i].name)
		}
	}
	return ms, nil
}

// LatestVersion is the highest migration number this binary knows.
func LatestVersion() int {
	ms, err := loadMigrations(migrationFS)
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].version
}

// migrate applies each pending migration in its own transaction, recorded in schema_migrations.
func (d *DB) migrate(ctx context.Context) error { return d.migrateFS(ctx, migrationFS) }

func (d *DB) migrateFS(ctx context.Context, fsys fs.FS) error {
	if _, err := d.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("db: %s is not a readable Leaddesk database: %w", d.Path, err)
	}
	ms, err := loadMigrations(fsys)
	if err != nil {
		return err
	}
	var current int
	if err := d.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("db: read schema version: %w", err)
	}
	if len(ms) > 0 && current > ms[len(ms)-1].version {
		latest := ms[len(ms)-1].version
		if b := d.newestPreUpgrade(latest); b != "" {
			return fmt.Errorf("db: %s was written by a newer Leaddesk (schema %d, this binary knows up to %d): run the newer binary, or stop it and `leaddesk restore %s` (the backup taken before the upgrade)",
				d.Path, current, latest, b)
		}
		return fmt.Errorf("db: %s was written by a newer Leaddesk (schema %d, this binary knows up to %d): run the newer binary or restore a backup",
			d.Path, current, latest)
	}
	// An existing database is copied before the first pending migration touches it.
	if len(ms) > 0 && current > 0 && current < ms[len(ms)-1].version {
		if err := d.preUpgradeBackup(ctx, current); err != nil {
			return err
		}
	}
	for _, m := range ms {
		if m.version <= current {
			continue
		}
		if err := d.apply(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

func (d *DB) apply(ctx context.Context, m migration) error {
	tx, err := d.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("db: migration %s: %w", m.name, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return fmt.Errorf("db: migration %s failed and was rolled back: %w", m.name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		m.version, m.name, time.Now().Unix()); err != nil {
		return fmt.Errorf("db: record migration %s: %w", m.name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("db: commit migration %s: %w", m.name, err)
	}
	return nil
}

// SchemaVersion reports the applied schema version.
func (d *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := d.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("db: schema version: %w", err)
	}
	return v, nil
}

// InTx runs fn in one write transaction, committing when fn returns nil and rolling back otherwise.
func (d *DB) InTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := d.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("db: begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("db: commit: %w", err)
	}
	return nil
}

// checkWritable tries a file in dir, so a read-only data directory is named at start: SQLite would
// otherwise open the database read-only or fail later with "unable to open database file".
func checkWritable(dir string) error {
	f, err := os.CreateTemp(dir, ".leaddesk-write-check-*")
	if err != nil {
		return fmt.Errorf("data directory %s is not writable; it must be writable by the user running leaddesk (LEADDESK_DATA_DIR): %w", dir, pathReason(err))
	}
	f.Close()
	return os.Remove(f.Name())
}

// pathReason is the system's reason inside a path error ("permission denied"), since the path is
// already named in our message.
func pathReason(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Backup writes a consistent copy of the live database to dest through SQLite's online backup API,
// page batch by page batch, so the server keeps serving while it runs. dest must not exist.
func (d *DB) Backup(ctx context.Context, dest string) error {
	// The copy holds every lead, user and password hash: only the owner may read it (0600). Creating
	// the empty file first (SQLite takes an empty file as a new database) sets that mode before a
	// single page is written, and O_EXCL refuses to overwrite an existing file.
	f, err := os.OpenFile(dest, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("db: backup: %s already exists; choose a new file name", dest)
	}
	if err != nil {
		return fmt.Errorf("db: backup: %w", err)
	}
	f.Close()
	destDB, err := sql.Open("sqlite3", "file:"+dest)
	if err != nil {
		return fmt.Errorf("db: backup: open %s: %w", dest, err)
	}
	defer destDB.Close()
	destConn, err := destDB.Conn(ctx)
	if err != nil {
		return fmt.Errorf("db: backup: open %s: %w", dest, err)
	}
	defer destConn.Close()
	srcConn, err := d.Conn(ctx)
	if err != nil {
		return fmt.Errorf("db: backup: %w", err)
	}
	defer srcConn.Close()

	return destConn.Raw(func(dc any) error {
		return srcConn.Raw(func(sc any) error {
			dst, ok1 := dc.(*sqlite3.SQLiteConn)
			src, ok2 := sc.(*sqlite3.SQLiteConn)
			if !ok1 || !ok2 {
				return errors.New("db: backup: unexpected driver connection")
			}
			b, err := dst.Backup("main", src, "main")
			if err != nil {
				return fmt.Errorf("db: backup: %w", err)
			}
			for {
				done, err := b.Step(256)
				if err != nil {
					b.Close()
					return fmt.Errorf("db: backup: step: %w", err)
				}
				if done {
					break
				}
				if err := ctx.Err(); err != nil {
					b.Close()
					return err
				}
			}
			if err := b.Finish(); err != nil {
				return fmt.Errorf("db: backup: finish: %w", err)
			}
			return nil
		})
	})
}

// IsUniqueViolation reports whether err is a UNIQUE or PRIMARY KEY constraint failure.
func IsUniqueViolation(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey
	}
	return false
}

// Querier is what both *sql.DB and *sql.Tx offer, so a function can run inside or outside a transaction.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// NullInt64 turns a possibly-NULL column into a pointer.
func nullTime(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := time.Unix(n.Int64, 0).UTC()
	return &t
}

// unixOrNil stores an optional time.
func unixOrNil(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.Unix()
}
