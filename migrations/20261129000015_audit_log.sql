-- The audit log (R74): append-only, one row per change to a release request, its product
-- or an image asset, written in the transaction of the change. `seq` orders rows as they
-- were written: SQLite numbers an INTEGER PRIMARY KEY itself; PostgreSQL gets a 64-bit
-- identity for it in migrations/postgres (…000016). `actor_id` is NULL for work no person
-- started.
CREATE TABLE audit_log (
    seq        INTEGER PRIMARY KEY,
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
