-- 0081: the retention job (privacy-retention, every 10 minutes and at start) finds the oldest archived
-- leads of an outcome in a write transaction; without an index that is a scan and sort of every lead
-- (seconds at a million), during which every other write waits — at start, the first sign-in too.
-- This partial index gives them in order, so the job reads only the leads it retires.
CREATE INDEX leads_retention ON leads(outcome, COALESCE(archived_at, updated_at), id) WHERE status = 'archived' AND is_test = 0;
