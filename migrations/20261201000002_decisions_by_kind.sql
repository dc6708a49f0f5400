-- A reviewer's decisions of one kind (Your decisions, `?decision=`), newest first, a page
-- at a time: read from the page's place, not past every decision of the other kind.
CREATE INDEX release_requests_decided_by_status ON release_requests (reviewer_id, status, decided_at, id);
