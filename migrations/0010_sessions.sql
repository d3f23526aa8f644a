-- Sessions a person can see and end: a public id (random, never derived from the token, so
-- showing it reveals nothing of the token or its digest) and when the session was last used.
-- Existing sessions get an id whose first 12 hex digits are their creation time, like the
-- UUIDv7 ids new sessions get, so lists keep their oldest-first order.
ALTER TABLE sessions ADD COLUMN id TEXT;
ALTER TABLE sessions ADD COLUMN last_seen_at INTEGER;
UPDATE sessions
   SET id = 'ses_' || printf('%012x', created_at) || lower(hex(randomblob(10))),
       last_seen_at = created_at;
CREATE UNIQUE INDEX sessions_id ON sessions (id);
