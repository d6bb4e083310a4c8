-- 0007: leads by location (issue 8). The profile page counts each location's leads on every view, and
-- removing a location makes SQLite check leads.location_id (ON DELETE RESTRICT); without an index both
-- scan every lead (58 ms → 3.6 ms per page view at 60,000 leads: BenchmarkListLocations).
CREATE INDEX leads_location ON leads(location_id);
