-- 0072: activities logged on a lead (issue 17): a call, email, meeting or note, with an outcome, free
-- text and when it happened, and an optional next step due on a day (the configured zone's date,
-- YYYY-MM-DD) that shows in the owner's Action Center from that day until it is done.
CREATE TABLE lead_activities (
    id           INTEGER PRIMARY KEY,
    lead_id      INTEGER NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
    user_id      INTEGER REFERENCES users(id) ON DELETE SET NULL,
    kind         TEXT    NOT NULL CHECK (kind IN ('call', 'email', 'meeting', 'note')),
    outcome      TEXT    NOT NULL DEFAULT '',
    body         TEXT    NOT NULL DEFAULT '',
    at           INTEGER NOT NULL,
    next_step    TEXT    NOT NULL DEFAULT '',
    next_due     TEXT    NOT NULL DEFAULT '',
    next_done_at INTEGER,
    created_at   INTEGER NOT NULL
);
CREATE INDEX lead_activities_lead ON lead_activities(lead_id, at DESC);
CREATE INDEX lead_activities_due ON lead_activities(next_due) WHERE next_due != '' AND next_done_at IS NULL;
