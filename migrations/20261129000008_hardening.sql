-- Hardening (issue 10): sign-in throttling, idle sessions, draft quotas and idempotent saves.

-- Failed sign-ins per email address, so every server delays guessing alike. `blocked_until`
-- is when the next attempt may start: during a check it holds the address for that check,
-- after a failure it is the growing delay. Rows of unknown addresses are kept the same way.
CREATE TABLE sign_in_throttle (
    email_key     TEXT PRIMARY KEY,
    failures      BIGINT NOT NULL,
    blocked_until BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

-- A session unused for the idle timeout ends, besides its lifetime.
ALTER TABLE sessions ADD COLUMN last_seen_at BIGINT NOT NULL DEFAULT 0;
UPDATE sessions SET last_seen_at = created_at;

-- The Drafts list shows how many problems each draft has without reading whole drafts:
-- the problems of the content alone are counted at each save, and the assets the
-- specifications name (a JSON array) are judged against the seller's assets when listed.
-- -1: not counted yet (drafts saved before this migration); the list counts those once.
ALTER TABLE drafts ADD COLUMN content_problems BIGINT NOT NULL DEFAULT -1;
ALTER TABLE drafts ADD COLUMN asset_ids TEXT NOT NULL DEFAULT '[]';

-- Every save names itself with an id the browser chose. A retry of a save whose answer was
-- lost finds its own earlier result here instead of meeting it as a conflict (R33) or making
-- a second draft. Written in the save's transaction; swept after a day.
CREATE TABLE draft_saves (
    seller_id  TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    save_id    TEXT NOT NULL,
    draft_id   TEXT NOT NULL,
    version    BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (seller_id, save_id)
);
CREATE INDEX draft_saves_age ON draft_saves (updated_at);
