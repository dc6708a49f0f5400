-- A history reads the latest entries of each kind of each subject (a request, its product,
-- its image assets) from its place in these indexes, and counts at most a bound of them: a
-- product's price changes have no end of their own, and a history read every row of them.
-- They take the place of the indexes on the subject alone, which are their prefixes.
CREATE INDEX audit_log_request_kind ON audit_log (request_id, kind, seq);
CREATE INDEX audit_log_product_kind ON audit_log (product_id, kind, seq);
CREATE INDEX audit_log_asset_kind ON audit_log (asset_id, kind, seq);
DROP INDEX audit_log_request;
DROP INDEX audit_log_product;
DROP INDEX audit_log_asset;
