-- 0002_leads_updated: the Leads list keeps an in-memory index of every lead (db/leadindex.go) and,
-- after any commit, reads only the leads changed since its last look: by updated_at, through this index.
CREATE INDEX leads_updated ON leads(updated_at);
