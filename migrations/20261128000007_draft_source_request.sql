-- A draft made from a rejected request ("Edit and submit again") remembers the request, so
-- asking again reopens that draft instead of making another copy. NULLs (drafts started
-- from scratch) do not collide in a unique index, on SQLite or PostgreSQL.
ALTER TABLE drafts ADD COLUMN source_request_id TEXT;
CREATE UNIQUE INDEX drafts_source_request ON drafts (source_request_id);
