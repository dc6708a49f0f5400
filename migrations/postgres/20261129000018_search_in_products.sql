-- Searching at marketplace scale (PostgreSQL): each product's full-text document moves into
-- its own row, beside its listing time and filters. A search for a common word then walks
-- the products newest first and stops at a page, instead of reading every match from a
-- table of its own and sorting them; a rare word is still found through the GIN index.
-- The planner chooses between the two by the words' statistics.
ALTER TABLE products ADD COLUMN document TSVECTOR;
UPDATE products p SET document = s.document FROM product_search s WHERE s.product_id = p.id;
CREATE INDEX products_document ON products USING GIN (document);
CREATE INDEX products_free_listed_newest ON products (free, listed_at DESC, id);
DROP TABLE product_search;
-- The index of the listing time alone gives way to one in the search's order.
DROP INDEX products_listed;
CREATE INDEX products_listed ON products (listed_at DESC, id);
DROP INDEX products_free_listed;
