-- 0013: the Leads list's in-memory index (db/leadindex) learns which leads changed from a change
-- sequence kept by triggers, not from updated_at: lead_change_seq holds, per lead, the value of the
-- change counter (lead_changes.n, 0011) at its last insert, update or delete. The index asks for the
-- leads with seq above the counter it last saw, so a write that stamps an older updated_at, leaves it
-- alone, or deletes the row is seen all the same.
--
-- So the 0008 trigger, which moved updated_at up to the newest of any lead for the index's sake, is
-- dropped: updated_at is again what the app wrote (the API serves it as updatedDateTime).
DROP TRIGGER leads_updated_monotonic;

CREATE TABLE lead_change_seq (
    lead_id INTEGER PRIMARY KEY, -- no foreign key: a deleted lead's row records its deletion
    seq     INTEGER NOT NULL
);
CREATE INDEX lead_change_seq_seq ON lead_change_seq(seq);

DROP TRIGGER leads_changed_insert;
DROP TRIGGER leads_changed_update;
DROP TRIGGER leads_changed_delete;
CREATE TRIGGER leads_changed_insert AFTER INSERT ON leads BEGIN
    UPDATE lead_changes SET n = n + 1 WHERE id = 1;
    INSERT INTO lead_change_seq (lead_id, seq) VALUES (NEW.id, (SELECT n FROM lead_changes WHERE id = 1))
        ON CONFLICT (lead_id) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER leads_changed_update AFTER UPDATE ON leads BEGIN
    UPDATE lead_changes SET n = n + 1 WHERE id = 1;
    INSERT INTO lead_change_seq (lead_id, seq) VALUES (NEW.id, (SELECT n FROM lead_changes WHERE id = 1))
        ON CONFLICT (lead_id) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER leads_changed_delete AFTER DELETE ON leads BEGIN
    UPDATE lead_changes SET n = n + 1 WHERE id = 1;
    INSERT INTO lead_change_seq (lead_id, seq) VALUES (OLD.id, (SELECT n FROM lead_changes WHERE id = 1))
        ON CONFLICT (lead_id) DO UPDATE SET seq = excluded.seq;
END;
