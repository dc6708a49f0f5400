-- Every page a seller opens counts their unread messages (with the session, in one query).
CREATE INDEX messages_unread ON messages (account_id, read_at);
