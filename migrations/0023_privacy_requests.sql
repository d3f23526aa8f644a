-- Data-subject requests (LGPD art. 18) and the encarregado (DPO) contacts. A request names the
-- person it is about (`subject_id`) without a foreign key: a fulfilled deletion must leave the
-- record of the request behind, whatever happens to the user row. `due_at` is 15 days after
-- `created_at` (LGPD art. 19). Safe to run again (a database rolled back to an older version
-- replays it).
CREATE TABLE IF NOT EXISTS privacy_requests (
    id              TEXT PRIMARY KEY,
    company_id      TEXT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    subject_id      TEXT NOT NULL,
    requested_by    TEXT NOT NULL,
    kind            TEXT NOT NULL
                    CHECK (kind IN ('access', 'correction', 'portability', 'anonymisation', 'deletion')),
    status          TEXT NOT NULL DEFAULT 'open'
                    CHECK (status IN ('open', 'in_progress', 'fulfilled', 'refused')),
    details         TEXT NOT NULL DEFAULT '',
    notes           TEXT NOT NULL DEFAULT '',
    refusal_reason  TEXT,
    created_at      INTEGER NOT NULL,
    due_at          INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    closed_at       INTEGER,
    CHECK ((status = 'refused') = (refusal_reason IS NOT NULL))
);
CREATE INDEX IF NOT EXISTS privacy_requests_company ON privacy_requests (company_id, id);
CREATE INDEX IF NOT EXISTS privacy_requests_subject ON privacy_requests (subject_id, id);
CREATE INDEX IF NOT EXISTS privacy_requests_status ON privacy_requests (status, due_at);

-- The encarregado of the platform (`scope` = 'platform') and of each company (`scope` = its
-- id; removed with the company).
CREATE TABLE IF NOT EXISTS dpo_contacts (
    scope       TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    email       TEXT NOT NULL,
    phone       TEXT NOT NULL DEFAULT '',
    updated_at  INTEGER NOT NULL
) WITHOUT ROWID;
