-- Provisioning: what an application reports about setting a linked company up on its side.
-- One row per link, written when the application first reports or the owner or the company's
-- admin asks it to provision again; no row means nothing was reported yet. Safe to run again
-- (a database rolled back to an older version replays it). `requested_at` is
-- the last time someone asked again (the application receives `provisioning.requested`).
CREATE TABLE IF NOT EXISTS link_provisioning (
    link_id       TEXT PRIMARY KEY REFERENCES links (id) ON DELETE CASCADE,
    state         TEXT NOT NULL
                  CHECK (state IN ('requested', 'provisioning', 'ready', 'failed')),
    message       TEXT,
    reported_at   INTEGER,
    requested_at  INTEGER,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS link_provisioning_state ON link_provisioning (state, updated_at);
