-- What an erasure must reach in the live file and in backups.
--
-- The company an alert is about, as a column of its own: a backup seals an alert's facts (the
-- company's name, an application's message) under that company's key, and a restore must find
-- the company without reading the sealed facts. The table is rebuilt rather than altered so
-- the migration can run again on a database rolled back to an older version.
DROP TABLE IF EXISTS alerts_new;
CREATE TABLE alerts_new (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    cause       TEXT NOT NULL,
    day         INTEGER NOT NULL,
    facts       TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    company_id  TEXT,
    UNIQUE (kind, cause, day)
);
INSERT INTO alerts_new (id, kind, cause, day, facts, created_at, company_id)
    SELECT id, kind, cause, day, facts, created_at,
           CASE WHEN json_valid(facts) THEN json_extract(facts, '$.company_id') END
    FROM alerts;
DROP TABLE alerts;
ALTER TABLE alerts_new RENAME TO alerts;
CREATE INDEX alerts_created ON alerts (created_at, id);

-- Deleting from the company search index removes the entries at once instead of leaving them
-- in older segments until a merge, so an erased company's former name leaves no trigrams.
INSERT INTO company_search (company_search, rank) VALUES ('secure-delete', 1);
