-- What the account page calls each signed-in session: a browser and system named at sign-in
-- from its User-Agent, in the server's own words ("Firefox on Windows"), never the header
-- itself. Sessions started before this have none and are listed as an unknown device.
ALTER TABLE sessions ADD COLUMN device TEXT NOT NULL DEFAULT '';
