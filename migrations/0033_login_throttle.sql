-- Sign-in failures counted where every replica sees them. A server on the SQLite file counts
-- them in memory and leaves this table empty; replicas sharing a PostgreSQL database count
-- them here, so a lockout holds whichever replica the next attempt reaches. The key is a
-- keyed hash (under the master key) of what is counted (an account, an address, or both), so
-- the table holds no e-mail or IP in clear.
CREATE TABLE IF NOT EXISTS login_failures (
    key         BLOB PRIMARY KEY,
    started_at  INTEGER NOT NULL,
    count       INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS login_failures_started ON login_failures (started_at);
