// Package demo fills an empty Leaddesk database with realistic, deterministic demo data: users for every
// role, a business profile, and leads from 30+ countries in every kind, state and outcome of docs/design.md §3,
// with their timelines, teams, favourites, Action Center items and search index. It is what
// `leaddesk demo` runs, and it is fast enough for a million leads (bulk load with the leads indexes
// dropped and rebuilt afterwards).
package demo

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"path/filepath"
	"time"

	"golang.org/x/crypto/bcrypt"

	"leaddesk/db"
	"leaddesk/internal/password"
)

// Options says how much demo data to make.
type Options struct {
	Leads int       // default 2000 when 0
	Seed  int64     // default 1 when 0
	Now   time.Time // "today"; zero = time.Now()
}

// SignIn is one demo account, printed so people can try each role.
type SignIn struct {
	Email, Password, Name string
	Roles                 []string
}

// Result reports what Seed made.
type Result struct {
	Leads   int
	SignIns []SignIn
	Took    time.Duration
}

// demoUsers are one account per role plus one with every role. Passwords are fixed and printed:
// this is demo data, and the addresses are under the reserved .test domain.
var demoUsers = []struct {
	SignIn
	lang string
}{
	{SignIn{"referrals@demo.leaddesk.test", "demo-referrals-2026", "Aiko Tanaka", []string{db.RoleReferrals}}, "ja"},
	{SignIn{"profile@demo.leaddesk.test", "demo-profile-2026", "Lukas Schneider", []string{db.RoleProfile}}, "en"},
	{SignIn{"account@demo.leaddesk.test", "demo-account-2026", "Maya Patel", []string{db.RoleAccount}}, ""},
	{SignIn{"admin@demo.leaddesk.test", "demo-admin-2026", "Kenji Sato", []string{db.RoleReferrals, db.RoleProfile, db.RoleAccount}}, "ja"},
}

// Seed fills an empty database (no users and no leads) with demo data, deterministically for the same
// options. Everything is written in one transaction, so a failed or cancelled Seed leaves the
// database as empty as it found it.
func Seed(ctx context.Context, d *db.DB, opts Options) (*Result, error) {
	return seed(ctx, d, opts, defaultRetention())
}

// seed is Seed under the given retention rules; the tests seed without any, to compare the demo's
// retired leads with what the app's retention job makes of the same leads.
func seed(ctx context.Context, d *db.DB, opts Options, rules retention) (*Result, error) {
	began := time.Now()
	if opts.Leads == 0 {
		opts.Leads = 2000
	}
	if opts.Leads < 0 {
		return nil, fmt.Errorf("demo: number of leads must be positive, not %d", opts.Leads)
	}
	if opts.Seed == 0 {
		opts.Seed = 1
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	opts.Now = opts.Now.UTC().Truncate(time.Second)

	// Hash before taking the write lock; bcrypt's minimum cost keeps this quick.
	hashes := make([]string, len(demoUsers))
	for i, u := range demoUsers {
		h, err := password.HashWithCost(u.Password, bcrypt.MinCost)
		if err != nil {
			return nil, fmt.Errorf("demo: hash password: %w", err)
		}
		hashes[i] = h
	}

	conn, err := d.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	defer conn.Close()
	restore, err := bulkPragmas(ctx, conn)
	if err != nil {
		return nil, err
	}
	defer restore()

	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("demo: begin: %w", err)
	}
	defer tx.Rollback()
	var users, leads int
	if err := tx.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM users), (SELECT COUNT(*) FROM leads)`).Scan(&users, &leads); err != nil {
		return nil, fmt.Errorf("demo: check that the database is empty: %w", err)
	}
	if users > 0 || leads > 0 {
		return nil, fmt.Errorf("demo: the data directory is not empty (%s already has %d users and %d leads); demo data goes only into a new, empty data directory", d.Path, users, leads)
	}

	res := &Result{Leads: opts.Leads}
	ids := make([]int64, len(demoUsers))
	for i, u := range demoUsers {
		du := &db.User{Email: u.Email, Name: u.Name, PasswordHash: hashes[i], Lang: u.lang, Roles: u.Roles,
			CreatedAt: opts.Now.Add(-time.Duration(span) * time.Second)}
		if err := db.CreateUserTx(ctx, tx, du); err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
		ids[i] = du.ID
		res.SignIns = append(res.SignIns, u.SignIn)
	}
	locations, err := seedProfile(ctx, tx, opts.Now, ids)
	if err != nil {
		return nil, err
	}
	// Referrals admins answer leads; anyone may be on a deal's team.
	actors := []int64{ids[0], ids[3]}
	g := newGenerator(opts.Seed, opts.Leads, opts.Now, actors, ids, actors, locations, rules)
	if err := loadLeads(ctx, tx, g, filepath.Dir(d.Path)); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("demo: commit: %w", err)
	}
	// Fold the big write-ahead log back into the database file, so it does not stay on disk.
	if _, err := conn.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return nil, fmt.Errorf("demo: checkpoint: %w", err)
	}
	res.Took = time.Since(began)
	return res, nil
}

// bulkPragmas makes this connection fast for a one-off bulk load and returns a function that puts the
// database's journal mode back and drops the connection, so it never returns to the pool:
//   - no fsync (a crash during a demo load loses only demo data);
//   - a large page cache, and in-memory, two-threaded sorting for the index rebuild;
//   - no per-row foreign-key lookups or CHECK constraints: the generator only writes consistent rows
//     (its tests check every code it writes);
//   - a rollback journal instead of the write-ahead log while loading: the tables start empty, so the
//     journal holds only a few pages, where WAL would write every page twice (log, then checkpoint).
//     The switch needs no other connection reading; when one is, the load simply stays in WAL mode.
//
// The journal mode is the database file's; the rest are this connection's, and go with it. Dropping
// it is also what the search index copied in needs: FTS5 caches an index's structure per connection
// and does not see its own connection write the shadow tables (searchAside.copyInto).
func bulkPragmas(ctx context.Context, conn *sql.Conn) (func(), error) {
	var journal string
	if err := conn.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&journal); err != nil {
		return nil, fmt.Errorf("demo: read pragma journal_mode: %w", err)
	}
	drop := func() { conn.Raw(func(any) error { return driver.ErrBadConn }) }
	for _, s := range []string{`PRAGMA synchronous = OFF`, `PRAGMA cache_size = -1048576`, `PRAGMA foreign_keys = OFF`,
		`PRAGMA ignore_check_constraints = ON`, `PRAGMA temp_store = MEMORY`, `PRAGMA threads = 2`} {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			drop()
			return nil, fmt.Errorf("demo: %s: %w", s, err)
		}
	}
	conn.ExecContext(ctx, `PRAGMA journal_mode = DELETE`) // best effort, see above
	return func() {
		// The caller's context may be cancelled by now; the file still needs its journal mode back.
		conn.ExecContext(context.Background(), `PRAGMA journal_mode = `+journal)
		drop()
	}, nil
}
