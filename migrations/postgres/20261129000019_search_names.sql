-- Searching at marketplace scale (PostgreSQL): a product's name gets a full-text index of
-- its own, and both documents carry the product's regions as terms no typed word can be
-- ("@eu-paris"). A search by best match reads the names first through a GIN index that
-- holds names only (before, the whole document's, with its weights checked on every
-- match), and a region narrows a search by words inside the index, instead of a lookup
-- per matching product.
ALTER TABLE products ADD COLUMN names TSVECTOR;
CREATE INDEX products_names ON products USING GIN (names);
-- Every product is indexed again when the server starts (`index_unindexed`).
UPDATE products SET indexed_version = NULL;
