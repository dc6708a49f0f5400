-- Full-text search of listed products (SQLite): an FTS5 index whose rowid is the product
-- row's rowid. Words are folded to lower case without diacritics; prefixes of 2 and 3
-- characters are indexed so that a word being typed is found quickly.
CREATE VIRTUAL TABLE product_search USING fts5(
    name, summary, category, seller, description,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);
-- The index's rowid for each product: a key of its own, because VACUUM may renumber the
-- implicit rowid of a table whose primary key is text.
ALTER TABLE products ADD COLUMN search_key INTEGER;
CREATE UNIQUE INDEX products_search_key ON products (search_key);
