-- Applications, their credentials, their links to companies, company domains and usage.

CREATE TABLE applications (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    description    TEXT,
    contact_email  TEXT,
    status         TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);

-- Only the SHA-256 digest of a key is stored; `key_prefix` is its first characters, for display.
CREATE TABLE app_credentials (
    id             TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    label          TEXT NOT NULL,
    key_hash       BLOB NOT NULL UNIQUE,
    key_prefix     TEXT NOT NULL,
    expires_at     INTEGER,
    revoked_at     INTEGER,
    last_used_at   INTEGER,
    last_used_ip   TEXT,
    created_at     INTEGER NOT NULL
);
CREATE INDEX app_credentials_application ON app_credentials (application_id);

CREATE TABLE links (
    id             TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    company_id     TEXT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    scopes         TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    UNIQUE (application_id, company_id)
);
CREATE INDEX links_company ON links (company_id);

CREATE TABLE company_domains (
    domain         TEXT PRIMARY KEY,
    company_id     TEXT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    created_at     INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX company_domains_company ON company_domains (company_id);

-- Requests of applications per day (UTC, YYYY-MM-DD), application, company ('' when none) and
-- route group. Counted in memory and added here in batches.
CREATE TABLE usage_daily (
    day            TEXT NOT NULL,
    application_id TEXT NOT NULL,
    company_id     TEXT NOT NULL,
    route_group    TEXT NOT NULL,
    requests       INTEGER NOT NULL,
    PRIMARY KEY (day, application_id, company_id, route_group)
) WITHOUT ROWID;
CREATE INDEX usage_daily_company ON usage_daily (company_id, day);
