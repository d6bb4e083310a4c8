-- 0010: the Leads list, its counts, sorts and export run on the in-memory lead index (db/leadindex.go),
-- so the per-tab list indexes of 0001 serve no query any more, while every lead written pays for each
-- of them (the CSV import of a million rows spent most of its time updating indexes). What still reads
-- leads in order is the JSON API's cursor paging, newest first, which one (created_at, id) index serves
-- with or without a tab. Kept: external id, dedupe, due (jobs), location, updated (the lead index).
DROP INDEX leads_tab_created;
DROP INDEX leads_tab_customer;
DROP INDEX leads_tab_value;
DROP INDEX leads_tab_status;
DROP INDEX leads_tab_expires;
DROP INDEX leads_tab_country;
DROP INDEX leads_tab_cta;
CREATE INDEX leads_created ON leads(created_at DESC, id DESC);
