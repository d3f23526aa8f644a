-- Sign-in failures counted where every replica sees them (SQLite's version 33): the key is a
-- keyed hash of the account, the address or both, never either in clear.
CREATE TABLE IF NOT EXISTS login_failures (
    key         BYTEA PRIMARY KEY,
    started_at  BIGINT NOT NULL,
    count       BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS login_failures_started ON login_failures (started_at);
