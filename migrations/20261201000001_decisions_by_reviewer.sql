-- A reviewer's decisions, the most recently decided first, a page at a time ("Your decisions").
CREATE INDEX release_requests_decided ON release_requests (reviewer_id, decided_at, id);
