-- 0009: the customer-name search becomes exact in the index itself. Each lead's words are indexed as
-- their character bigrams IN ORDER, with a word-break token between words, so a query word is an FTS5
-- phrase of its bigrams and matches exactly where the word occurs inside a word of the lead's text —
-- no candidate needs reading back (common terms had 100,000 candidates to check). Marks (M*) count as
-- word characters, as they do for db.SearchTerms. The index is rebuilt in Go at the next start
-- (db.ensureSearchIndex), since the terms are made by Go code.
DROP TABLE lead_search;
CREATE VIRTUAL TABLE lead_search USING fts5(terms, content='', contentless_delete=1,
    tokenize="unicode61 remove_diacritics 0 categories 'L* N* Co M*'");
CREATE TABLE search_index_state (
    format     INTEGER NOT NULL,
    rebuilt_at INTEGER NOT NULL
);
