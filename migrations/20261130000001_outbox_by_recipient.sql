-- The SMS one number was sent in the last day, counted before each SMS (SMS_PER_NUMBER_PER_DAY).
CREATE INDEX outbox_by_recipient ON outbox (recipient, sent_at);
