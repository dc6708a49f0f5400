-- Price increases waiting for their notice period (R70–R73). A row is `scheduled` until it
-- takes effect (`applied`), or the seller cancels it (`cancelled`) or saves another price
-- for the same tier (`replaced`); it is never deleted. At most one increase waits for each
-- price of a product. The worker on every server looks for due rows by `takes_effect_at`.
CREATE TABLE scheduled_prices (
    id              TEXT PRIMARY KEY,
    product_id      TEXT NOT NULL REFERENCES products (id),
    specification   BIGINT NOT NULL,
    vcpus           BIGINT NOT NULL,
    billing         TEXT NOT NULL,
    old_price       TEXT NOT NULL,
    new_price       TEXT NOT NULL,
    scheduled_by    TEXT NOT NULL REFERENCES accounts (id),
    scheduled_at    BIGINT NOT NULL,
    takes_effect_at BIGINT NOT NULL,
    state           TEXT NOT NULL,
    settled_at      BIGINT
);
CREATE UNIQUE INDEX scheduled_prices_one_per_price ON scheduled_prices (product_id, specification, vcpus, billing)
    WHERE state = 'scheduled';
CREATE INDEX scheduled_prices_due ON scheduled_prices (takes_effect_at) WHERE state = 'scheduled';

-- Who bought a product, to tell them of its price (R72).
CREATE INDEX purchases_product ON purchases (product_id, buyer_id);

-- The increases waiting, as JSON, written with them: the public product page reads them
-- with the product (R71).
ALTER TABLE products ADD COLUMN coming TEXT NOT NULL DEFAULT '[]';
