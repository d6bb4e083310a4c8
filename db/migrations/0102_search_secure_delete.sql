-- 0102: an erased or anonymised lead's words leave the search index at once. Until now an FTS5 delete
-- only marked the row as gone, and every retention or erasure run then merged the whole index
-- ('optimize') to drop it for good: at a million leads that rewrote the index and held the write lock
-- for 2.4–3.5 s each time, even for a single lead. With FTS5's secure-delete option a delete removes
-- the row's entries from the index segments themselves. One last merge drops what older deletes left.
INSERT INTO lead_search (lead_search, rank) VALUES ('secure-delete', 1);
INSERT INTO lead_search (lead_search) VALUES ('optimize');
