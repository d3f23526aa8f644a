-- Core schema: companies, users, sessions, sealed company secrets, audit log.
-- Times are Unix milliseconds (UTC). Ids are opaque prefixed strings.

CREATE TABLE companies (
    id             TEXT PRIMARY KEY,
    legal_name     TEXT NOT NULL,
    trade_name     TEXT,
    cnpj           TEXT NOT NULL UNIQUE CHECK (length(cnpj) = 14),
    slug           TEXT NOT NULL UNIQUE,
    contact_email  TEXT,
    contact_phone  TEXT,
    status         TEXT NOT NULL CHECK (status IN ('pending', 'active', 'suspended', 'cancelled')),
    plan           TEXT NOT NULL DEFAULT 'standard',
    max_users      INTEGER NOT NULL DEFAULT 25 CHECK (max_users >= 1),
    display_name   TEXT,
    primary_color  TEXT,
    logo_data_url  TEXT,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX companies_status_id ON companies (status, id);
CREATE INDEX companies_legal_name ON companies (legal_name COLLATE NOCASE);

CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    company_id     TEXT REFERENCES companies (id) ON DELETE CASCADE,
    email          TEXT NOT NULL COLLATE NOCASE UNIQUE,
    name           TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('owner', 'company_admin', 'member')),
    status         TEXT NOT NULL CHECK (status IN ('pending', 'active', 'disabled')),
    password_hash  TEXT NOT NULL,
    last_login_at  INTEGER,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    CHECK ((role = 'owner') = (company_id IS NULL))
);
CREATE INDEX users_company_id ON users (company_id, id);
CREATE INDEX users_status_id ON users (status, id);

CREATE TABLE sessions (
    token_hash     BLOB PRIMARY KEY,
    user_id        TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    ip             TEXT,
    user_agent     TEXT
) WITHOUT ROWID;
CREATE INDEX sessions_user_id ON sessions (user_id);

CREATE TABLE setup_tokens (
    token_hash     BLOB PRIMARY KEY,
    expires_at     INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE company_secrets (
    company_id     TEXT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    kind           TEXT NOT NULL,
    sealed         BLOB NOT NULL,
    key_id         TEXT NOT NULL,
    hint           TEXT NOT NULL,
    updated_at     INTEGER NOT NULL,
    PRIMARY KEY (company_id, kind)
) WITHOUT ROWID;

-- Audit events outlive what they describe: no foreign keys on purpose.
CREATE TABLE audit_events (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    at             INTEGER NOT NULL,
    actor_kind     TEXT NOT NULL,
    actor_id       TEXT,
    company_id     TEXT,
    action         TEXT NOT NULL,
    target_kind    TEXT,
    target_id      TEXT,
    ip             TEXT,
    details        TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_events_at ON audit_events (at);
CREATE INDEX audit_events_company ON audit_events (company_id, id);
CREATE INDEX audit_events_action ON audit_events (action, id);
CREATE INDEX audit_events_actor ON audit_events (actor_id, id);
