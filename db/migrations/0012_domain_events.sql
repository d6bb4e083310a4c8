-- 0012: the domain events of leads (lead/events.go), one row per change, written by the leads service
-- in the transaction of the change itself. The table is append-only: the sequence id only grows
-- (AUTOINCREMENT never reuses an id), and rows are neither changed nor deleted, so a reader that
-- remembers the last id it handled (a sync queue, webhooks, a changes feed) never misses one. No
-- foreign key: the record of a change outlives the lead it was about.
CREATE TABLE domain_events (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    lead_id       INTEGER NOT NULL,
    kind          TEXT    NOT NULL,
    at            INTEGER NOT NULL,
    actor_user_id INTEGER,
    actor_label   TEXT    NOT NULL DEFAULT '',
    payload       TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX domain_events_lead ON domain_events(lead_id, id);
CREATE TRIGGER domain_events_no_update BEFORE UPDATE ON domain_events
BEGIN SELECT RAISE(ABORT, 'domain_events is append-only'); END;
CREATE TRIGGER domain_events_no_delete BEFORE DELETE ON domain_events
BEGIN SELECT RAISE(ABORT, 'domain_events is append-only'); END;
