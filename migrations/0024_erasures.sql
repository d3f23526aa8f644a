-- The erasure ledger: one row per person or company erased. A restore re-applies it, so an
-- erased person or company never comes back from an older backup. No foreign keys: an entry
-- must outlive (and predate, in an older copy) the rows it names.
CREATE TABLE IF NOT EXISTS erasures (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('person', 'company')),
    company_id  TEXT NOT NULL,
    user_id     TEXT,
    pseudonym   TEXT NOT NULL,
    kept        TEXT NOT NULL DEFAULT '[]',
    erased_at   INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS erasures_company ON erasures (company_id, kind);
CREATE INDEX IF NOT EXISTS erasures_user ON erasures (user_id);
