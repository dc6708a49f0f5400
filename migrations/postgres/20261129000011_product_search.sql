-- Full-text search of listed products (PostgreSQL): one tsvector per product, in the
-- 'simple' configuration (no language stemming: names and versions are matched as typed),
-- with a GIN index.
CREATE TABLE product_search (
    product_id TEXT PRIMARY KEY REFERENCES products (id),
    document   TSVECTOR NOT NULL
);
CREATE INDEX product_search_document ON product_search USING GIN (document);
