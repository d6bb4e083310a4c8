-- 0020: every incoming lead is routed to a business-profile location (issue 13; the rule is in
-- docs/design.md §6 and leads/route.go). A location covers its own country and the extra countries
-- listed in `countries` (ISO 3166-1 alpha-2 codes separated by spaces); exactly one location is the
-- default, which takes the leads no other part of the rule places. The oldest location becomes the
-- default of an existing profile.
ALTER TABLE locations ADD COLUMN countries TEXT NOT NULL DEFAULT '';
ALTER TABLE locations ADD COLUMN is_default INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1));
UPDATE locations SET is_default = 1 WHERE id = (SELECT MIN(id) FROM locations);
CREATE UNIQUE INDEX locations_one_default ON locations(is_default) WHERE is_default = 1;

-- The digest greets its recipient by name, as the single mails do.
ALTER TABLE digest_items ADD COLUMN name TEXT NOT NULL DEFAULT '';
