-- 0011: a counter of changes to leads, bumped by triggers on every insert, update and delete, so the
-- Leads list's in-memory index (db/leadindex.go) asks "did any lead change?" with one read, instead
-- of re-reading the newest leads after every commit anywhere (PRAGMA data_version also moves for
-- sessions, last views and favourites).
CREATE TABLE lead_changes (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
);
INSERT INTO lead_changes (id, n) VALUES (1, 0);
CREATE TRIGGER leads_changed_insert AFTER INSERT ON leads BEGIN UPDATE lead_changes SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER leads_changed_update AFTER UPDATE ON leads BEGIN UPDATE lead_changes SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER leads_changed_delete AFTER DELETE ON leads BEGIN UPDATE lead_changes SET n = n + 1 WHERE id = 1; END;
