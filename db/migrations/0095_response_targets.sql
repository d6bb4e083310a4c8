-- 0095: response targets (issue 17). A received actionable lead waits for its first answer; the target
-- of its kind (package sla) says how long it may. The first logged call, email or meeting meets it
-- (leads.first_contact_at, set once by the leads service), as does accepting or declining the lead.
ALTER TABLE leads ADD COLUMN first_contact_at INTEGER;
UPDATE leads SET first_contact_at = (SELECT MIN(a.at) FROM lead_activities a
        WHERE a.lead_id = leads.id AND a.kind IN ('call', 'email', 'meeting'))
    WHERE id IN (SELECT lead_id FROM lead_activities WHERE kind IN ('call', 'email', 'meeting'));

-- The target per kind of lead (offer, profile, qualified) and call to action (contact_me, other), in
-- minutes; the admin page edits them. Defaults: contact me 24 h, every other actionable lead 72 h.
CREATE TABLE sla_targets (
    kind    TEXT    NOT NULL CHECK (kind IN ('offer', 'profile', 'qualified')),
    cta     TEXT    NOT NULL CHECK (cta IN ('contact_me', 'other')),
    minutes INTEGER NOT NULL CHECK (minutes > 0),
    PRIMARY KEY (kind, cta)
);
INSERT INTO sla_targets (kind, cta, minutes) VALUES
    ('offer', 'contact_me', 1440), ('profile', 'contact_me', 1440), ('profile', 'other', 4320),
    ('qualified', 'contact_me', 1440), ('qualified', 'other', 4320);

-- Business hours (off: every hour counts): the weekdays (0 = Sunday … 6, comma-separated) and the
-- minutes of the local day from which and until which they count, in the configured time zone; and who
-- hears of a missed target (NULL: every Referrals admin but the owner).
CREATE TABLE sla_settings (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    hours_on     INTEGER NOT NULL DEFAULT 0,
    days         TEXT    NOT NULL DEFAULT '1,2,3,4,5',
    start_minute INTEGER NOT NULL DEFAULT 540 CHECK (start_minute BETWEEN 0 AND 1440),
    end_minute   INTEGER NOT NULL DEFAULT 1080 CHECK (end_minute BETWEEN 0 AND 1440),
    escalate_to  INTEGER REFERENCES users(id) ON DELETE SET NULL,
    updated_at   INTEGER NOT NULL DEFAULT 0
);
INSERT INTO sla_settings (id) VALUES (1);

-- What the response-target job did to a lead, once each: 'warned' (75 % used: the owner was mailed)
-- and 'escalated' (missed: the escalation went out). The row is written in the transaction that
-- queues the mail, so a mail is queued exactly once. sent = 0 marks a lead that was already waiting
-- when targets arrived (below).
CREATE TABLE lead_sla_notices (
    lead_id INTEGER NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
    kind    TEXT    NOT NULL CHECK (kind IN ('warned', 'escalated')),
    at      INTEGER NOT NULL,
    sent    INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (lead_id, kind)
);
-- Leads already waiting when targets arrive are neither mailed about nor put in the Action Center:
-- their owners never had the chance to meet a target nobody had set. Their badges still say where
-- they stand.
INSERT INTO lead_sla_notices (lead_id, kind, at, sent)
    SELECT id, k.kind, CAST(strftime('%s', 'now') AS INTEGER), 0 FROM leads, (SELECT 'warned' AS kind UNION ALL SELECT 'escalated') k
    WHERE status = 'received' AND actionable = 1 AND first_contact_at IS NULL;
-- The job's candidates: waiting leads by arrival.
CREATE INDEX leads_waiting_answer ON leads(created_at) WHERE status = 'received' AND actionable = 1 AND first_contact_at IS NULL;
