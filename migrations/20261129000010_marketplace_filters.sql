-- The marketplace's filters (SPEC section 7) at scale: what each listed product is offered
-- at, kept beside its content so a search reads indexes, never every product's JSON.
-- `free` is 1 for a Free image; `from_*` are the lowest price in cents per billing mode
-- (NULL where no specification offers it); `indexed_version` is the product version they
-- were written for (NULL for products listed before this migration): a product whose
-- version differs is indexed again at start-up.
ALTER TABLE products ADD COLUMN free BIGINT NOT NULL DEFAULT 0;
ALTER TABLE products ADD COLUMN from_pay_per_use BIGINT;
ALTER TABLE products ADD COLUMN from_monthly BIGINT;
ALTER TABLE products ADD COLUMN from_yearly BIGINT;
ALTER TABLE products ADD COLUMN indexed_version BIGINT;

CREATE INDEX products_free_listed ON products (free, listed_at);
-- In the order a price sort reads them (lowest price, then newest), so a page stops early.
CREATE INDEX products_from_pay_per_use ON products (from_pay_per_use, listed_at DESC, id);
CREATE INDEX products_from_monthly ON products (from_monthly, listed_at DESC, id);
CREATE INDEX products_from_yearly ON products (from_yearly, listed_at DESC, id);

-- Each region a listed product is offered in, for the region filter.
CREATE TABLE product_regions (
    region     TEXT NOT NULL,
    product_id TEXT NOT NULL REFERENCES products (id),
    PRIMARY KEY (region, product_id)
);
CREATE INDEX product_regions_product ON product_regions (product_id);
