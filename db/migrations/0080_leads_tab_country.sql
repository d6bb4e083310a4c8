-- 0080: while the lead index loads after a restart (seconds at a million leads), the Leads list is
-- answered from SQLite (db/leadlist_sql.go). Its tab counts and the country filter's list would each
-- read the whole table; this narrow index answers them from the index alone (counts per tab, and the
-- distinct countries by skipping from one to the next).
CREATE INDEX leads_tab_country ON leads(tab, is_test, country);
