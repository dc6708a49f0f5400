-- A purchase carries the key its buyer's page chose for it: sent again (its answer was lost),
-- the same key answers the purchase it made instead of charging a second time.
ALTER TABLE purchases ADD COLUMN request_key TEXT NULL;
CREATE UNIQUE INDEX purchases_by_request_key ON purchases (buyer_id, request_key);

-- VMs deployed by each account in each clock hour, counted as they are asked for: one
-- statement counts and reads, so requests sent at once cannot all pass the budget.
CREATE TABLE deploy_hours (
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    hour       BIGINT NOT NULL,
    deploys    BIGINT NOT NULL,
    PRIMARY KEY (account_id, hour)
);
