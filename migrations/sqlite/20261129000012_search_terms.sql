-- Searching at marketplace scale (SQLite).
-- Every distinct word the search index holds, so that a word being typed ("postg") is
-- searched as the few whole words it starts ("postgresql"), which FTS5 reads in order,
-- instead of as a prefix, which FTS5 reads whole before it can order anything.
CREATE TABLE search_terms (term TEXT PRIMARY KEY) WITHOUT ROWID;
-- What a search by words reads of each product it finds, without the product's row: its
-- key in the full-text index, the filters' columns and the order's.
CREATE INDEX products_search_order ON products (search_key, free, from_pay_per_use, from_monthly, from_yearly, listed_at, id);
-- The index now holds the words as the search splits them; every product is indexed again
-- at start-up, which also fills search_terms.
UPDATE products SET indexed_version = NULL;
