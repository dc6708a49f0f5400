-- Release requests (SPEC section 4) and the reservation of their images (R52).
-- `content` is the submitted product as JSON, exactly as it passed the rules.
CREATE TABLE release_requests (
    id           TEXT PRIMARY KEY,
    seller_id    TEXT NOT NULL REFERENCES accounts (id),
    product_name TEXT NOT NULL,
    content      TEXT NOT NULL,
    status       TEXT NOT NULL,
    submitted_at BIGINT NOT NULL
);
CREATE INDEX release_requests_seller ON release_requests (seller_id, submitted_at);

-- An asset is reserved by the pending request that holds it, and locked once its product is
-- released. A reservation is taken with a conditional UPDATE, so two requests racing for one
-- asset give one winner.
ALTER TABLE image_assets ADD COLUMN reserved_by TEXT NULL REFERENCES release_requests (id);
ALTER TABLE image_assets ADD COLUMN locked INTEGER NOT NULL DEFAULT 0;
