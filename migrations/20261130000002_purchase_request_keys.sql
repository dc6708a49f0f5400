-- A purchase carries the key its buyer's page chose for it: sent again (its answer was lost),
-- the same key answers the purchase it made instead of charging a second time.
ALTER TABLE purchases ADD COLUMN request_key TEXT NULL;
CREATE UNIQUE INDEX purchases_by_request_key ON purchases (buyer_id, request_key);
