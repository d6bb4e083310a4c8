package db

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"
)

// memo keeps the answers of small, hot look-ups (the signed-in session and user, favourites, owners,
// saved views, response targets) for as long as the database stays as it was when they were read.
//
// Every page asks for them again, and each costs a round trip through cgo and the statement cache —
// together a fifth of a Leads page's time, for answers that change a few times a day. "As it was" is
// SQLite's own word for it: PRAGMA data_version, read on a connection of the memo's own that never
// writes, changes whenever any other connection, in this process or another (`leaddesk jobs`, the
// CLI), commits. So a kept answer is never older than the last commit: a revoked session, a
// colleague's new saved view or an un-hearted lead are seen by the very next request.
type memo struct {
	mu      sync.Mutex
	conn    *sql.Conn
	closed  bool
	version int64          // data_version when values were read
	values  map[string]any // key → answer, all of version
}

// memoMax bounds the answers kept between two commits (per user: a session, a user, favourites,
// saved views); past it they are all dropped and read again.
const memoMax = 4096

// current reads data_version, dropping every kept answer when it moved. ok is false when it cannot be
// read (the caller then asks the database itself).
func (m *memo) current(ctx context.Context, d *sql.DB) (version int64, ok bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return 0, false
	}
	if m.conn == nil {
		c, err := d.Conn(ctx)
		if err != nil {
			return 0, false
		}
		m.conn = c
	}
	var v int64
	if err := m.conn.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&v); err != nil {
		m.conn.Close()
		m.conn = nil
		return 0, false
	}
	if v != m.version || m.values == nil || len(m.values) > memoMax {
		m.version, m.values = v, map[string]any{}
	}
	return v, true
}

func (m *memo) get(key string, version int64) (any, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if version != m.version {
		return nil, false
	}
	v, ok := m.values[key]
	return v, ok
}

// put keeps an answer read at version (after current returned it): a commit since then has moved
// m.version on, and the answer is not kept.
func (m *memo) put(key string, version int64, v any) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if version == m.version && m.values != nil {
		m.values[key] = v
	}
}

func (m *memo) close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	if m.conn == nil {
		return nil
	}
	err := m.conn.Close()
	m.conn = nil
	return err
}

// remembered is load's answer for key, kept until the next commit anywhere (see memo). The answer is
// shared between requests: callers must not change it.
func remembered[T any](ctx context.Context, d *DB, key string, load func(context.Context) (T, error)) (T, error) {
	version, ok := d.memo.current(ctx, d.DB)
	if ok {
		if v, hit := d.memo.get(key, version); hit {
			return v.(T), nil
		}
	}
	v, err := load(ctx)
	if err == nil && ok {
		d.memo.put(key, version, v)
	}
	return v, err
}

// SessionRemembered is SessionBySecret, kept until the next commit.
func (d *DB) SessionRemembered(ctx context.Context, secret string) (*Session, error) {
	return remembered(ctx, d, "session:"+HashToken(secret), func(ctx context.Context) (*Session, error) {
		return d.SessionBySecret(ctx, secret)
	})
}

// UserRemembered is UserByID, kept until the next commit; the user is shared, not to be changed.
func (d *DB) UserRemembered(ctx context.Context, id int64) (*User, error) {
	return remembered(ctx, d, fmt.Sprintf("user:%d", id), func(ctx context.Context) (*User, error) {
		return d.UserByID(ctx, id)
	})
}

// OwnersRemembered is Owners, kept until the next commit.
func (d *DB) OwnersRemembered(ctx context.Context) ([]Owner, error) {
	return remembered(ctx, d, "owners", d.Owners)
}

// SavedViewsRemembered is SavedViews, kept until the next commit; the views are shared, not to be
// changed.
func (d *DB) SavedViewsRemembered(ctx context.Context, userID int64) ([]*SavedView, error) {
	return remembered(ctx, d, fmt.Sprintf("saved-views:%d", userID), func(ctx context.Context) ([]*SavedView, error) {
		return d.SavedViews(ctx, userID)
	})
}

// favoriteIDsRemembered is FavoriteIDs, kept until the next commit.
func (d *DB) favoriteIDsRemembered(ctx context.Context, userID int64) ([]int64, error) {
	return remembered(ctx, d, fmt.Sprintf("favorites:%d", userID), func(ctx context.Context) ([]int64, error) {
		return d.FavoriteIDs(ctx, userID)
	})
}

// SLASettingsRemembered is SLASettings, kept until the next commit; shared, not to be changed.
func (d *DB) SLASettingsRemembered(ctx context.Context, loc *time.Location) (*SLASettings, error) {
	return remembered(ctx, d, "sla:"+loc.String(), func(ctx context.Context) (*SLASettings, error) {
		return d.SLASettings(ctx, loc)
	})
}
