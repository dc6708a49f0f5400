-- Releasing from a pipeline (SPEC section 8).
-- API tokens (R60): only the SHA-256 of the secret is kept; a token is refused once it is
-- revoked or past `expires_at`, on every server at once, since each request reads this row.
CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    seller_id    TEXT NOT NULL REFERENCES accounts (id),
    name         TEXT NOT NULL,
    -- Space-separated: read, drafts, submit, prices.
    scopes       TEXT NOT NULL,
    secret_hash  TEXT NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX api_tokens_seller ON api_tokens (seller_id, created_at);

-- Requests per token and minute (R64), counted in the database so the budget holds across
-- servers.
CREATE TABLE api_token_minutes (
    token_id TEXT NOT NULL REFERENCES api_tokens (id),
    minute   BIGINT NOT NULL,
    requests BIGINT NOT NULL,
    PRIMARY KEY (token_id, minute)
);

-- Submissions made with an Idempotency-Key (R63): the key is claimed in the transaction
-- that creates the request, so the same key twice gives that request, never a second.
-- `fingerprint` (SHA-256 of the content, or of the draft and version submitted) tells a
-- retry from a reuse of the key for something else. Keys are forgotten after a day.
CREATE TABLE api_submissions (
    seller_id       TEXT NOT NULL REFERENCES accounts (id),
    idempotency_key TEXT NOT NULL,
    request_id      TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    fingerprint     TEXT NOT NULL,
    PRIMARY KEY (seller_id, idempotency_key)
);
