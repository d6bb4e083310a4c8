-- 0040: outbound webhooks (issue 18). An endpoint is a receiver an Account admin registered in
-- Admin › Integrations: a URL, the events it wants and a signing secret sealed with a key derived
-- from the instance's master key (never stored in clear). The leads service's webhooks subscriber
-- writes one delivery per endpoint and event in the transaction of the change (like the mail
-- outbox), so a delivery exists exactly when its change committed; the sender claims due deliveries
-- atomically, keeps them in order per endpoint and lead, retries with backoff for 24 hours and keeps
-- the last attempt's status, latency and response excerpt as the delivery log. Microsoft Teams and
-- Slack channels are endpoints too (kind): they get compact cards of a few events through the same
-- queue, unsigned (their incoming-webhook URL is the secret).
CREATE TABLE webhook_endpoints (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL DEFAULT 'webhook' CHECK (kind IN ('webhook', 'teams', 'slack')),
    name            TEXT    NOT NULL,
    url             TEXT    NOT NULL,
    events          TEXT    NOT NULL,              -- comma-separated event types
    secret_sealed   TEXT    NOT NULL DEFAULT '',
    include_contact INTEGER NOT NULL DEFAULT 0,    -- channel posts: show the customer's contact details
    lang            TEXT    NOT NULL DEFAULT 'en', -- channel posts: the language of the cards
    owner_user_id   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at      INTEGER NOT NULL,
    failing_since   INTEGER,                       -- first failure since the last success
    disabled_at     INTEGER,
    disabled_reason TEXT    NOT NULL DEFAULT ''
);

CREATE TABLE webhook_deliveries (
    id            INTEGER PRIMARY KEY,
    endpoint_id   INTEGER NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
    msg_id        TEXT    NOT NULL UNIQUE,          -- webhook-id: the same on every attempt
    lead_id       INTEGER NOT NULL,
    event_type    TEXT    NOT NULL,
    payload       TEXT    NOT NULL,                 -- the JSON body, signed as sent
    status        TEXT    NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'skipped')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    next_at       INTEGER NOT NULL,                 -- due time, or the lease's end while 'sending'; an expiry card
                                                    -- waits here until 24 hours before the expiry ('skipped' if answered by then)
    sent_at       INTEGER,
    last_at       INTEGER,
    last_status   INTEGER NOT NULL DEFAULT 0,       -- HTTP status of the last attempt, 0 = none
    last_latency  INTEGER NOT NULL DEFAULT 0,       -- milliseconds
    last_error    TEXT    NOT NULL DEFAULT '',
    last_response TEXT    NOT NULL DEFAULT ''       -- the first KB of the receiver's answer
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_at);
CREATE INDEX webhook_deliveries_order ON webhook_deliveries(endpoint_id, lead_id, id);
CREATE INDEX webhook_deliveries_log ON webhook_deliveries(endpoint_id, id);
