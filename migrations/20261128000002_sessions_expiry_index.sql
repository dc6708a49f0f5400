-- Expired sessions are swept at each sign-in; this keeps that sweep cheap.
CREATE INDEX sessions_expiry ON sessions (expires_at);
