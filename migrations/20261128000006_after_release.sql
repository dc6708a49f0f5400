-- After release (SPEC section 5): price changes with their history (R50, R54), credit
-- balances and purchases (R53), and VM deployments from images (R52, R53).

-- Grows by one with every change of a listed product, so two changes made from the same
-- version cannot both win.
ALTER TABLE products ADD COLUMN version BIGINT NOT NULL DEFAULT 1;

CREATE TABLE price_changes (
    id            TEXT PRIMARY KEY,
    product_id    TEXT NOT NULL REFERENCES products (id),
    specification BIGINT NOT NULL,
    vcpus         TEXT NOT NULL,
    billing       TEXT NOT NULL,
    old_price     TEXT NOT NULL,
    new_price     TEXT NOT NULL,
    changed_by    TEXT NOT NULL REFERENCES accounts (id),
    changed_at    BIGINT NOT NULL
);
CREATE INDEX price_changes_product ON price_changes (product_id, changed_at);

-- A customer's credit, in cents. A paid purchase takes its price from it in the purchase's
-- transaction, by a conditional UPDATE, so concurrent purchases cannot overspend it.
ALTER TABLE accounts ADD COLUMN credit_cents BIGINT NOT NULL DEFAULT 0;

CREATE TABLE purchases (
    id            TEXT PRIMARY KEY,
    product_id    TEXT NOT NULL REFERENCES products (id),
    buyer_id      TEXT NOT NULL REFERENCES accounts (id),
    specification BIGINT NOT NULL,
    region        TEXT NOT NULL,
    billing       TEXT NOT NULL,
    tier          BIGINT NULL,
    price_cents   BIGINT NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE INDEX purchases_buyer ON purchases (buyer_id, created_at);

-- VMs deployed from an image: from the seller's own unlocked image, or from a purchase.
CREATE TABLE deployments (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    image_id    TEXT NOT NULL,
    purchase_id TEXT NULL REFERENCES purchases (id),
    region      TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX deployments_account ON deployments (account_id, created_at);
