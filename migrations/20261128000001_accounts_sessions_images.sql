-- Portable SQL: the same file runs on SQLite and PostgreSQL. Ids are text made by the
-- application, timestamps are milliseconds since the epoch, flags are 0/1 integers.

CREATE TABLE accounts (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE UNIQUE INDEX accounts_email_unique ON accounts (lower(email));

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);

-- The local implementation of the private-image adapter: what a seller's cloud account holds.
CREATE TABLE private_images (
    id         TEXT PRIMARY KEY,
    owner_id   TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    region     TEXT NOT NULL,
    os         TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    disk_kind  TEXT NOT NULL,
    origin     TEXT NOT NULL,
    shared     BIGINT NOT NULL DEFAULT 0,
    encrypted  BIGINT NOT NULL DEFAULT 0,
    released   BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX private_images_owner ON private_images (owner_id);

CREATE TABLE image_assets (
    id          TEXT PRIMARY KEY,
    image_id    TEXT NOT NULL REFERENCES private_images (id),
    owner_id    TEXT NOT NULL REFERENCES accounts (id),
    released_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX image_assets_image_unique ON image_assets (image_id);
CREATE INDEX image_assets_owner ON image_assets (owner_id);
