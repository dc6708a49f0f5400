-- The audit log (R74): append-only, one row per change to a release request, its product
-- or an image asset, written in the transaction of the change. The id orders rows as they
-- were written (its type is each backend's own counter). `actor_id` is NULL for work no
-- person started.
CREATE TABLE audit_log (
    id         BIGSERIAL PRIMARY KEY,
    at         BIGINT NOT NULL,
    actor_id   TEXT REFERENCES accounts (id),
    kind       TEXT NOT NULL,
    request_id TEXT,
    product_id TEXT,
    asset_id   TEXT,
    detail     TEXT NOT NULL
);
CREATE INDEX audit_log_request ON audit_log (request_id);
CREATE INDEX audit_log_product ON audit_log (product_id);
CREATE INDEX audit_log_asset ON audit_log (asset_id);
