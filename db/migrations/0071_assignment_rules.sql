-- 0071: assignment rules (issue 17). Ordered rules; the first whose conditions an incoming lead meets
-- gives it an owner: one user, or the next of a round-robin group (rr_next: the member position to try
-- first next time). A condition is a comma-separated list of codes (location: ids); empty matches any.
-- Users mark themselves away for a span (user_away) and are skipped while it lasts.
CREATE TABLE assignment_rules (
    id             INTEGER PRIMARY KEY,
    position       INTEGER NOT NULL,
    name           TEXT    NOT NULL DEFAULT '',
    location_ids   TEXT    NOT NULL DEFAULT '',
    countries      TEXT    NOT NULL DEFAULT '',
    sources        TEXT    NOT NULL DEFAULT '',
    ctas           TEXT    NOT NULL DEFAULT '',
    lead_types     TEXT    NOT NULL DEFAULT '',
    classifications TEXT   NOT NULL DEFAULT '',
    rr_next        INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL
);
CREATE TABLE assignment_rule_members (
    rule_id  INTEGER NOT NULL REFERENCES assignment_rules(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (rule_id, position)
);
CREATE TABLE user_away (
    user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    from_at INTEGER NOT NULL, -- unix seconds: the start of the first away day in the configured zone
    until_at INTEGER NOT NULL -- unix seconds: the end of the last away day
);
