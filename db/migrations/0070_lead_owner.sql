-- 0070: every lead may have an owner (issue 17): a user with the Referrals admin role who works it.
-- NULL is unassigned. A deleted user's leads become unassigned. The list filters owners in memory
-- (db/leadindex); the index below serves "my leads" counts and the SQL filter of the export and API.
ALTER TABLE leads ADD COLUMN owner_id INTEGER REFERENCES users(id) ON DELETE SET NULL;
CREATE INDEX leads_owner ON leads(owner_id) WHERE owner_id IS NOT NULL;
