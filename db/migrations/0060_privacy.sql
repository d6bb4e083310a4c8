-- 0060: privacy by design (issue 19). A lead whose personal data was anonymised — on request
-- (erasure) or by a retention rule — is listed here, so the rules never process it twice and the lead
-- page can say so. The lead itself keeps its dates, source, country, values and outcome.
CREATE TABLE lead_anonymised (
    lead_id INTEGER PRIMARY KEY REFERENCES leads(id) ON DELETE CASCADE,
    at      INTEGER NOT NULL,
    cause   TEXT    NOT NULL CHECK (cause IN ('request', 'retention'))
);

-- The privacy settings of Admin › Privacy: one row. mail_without_personal_data is on for a new
-- install (no user yet) and stays off for an install that already mails full details, until an
-- Account admin turns it on; retention holds the rules as JSON ([{"outcome": "declined", "kind": "", "days": 180,
-- "action": "anonymise"}, …]); an empty list means the documented defaults.
CREATE TABLE privacy_settings (
    id                         INTEGER PRIMARY KEY CHECK (id = 1),
    mail_without_personal_data INTEGER NOT NULL DEFAULT 1 CHECK (mail_without_personal_data IN (0, 1)),
    retention                  TEXT    NOT NULL DEFAULT '',
    updated_at                 INTEGER NOT NULL DEFAULT 0,
    updated_by                 INTEGER REFERENCES users(id) ON DELETE SET NULL
);
INSERT INTO privacy_settings (id, mail_without_personal_data)
    VALUES (1, CASE WHEN EXISTS (SELECT 1 FROM users) THEN 0 ELSE 1 END);

-- Events recorded before this migration carried the timeline's change set in their payload, extra
-- contacts ("Name, email, phone") and free text included. The payload now leaves those out
-- (leads.payloadOf); the old rows lose them once, here, with the append-only guard lifted for this
-- one statement and put back unchanged.
DROP TRIGGER domain_events_no_update;
UPDATE domain_events SET payload = json_remove(payload,
    '$.changes.employee', '$.changes.notes', '$.changes.reason_notes', '$.changes.description',
    '$.changes.contact_1', '$.changes.contact_2', '$.changes.contact_3', '$.changes.contact_4',
    '$.changes.contact_5', '$.changes.contact_6', '$.changes.contact_7', '$.changes.contact_8',
    '$.changes.contact_9', '$.changes.contact_10', '$.changes.contact_11', '$.changes.contact_12',
    '$.changes.contact_13', '$.changes.contact_14', '$.changes.contact_15', '$.changes.contact_16',
    '$.changes.contact_17', '$.changes.contact_18', '$.changes.contact_19', '$.changes.contact_20')
WHERE payload LIKE '%"changes"%';
CREATE TRIGGER domain_events_no_update BEFORE UPDATE ON domain_events
BEGIN SELECT RAISE(ABORT, 'domain_events is append-only'); END;
