-- Product drafts (R30–R33). The content is the form as typed, as JSON; `version` grows by
-- one with every save, so a save based on an older version can be refused (R33).
CREATE TABLE drafts (
    id         TEXT PRIMARY KEY,
    seller_id  TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    content    TEXT NOT NULL,
    version    BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX drafts_seller ON drafts (seller_id, updated_at);
