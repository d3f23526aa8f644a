-- The retention the owner sets in the dashboard, overriding the `retention_*` settings of the
-- environment or file (one row, id 1; absent until the owner saves). The floors are enforced
-- by the server (sign-in records at least 183 days, Marco Civil da Internet art. 15); the
-- checks here only keep the row sane. Safe to run again.
CREATE TABLE IF NOT EXISTS retention_settings (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    audit_days     INTEGER NOT NULL CHECK (audit_days > 0),
    signin_days    INTEGER NOT NULL CHECK (signin_days > 0),
    usage_days     INTEGER NOT NULL CHECK (usage_days > 0),
    sessions_days  INTEGER NOT NULL CHECK (sessions_days > 0),
    updated_at     INTEGER NOT NULL
);
