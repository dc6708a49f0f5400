-- A seller's own products (My Products, and the names a new product's must differ from,
-- R15) are found through an index: with 100,000 listed products each look-up read them
-- all (PostgreSQL: 284 ms for one seller's 2,500).
CREATE INDEX products_seller ON products (seller_id, listed_at);
