-- Review of release requests (R40–R44), notifications (R43, SPEC section 6) and the public
-- listing (R45). Timestamps are milliseconds since the epoch; days are day numbers in the
-- marketplace's time zone.

-- The progress of a request: each step's time, and who decided and why.
ALTER TABLE release_requests ADD COLUMN local_day BIGINT NOT NULL DEFAULT 0;
-- The request's place among its seller's requests of that day (R42: 10th and later are busy).
ALTER TABLE release_requests ADD COLUMN day_ordinal BIGINT NOT NULL DEFAULT 1;
ALTER TABLE release_requests ADD COLUMN review_started_at BIGINT NULL;
ALTER TABLE release_requests ADD COLUMN reviewer_id TEXT NULL REFERENCES accounts (id);
ALTER TABLE release_requests ADD COLUMN decided_at BIGINT NULL;
ALTER TABLE release_requests ADD COLUMN reason TEXT NULL;
ALTER TABLE release_requests ADD COLUMN withdrawn_at BIGINT NULL;
CREATE INDEX release_requests_queue ON release_requests (status, submitted_at);

-- Requests per seller per marketplace day, counted in the database so that concurrent
-- submissions on several servers agree (R42). Incremented in the submission's transaction.
CREATE TABLE daily_request_counts (
    seller_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    local_day BIGINT NOT NULL,
    requests  BIGINT NOT NULL,
    PRIMARY KEY (seller_id, local_day)
);

-- A seller's notification settings (R43): the internal message is always sent.
ALTER TABLE accounts ADD COLUMN notify_email INTEGER NOT NULL DEFAULT 1;
ALTER TABLE accounts ADD COLUMN notify_sms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN phone TEXT NULL;

-- Internal messages: Seller Console → Messages.
CREATE TABLE messages (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    link       TEXT NULL,
    created_at BIGINT NOT NULL,
    read_at    BIGINT NULL
);
CREATE INDEX messages_account ON messages (account_id, created_at);

-- Email and SMS waiting to go out. Written in the transaction of the decision, delivered by
-- background workers. A worker claims a row by a conditional UPDATE that sets `claimed_by`
-- and `claimed_until`, so of several workers (on several servers) only one sends it.
CREATE TABLE outbox (
    id              TEXT PRIMARY KEY,
    channel         TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    claimed_by      TEXT NULL,
    claimed_until   BIGINT NULL,
    sent_at         BIGINT NULL,
    last_error      TEXT NULL
);
CREATE INDEX outbox_due ON outbox (sent_at, next_attempt_at);

-- Products listed on the public marketplace site (R45): one per approved request.
CREATE TABLE products (
    id         TEXT PRIMARY KEY,
    seller_id  TEXT NOT NULL REFERENCES accounts (id),
    request_id TEXT NOT NULL REFERENCES release_requests (id),
    name       TEXT NOT NULL,
    content    TEXT NOT NULL,
    listed_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX products_request_unique ON products (request_id);
CREATE INDEX products_listed ON products (listed_at);
