-- Server-side sessions: the cookie carries a random id whose hash is stored here, so signing out (or
-- an expired session) ends the session on the server too; a copy of an old cookie no longer works.
CREATE TABLE sessions (
    id_hash    TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    seen_at    INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions (user_id);

-- One row that /healthz rewrites, so the health check makes a real, committed write (the counter
-- changes every time: SQLite skips writing a row whose bytes did not change).
CREATE TABLE health_checks (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    checks     INTEGER NOT NULL,
    checked_at INTEGER NOT NULL
);
