-- 0030: the Partner Center Referrals sync (issue 14).

-- The one connection: the refresh token sealed with a key that is not in the database (secretkey), so
-- neither a copy of the database nor a backup holds the grant in clear; the pull's watermark; the
-- webhook receiver's URL secret.
CREATE TABLE pc_connection (
    id                   INTEGER PRIMARY KEY CHECK (id = 1),
    refresh_token_sealed TEXT    NOT NULL DEFAULT '',
    connected_at         INTEGER,
    connected_by         INTEGER REFERENCES users(id) ON DELETE SET NULL,
    revoked_at           INTEGER,                   -- Entra refused the grant: reconnect
    revoked_error        TEXT    NOT NULL DEFAULT '',
    webhook_secret       TEXT    NOT NULL DEFAULT '',
    pull_cursor          TEXT    NOT NULL DEFAULT '', -- RFC 3339: largest updatedDateTime fully stored
    last_pull_at         INTEGER,
    last_pull_count      INTEGER NOT NULL DEFAULT 0,
    last_pull_error      TEXT    NOT NULL DEFAULT ''
);

-- A connect in flight: the state and PKCE verifier stay on the server, for ten minutes at most.
CREATE TABLE pc_auth_requests (
    state      TEXT    PRIMARY KEY,
    verifier   TEXT    NOT NULL,
    user_id    INTEGER REFERENCES users(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;

-- The leads that came from Partner Center, keyed by the referral id, with what the sync knows.
CREATE TABLE pc_referrals (
    lead_id       INTEGER PRIMARY KEY REFERENCES leads(id) ON DELETE CASCADE,
    referral_id   TEXT    NOT NULL UNIQUE,
    etag          TEXT    NOT NULL DEFAULT '',
    pc_updated_at TEXT    NOT NULL DEFAULT '',      -- the referral's updatedDateTime, RFC 3339
    state         TEXT    NOT NULL DEFAULT 'in_sync' CHECK (state IN ('in_sync', 'pending', 'failed', 'conflict')),
    error         TEXT    NOT NULL DEFAULT '',      -- Partner Center's answer of a permanent failure
    conflict      TEXT    NOT NULL DEFAULT '',      -- JSON: both sides' values
    last_sync_at  INTEGER
);
CREATE INDEX pc_referrals_state ON pc_referrals(state) WHERE state <> 'in_sync';

-- The durable sync queue (the outbox pattern of the mail): a push is written in the transaction of the
-- lead change it carries; a fetch by the webhook receiver. One sender claims rows with a lease.
CREATE TABLE pc_sync_queue (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL CHECK (kind IN ('push', 'fetch')),
    lead_id         INTEGER REFERENCES leads(id) ON DELETE CASCADE,
    referral_id     TEXT    NOT NULL,
    ops             TEXT    NOT NULL DEFAULT '[]',  -- JSON Patch
    base            TEXT    NOT NULL DEFAULT '{}',  -- JSON: the fields before and after, to judge a 412
    status          TEXT    NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sending', 'done', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT    NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    done_at         INTEGER
);
CREATE INDEX pc_sync_queue_due ON pc_sync_queue(status, next_attempt_at);
CREATE INDEX pc_sync_queue_lead ON pc_sync_queue(lead_id, status);

-- The partner's people already added to a referral's team (Partner Center's PATCH only adds): users
-- of the lead's team and employees added to it, by email, so each is added once.
CREATE TABLE pc_team_sent (
    lead_id INTEGER NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
    email   TEXT    NOT NULL COLLATE NOCASE,
    PRIMARY KEY (lead_id, email)
) WITHOUT ROWID;

-- The recent calls to Partner Center and Entra (method, path, status; never a token or a secret).
CREATE TABLE pc_calls (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    method      TEXT    NOT NULL,
    path        TEXT    NOT NULL,
    status      INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL,
    error       TEXT    NOT NULL DEFAULT '',
    request_id  TEXT    NOT NULL DEFAULT ''
);

-- Referrals a pull or a fetch could not use, with the reason; the rest of the batch went on.
CREATE TABLE pc_sync_errors (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    referral_id TEXT    NOT NULL DEFAULT '',
    error       TEXT    NOT NULL
);

-- Marketplace leads accepted here that the team still has to mark in Partner Center by hand (the
-- API does not carry them): one reminder per lead until someone dismisses it.
CREATE TABLE pc_reminders (
    lead_id      INTEGER PRIMARY KEY REFERENCES leads(id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    dismissed_at INTEGER,
    dismissed_by INTEGER REFERENCES users(id) ON DELETE SET NULL
);
