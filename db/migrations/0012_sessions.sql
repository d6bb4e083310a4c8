-- Server-side sessions: the cookie carries a random id whose hash is stored here, so signing out (or
-- an expired session) ends the session on the server too; a copy of an old cookie no longer works.
CREATE TABLE sessions (
    id_hash    TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    seen_at    INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions (user_id);
