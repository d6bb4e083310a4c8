-- 0008: the Leads list's in-memory index finds changed leads by updated_at >= the newest it has seen
-- (0002). A writer that stamps an older time — `leaddesk jobs --now` in the past, a clock step, or an
-- UPDATE that leaves updated_at alone — would be missed, so any updated row whose updated_at falls
-- behind the newest is moved up to it. (Recursive triggers are off: the inner UPDATE fires nothing.)
CREATE TRIGGER leads_updated_monotonic AFTER UPDATE ON leads
WHEN NEW.updated_at < (SELECT MAX(updated_at) FROM leads)
BEGIN
    UPDATE leads SET updated_at = (SELECT MAX(updated_at) FROM leads) WHERE id = NEW.id;
END;
