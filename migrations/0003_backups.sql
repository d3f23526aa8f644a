-- Every backup run, good or failed, as the scheduler, the API or the CLI recorded it.
CREATE TABLE backup_runs (
    id           TEXT PRIMARY KEY,
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('succeeded', 'failed')),
    size         INTEGER,
    object_name  TEXT,
    error        TEXT,
    trigger      TEXT NOT NULL
);
CREATE INDEX backup_runs_started ON backup_runs (started_at);
