-- 0041: the changes feed (GET /api/v1/leads?updated_since=…) finds where a time starts in the
-- domain_events sequence by the events' time.
CREATE INDEX domain_events_at ON domain_events(at);
