-- 0073: the Leads list filters by Partner Center sync state (issue 14), which pc_referrals keeps. A
-- change of that state is a change of the lead for the in-memory lead index, so it bumps the lead's
-- change sequence (0013) like a write to the leads row does.
CREATE TRIGGER pc_referrals_changed_insert AFTER INSERT ON pc_referrals BEGIN
    UPDATE lead_changes SET n = n + 1 WHERE id = 1;
    INSERT INTO lead_change_seq (lead_id, seq) VALUES (NEW.lead_id, (SELECT n FROM lead_changes WHERE id = 1))
        ON CONFLICT (lead_id) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER pc_referrals_changed_state AFTER UPDATE OF state ON pc_referrals WHEN NEW.state IS NOT OLD.state BEGIN
    UPDATE lead_changes SET n = n + 1 WHERE id = 1;
    INSERT INTO lead_change_seq (lead_id, seq) VALUES (NEW.lead_id, (SELECT n FROM lead_changes WHERE id = 1))
        ON CONFLICT (lead_id) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER pc_referrals_changed_delete AFTER DELETE ON pc_referrals BEGIN
    UPDATE lead_changes SET n = n + 1 WHERE id = 1;
    INSERT INTO lead_change_seq (lead_id, seq) VALUES (OLD.lead_id, (SELECT n FROM lead_changes WHERE id = 1))
        ON CONFLICT (lead_id) DO UPDATE SET seq = excluded.seq;
END;
