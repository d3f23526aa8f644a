-- The PostgreSQL store's schema at version 28: the same as SQLite's migrations 0001–0028
-- folded into one file. A newer schema change adds a file per backend (one under
-- migrations/, one here).
--
-- The tables, columns and value types match the SQLite store by name, so rows copy between
-- the two by table and column and hash the same: every SQLite INTEGER is BIGINT (flags
-- included), BLOB is BYTEA. users.email, users.name and users.search_fold are BYTEA: they hold
-- either clear text (the platform owner, as its UTF-8 bytes) or a sealed cell.
-- Left out because they are derived in SQLite: the FTS5 table company_search (and its shadow
-- tables) and company_counts, with the triggers that keep them.
-- Times are Unix milliseconds (UTC). Ids are opaque prefixed strings.

-- Plans and companies --------------------------------------------------------------------

CREATE TABLE plans (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    name_fold    TEXT NOT NULL UNIQUE,
    description  TEXT NOT NULL DEFAULT '',
    -- SQLite: json_valid(limits) AND json_type(limits, '$.max_users') = 'integer'.
    -- Text that is not JSON fails the cast (an error rather than a failed check).
    limits       TEXT NOT NULL CHECK (jsonb_typeof(limits::jsonb -> 'max_users') = 'number'
                                      AND (limits::jsonb ->> 'max_users') ~ '^-?[0-9]+$'),
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);

CREATE TABLE companies (
    id                   TEXT PRIMARY KEY,
    legal_name           TEXT NOT NULL,
    trade_name           TEXT,
    cnpj                 TEXT NOT NULL CHECK (length(cnpj) = 14),
    slug                 TEXT NOT NULL,
    contact_email        TEXT,
    contact_phone        TEXT,
    status               TEXT NOT NULL CHECK (status IN ('pending', 'active', 'suspended', 'cancelled')),
    display_name         TEXT,
    primary_color        TEXT,
    logo_data_url        TEXT,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL,
    -- When the owner created or approved the company; NULL while it is an unapproved sign-up.
    approved_at          BIGINT,
    search_fold          TEXT NOT NULL DEFAULT '',
    sort_name            TEXT NOT NULL DEFAULT '',
    magic_link_sign_in   BIGINT NOT NULL DEFAULT 0,
    plan_id              TEXT REFERENCES plans (id),
    trial_ends_at        TEXT,
    subscription_status  TEXT NOT NULL DEFAULT 'active'
                         CHECK (subscription_status IN ('trial', 'active', 'past_due', 'cancelled'))
);
CREATE INDEX companies_status_id ON companies (status, id);
CREATE INDEX companies_legal_name ON companies (lower(legal_name));
CREATE UNIQUE INDEX companies_cnpj_live ON companies (cnpj) WHERE approved_at IS NOT NULL;
CREATE UNIQUE INDEX companies_slug_live ON companies (slug) WHERE approved_at IS NOT NULL;
CREATE INDEX companies_cnpj ON companies (cnpj);
CREATE INDEX companies_slug ON companies (slug);
CREATE INDEX companies_sort_name_id ON companies (sort_name, id);
CREATE INDEX companies_cnpj_id ON companies (cnpj, id);
CREATE INDEX companies_created_id ON companies (created_at, id);
CREATE INDEX companies_plan_id ON companies (plan_id);

-- Each company's data key, sealed under the master key; a row without `sealed` waits for the
-- server to create the key.
CREATE TABLE company_keys (
    company_id  TEXT PRIMARY KEY REFERENCES companies (id) ON DELETE CASCADE,
    sealed      BYTEA,
    key_id      TEXT,
    created_at  BIGINT NOT NULL
);
CREATE INDEX company_keys_missing ON company_keys (company_id) WHERE sealed IS NULL;
CREATE INDEX company_keys_key_id ON company_keys (key_id);

CREATE TABLE company_secrets (
    company_id     TEXT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    kind           TEXT NOT NULL,
    sealed         BYTEA NOT NULL,
    key_id         TEXT NOT NULL,
    hint           TEXT NOT NULL,
    updated_at     BIGINT NOT NULL,
    PRIMARY KEY (company_id, kind)
);
-- Secrets not yet sealed as a cell under the company key (a cell starts 'ARMPD1').
CREATE INDEX company_secrets_unsealed ON company_secrets (company_id)
    WHERE substring(sealed from 1 for 6) <> '\x41524d504431'::bytea;

CREATE TABLE company_domains (
    domain         TEXT PRIMARY KEY,
    company_id     TEXT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    created_at     BIGINT NOT NULL
);
CREATE INDEX company_domains_company ON company_domains (company_id);

CREATE TABLE mfa_policies (
    company_id  TEXT PRIMARY KEY,
    policy      TEXT NOT NULL CHECK (policy IN ('off', 'admins', 'everyone')),
    updated_at  BIGINT NOT NULL
);

-- Users and their sign-in state ---------------------------------------------------------

CREATE TABLE users (
    id                 TEXT PRIMARY KEY,
    company_id         TEXT REFERENCES companies (id) ON DELETE CASCADE,
    -- Clear text (UTF-8 bytes) for the owner, a sealed cell for everyone else.
    email              BYTEA NOT NULL,
    name               BYTEA NOT NULL,
    role               TEXT NOT NULL CHECK (role IN ('owner', 'company_admin', 'member')),
    status             TEXT NOT NULL CHECK (status IN ('pending', 'active', 'disabled')),
    password_hash      TEXT NOT NULL,
    last_login_at      BIGINT,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL,
    search_fold        BYTEA NOT NULL DEFAULT ''::bytea,
    language           TEXT NOT NULL DEFAULT 'pt-BR' CHECK (language IN ('pt-BR', 'en')),
    email_verified_at  BIGINT,
    -- HMAC-SHA256 of the address: users are found by e-mail through it.
    email_index        BYTEA,
    CHECK ((role = 'owner') = (company_id IS NULL))
);
CREATE INDEX users_company_id ON users (company_id, id);
CREATE INDEX users_status_id ON users (status, id);
CREATE UNIQUE INDEX users_email_index_live ON users (email_index) WHERE status <> 'pending';
CREATE INDEX users_email_index ON users (email_index);
-- What the server still has to seal or index. SQLite tells a clear cell by typeof(email) =
-- 'text'; here a sealed cell is told by its magic prefix 'ARMPD1'.
CREATE INDEX users_unsealed ON users (id)
    WHERE email_index IS NULL
       OR (company_id IS NOT NULL AND substring(email from 1 for 6) <> '\x41524d504431'::bytea);

CREATE TABLE sessions (
    token_hash     BYTEA PRIMARY KEY,
    user_id        TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL,
    ip             TEXT,
    user_agent     TEXT,
    id             TEXT,
    last_seen_at   BIGINT
);
CREATE INDEX sessions_user_id ON sessions (user_id);
CREATE UNIQUE INDEX sessions_id ON sessions (id);

CREATE TABLE setup_tokens (
    token_hash     BYTEA PRIMARY KEY,
    expires_at     BIGINT NOT NULL
);

CREATE TABLE login_links (
    token_hash     BYTEA PRIMARY KEY,
    user_id        TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at     BIGINT NOT NULL,
    created_at     BIGINT NOT NULL
);
CREATE INDEX login_links_user_id ON login_links (user_id);

CREATE TABLE password_resets (
    token_hash  BYTEA PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at  BIGINT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX password_resets_user_id ON password_resets (user_id);

CREATE TABLE invitations (
    id           TEXT PRIMARY KEY,
    company_id   TEXT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    -- Case-insensitive in SQLite (COLLATE NOCASE): compare through lower(email).
    email        TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('company_admin', 'member')),
    token_hash   BYTEA NOT NULL UNIQUE,
    expires_at   BIGINT NOT NULL,
    created_by   TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at   BIGINT NOT NULL,
    sent_at      BIGINT NOT NULL,
    accepted_at  BIGINT,
    revoked_at   BIGINT,
    language     TEXT NOT NULL DEFAULT 'pt-BR' CHECK (language IN ('pt-BR', 'en')),
    CHECK (accepted_at IS NULL OR revoked_at IS NULL)
);
CREATE INDEX invitations_company_id ON invitations (company_id, id);
CREATE INDEX invitations_open_email ON invitations (lower(email))
    WHERE accepted_at IS NULL AND revoked_at IS NULL;

CREATE TABLE user_totp (
    user_id       TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    sealed        BYTEA NOT NULL,
    key_id        TEXT NOT NULL,
    confirmed_at  BIGINT,
    last_step     BIGINT,
    created_at    BIGINT NOT NULL
);

CREATE TABLE mfa_recovery_codes (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  BYTEA NOT NULL,
    used_at    BIGINT,
    PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE mfa_challenges (
    token_hash  BYTEA PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    action      TEXT NOT NULL,
    expires_at  BIGINT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX mfa_challenges_user_id ON mfa_challenges (user_id);

CREATE TABLE magic_links (
    token_hash  BYTEA PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    nonce_hash  BYTEA NOT NULL,
    expires_at  BIGINT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX magic_links_user_id ON magic_links (user_id);

CREATE TABLE email_tokens (
    token_hash  BYTEA PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose     TEXT NOT NULL CHECK (purpose IN ('verify', 'change')),
    -- The address a change moves to; NULL for a verification.
    new_email   TEXT,
    expires_at  BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    CHECK ((purpose = 'change') = (new_email IS NOT NULL))
);
CREATE INDEX email_tokens_user ON email_tokens (user_id, purpose);

CREATE TABLE alert_optouts (
    user_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    topic    TEXT NOT NULL,
    PRIMARY KEY (user_id, topic)
);

CREATE TABLE email_index_key (
    id             BIGINT PRIMARY KEY CHECK (id = 1),
    indexed_under  TEXT NOT NULL
);

-- Audit log ------------------------------------------------------------------------------

CREATE TABLE audit_events (
    id             BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    at             BIGINT NOT NULL,
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

CREATE TABLE audit_chain (
    event_id         BIGINT PRIMARY KEY,
    personal_salt    BYTEA,
    personal_commit  BYTEA NOT NULL,
    prev_hash        BYTEA NOT NULL,
    hash             BYTEA NOT NULL
);

CREATE TABLE audit_chain_anchor (
    id              BIGINT PRIMARY KEY CHECK (id = 1),
    after_event_id  BIGINT NOT NULL,
    hash            BYTEA NOT NULL,
    updated_at      BIGINT NOT NULL
);
-- The genesis anchor, as SQLite's migration 0022 writes it: the chain starts from 32 zero bytes.
INSERT INTO audit_chain_anchor (id, after_event_id, hash, updated_at)
    VALUES (1, 0, decode(repeat('00', 32), 'hex'), 0);

CREATE TABLE audit_verification (
    id               BIGINT PRIMARY KEY CHECK (id = 1),
    verified_at      BIGINT NOT NULL,
    ok               BIGINT NOT NULL,
    events_checked   BIGINT NOT NULL,
    broken_event_id  BIGINT,
    broken_kind      TEXT,
    problem          TEXT
);

-- Applications, links and their configuration --------------------------------------------

CREATE TABLE applications (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    description    TEXT,
    contact_email  TEXT,
    status         TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);

CREATE TABLE app_credentials (
    id             TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    label          TEXT NOT NULL,
    key_hash       BYTEA NOT NULL UNIQUE,
    key_prefix     TEXT NOT NULL,
    expires_at     BIGINT,
    revoked_at     BIGINT,
    last_used_at   BIGINT,
    last_used_ip   TEXT,
    created_at     BIGINT NOT NULL
);
CREATE INDEX app_credentials_application ON app_credentials (application_id);

CREATE TABLE links (
    id             TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    company_id     TEXT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    scopes         TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    external_id    TEXT,
    UNIQUE (application_id, company_id)
);
CREATE INDEX links_company ON links (company_id);
CREATE UNIQUE INDEX links_application_external_id ON links (application_id, external_id)
    WHERE external_id IS NOT NULL;

CREATE TABLE link_provisioning (
    link_id       TEXT PRIMARY KEY REFERENCES links (id) ON DELETE CASCADE,
    state         TEXT NOT NULL
                  CHECK (state IN ('requested', 'provisioning', 'ready', 'failed')),
    message       TEXT,
    reported_at   BIGINT,
    requested_at  BIGINT,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX link_provisioning_state ON link_provisioning (state, updated_at);

CREATE TABLE usage_daily (
    day            TEXT NOT NULL,
    application_id TEXT NOT NULL,
    company_id     TEXT NOT NULL,
    route_group    TEXT NOT NULL,
    requests       BIGINT NOT NULL,
    PRIMARY KEY (day, application_id, company_id, route_group)
);
CREATE INDEX usage_daily_company ON usage_daily (company_id, day);

CREATE TABLE app_roles (
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    key            TEXT NOT NULL,
    name           TEXT NOT NULL,
    description    TEXT,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    PRIMARY KEY (application_id, key)
);

CREATE TABLE user_app_roles (
    user_id        TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    role_key       TEXT NOT NULL,
    granted_at     BIGINT NOT NULL,
    PRIMARY KEY (user_id, application_id, role_key),
    FOREIGN KEY (application_id, role_key) REFERENCES app_roles (application_id, key)
        ON DELETE CASCADE
);
CREATE INDEX user_app_roles_role ON user_app_roles (application_id, role_key);

CREATE TABLE app_config_schemas (
    application_id  TEXT PRIMARY KEY REFERENCES applications (id) ON DELETE CASCADE,
    schema          TEXT NOT NULL,
    version         BIGINT NOT NULL,
    defaults        TEXT NOT NULL DEFAULT '{}',
    updated_at      BIGINT NOT NULL
);

CREATE TABLE company_configs (
    company_id      TEXT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    application_id  TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    config          TEXT NOT NULL,
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (company_id, application_id)
);
CREATE INDEX company_configs_app ON company_configs (application_id);

-- OpenID Connect -------------------------------------------------------------------------

CREATE TABLE signing_keys (
    kid            TEXT PRIMARY KEY,
    alg            TEXT NOT NULL CHECK (alg = 'ES256'),
    x              TEXT NOT NULL,
    y              TEXT NOT NULL,
    sealed         BYTEA,
    key_id         TEXT,
    created_at     BIGINT NOT NULL,
    retired_at     BIGINT,
    publish_until  BIGINT,
    CHECK ((sealed IS NULL) = (key_id IS NULL))
);

CREATE TABLE oidc_clients (
    application_id            TEXT PRIMARY KEY REFERENCES applications (id) ON DELETE CASCADE,
    redirect_uris             TEXT NOT NULL DEFAULT '[]',
    post_logout_redirect_uris TEXT NOT NULL DEFAULT '[]',
    access_token_ttl          BIGINT NOT NULL DEFAULT 600,
    id_token_ttl              BIGINT NOT NULL DEFAULT 600,
    refresh_token_ttl         BIGINT NOT NULL DEFAULT 2592000,
    -- A public key (JWK) for private_key_jwt; NULL when the application uses its secret.
    jwk                       TEXT,
    updated_at                BIGINT NOT NULL
);

CREATE TABLE oidc_requests (
    id             TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    redirect_uri   TEXT NOT NULL,
    scope          TEXT NOT NULL,
    state          TEXT,
    nonce          TEXT,
    code_challenge TEXT NOT NULL,
    company_id     TEXT REFERENCES companies (id) ON DELETE CASCADE,
    login_hint     TEXT,
    prompt         TEXT,
    created_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL
);

CREATE TABLE oidc_codes (
    code_hash         BYTEA PRIMARY KEY,
    application_id    TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    user_id           TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    company_id        TEXT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    redirect_uri      TEXT NOT NULL,
    scope             TEXT NOT NULL,
    nonce             TEXT,
    code_challenge    TEXT NOT NULL,
    auth_time         BIGINT NOT NULL,
    created_at        BIGINT NOT NULL,
    expires_at        BIGINT NOT NULL,
    used_at           BIGINT,
    -- What the code gave, so a replayed code can end it: its refresh-token family and its
    -- access token (by `jti`, with that token's expiry).
    family_id         TEXT,
    access_jti        TEXT,
    access_expires_at BIGINT
);

CREATE TABLE oidc_refresh_tokens (
    token_hash     BYTEA PRIMARY KEY,
    family_id      TEXT NOT NULL,
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    user_id        TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    company_id     TEXT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    scope          TEXT NOT NULL,
    auth_time      BIGINT NOT NULL,
    created_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL,
    used_at        BIGINT,
    revoked_at     BIGINT
);
CREATE INDEX oidc_refresh_family ON oidc_refresh_tokens (family_id);
CREATE INDEX oidc_refresh_user ON oidc_refresh_tokens (user_id, application_id);

CREATE TABLE oidc_revoked_tokens (
    jti            TEXT PRIMARY KEY,
    expires_at     BIGINT NOT NULL
);

CREATE TABLE oidc_consents (
    user_id        TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    scope          TEXT NOT NULL,
    granted_at     BIGINT NOT NULL,
    PRIMARY KEY (user_id, application_id)
);

CREATE TABLE oidc_assertions (
    jti            TEXT PRIMARY KEY,
    expires_at     BIGINT NOT NULL
);

-- Webhooks -------------------------------------------------------------------------------

CREATE TABLE webhook_endpoints (
    id                TEXT PRIMARY KEY,
    application_id    TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    url               TEXT NOT NULL,
    event_types       TEXT NOT NULL,
    enabled           BIGINT NOT NULL DEFAULT 1,
    secrets_sealed    BYTEA NOT NULL,
    key_id            TEXT NOT NULL,
    previous_until    BIGINT,
    failing_since     BIGINT,
    disabled_reason   TEXT,
    disabled_at       BIGINT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX webhook_endpoints_app ON webhook_endpoints (application_id);

CREATE TABLE webhook_deliveries (
    id               BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    endpoint_id      TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    company_id       TEXT NOT NULL,
    event_id         TEXT NOT NULL,
    event_type       TEXT NOT NULL,
    payload          TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'failed', 'delivered', 'dead')),
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT NOT NULL,
    response_code    BIGINT,
    latency_ms       BIGINT,
    last_error       TEXT,
    created_at       BIGINT NOT NULL,
    last_attempt_at  BIGINT,
    delivered_at     BIGINT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_order ON webhook_deliveries (endpoint_id, company_id, id);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id);

-- Mail, alerts, backups ------------------------------------------------------------------

CREATE TABLE outbox (
    id               BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    message_id       TEXT NOT NULL UNIQUE,
    kind             TEXT NOT NULL,
    recipient        TEXT NOT NULL,
    company_id       TEXT,
    subject          TEXT NOT NULL,
    sealed           BYTEA,
    key_id           TEXT,
    status           TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'dead')),
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT NOT NULL,
    last_error       TEXT,
    created_at       BIGINT NOT NULL,
    sent_at          BIGINT,
    CHECK ((sealed IS NULL) = (key_id IS NULL))
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

CREATE TABLE alerts (
    id          BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    kind        TEXT NOT NULL,
    cause       TEXT NOT NULL,
    day         BIGINT NOT NULL,
    facts       TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    company_id  TEXT,
    UNIQUE (kind, cause, day)
);
CREATE INDEX alerts_created ON alerts (created_at, id);

CREATE TABLE backup_runs (
    id           TEXT PRIMARY KEY,
    started_at   BIGINT NOT NULL,
    finished_at  BIGINT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('succeeded', 'failed')),
    size         BIGINT,
    object_name  TEXT,
    error        TEXT,
    trigger      TEXT NOT NULL
);
CREATE INDEX backup_runs_started ON backup_runs (started_at);

-- Privacy (LGPD) -------------------------------------------------------------------------

CREATE TABLE privacy_requests (
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
    created_at      BIGINT NOT NULL,
    due_at          BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    closed_at       BIGINT,
    CHECK ((status = 'refused') = (refusal_reason IS NOT NULL))
);
CREATE INDEX privacy_requests_company ON privacy_requests (company_id, id);
CREATE INDEX privacy_requests_subject ON privacy_requests (subject_id, id);
CREATE INDEX privacy_requests_status ON privacy_requests (status, due_at);

CREATE TABLE dpo_contacts (
    scope       TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    email       TEXT NOT NULL,
    phone       TEXT NOT NULL DEFAULT '',
    updated_at  BIGINT NOT NULL
);

CREATE TABLE erasures (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('person', 'company')),
    company_id  TEXT NOT NULL,
    user_id     TEXT,
    pseudonym   TEXT NOT NULL,
    kept        TEXT NOT NULL DEFAULT '[]',
    erased_at   BIGINT NOT NULL
);
CREATE INDEX erasures_company ON erasures (company_id, kind);
CREATE INDEX erasures_user ON erasures (user_id);

CREATE TABLE retention_settings (
    id             BIGINT PRIMARY KEY CHECK (id = 1),
    audit_days     BIGINT NOT NULL CHECK (audit_days > 0),
    signin_days    BIGINT NOT NULL CHECK (signin_days > 0),
    usage_days     BIGINT NOT NULL CHECK (usage_days > 0),
    sessions_days  BIGINT NOT NULL CHECK (sessions_days > 0),
    updated_at     BIGINT NOT NULL
);

-- Row-level security: a second wall between companies ------------------------------------
--
-- Every table that holds a company's rows (those with a company_id column, and companies
-- itself by its id) shows and accepts only the rows of the company the transaction acts for.
-- The storage layer sets `armario.company_id` (transaction-local, SET LOCAL / set_config(...,
-- true)) from the caller's capability, and `armario.scope = 'platform'` for the owner and the
-- operator, who see every company. With neither set a table shows nothing, and rows without
-- a company (company_id NULL) are seen only under the platform scope. FORCE applies the wall
-- to the tables' owner too.

CREATE FUNCTION armario_sees(row_company TEXT) RETURNS BOOLEAN
LANGUAGE sql STABLE AS $$
    SELECT coalesce(current_setting('armario.scope', true), '') = 'platform'
        OR (row_company IS NOT NULL
            AND row_company = nullif(current_setting('armario.company_id', true), ''))
$$;

ALTER TABLE companies ENABLE ROW LEVEL SECURITY;
ALTER TABLE companies FORCE ROW LEVEL SECURITY;
CREATE POLICY company_wall ON companies USING (armario_sees(id)) WITH CHECK (armario_sees(id));

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
CREATE POLICY company_wall ON users USING (armario_sees(company_id)) WITH CHECK (armario_sees(company_id));

ALTER TABLE company_secrets ENABLE ROW LEVEL SECURITY;
ALTER TABLE company_secrets FORCE ROW LEVEL SECURITY;
CREATE POLICY company_wall ON company_secrets USING (armario_sees(company_id)) WITH CHECK (armario_sees(company_id));

ALTER TABLE links ENABLE ROW LEVEL SECURITY;
ALTER TABLE links FORCE ROW LEVEL SECURITY;
CREATE POLICY company_wall ON links USING (armario_sees(company_id)) WITH CHECK (armario_sees(company_id));

ALTER TABLE company_domains ENABLE ROW LEVEL SECURITY;
ALTER TABLE company_domains FORCE ROW LEVEL SECURITY;
CREATE POLICY company_wall ON company_domains USING (armario_sees(company_id)) WITH CHECK (armario_sees(company_id));

ALTER TABLE usage_daily ENABLE ROW LEVEL SECURITY;
ALTER TABLE usage_daily FORCE ROW LEVEL SECURITY;
CREATE POLICY company_wall ON usage_daily USING (armario_sees(company_id)) WITH CHECK (armario_sees(company_id));

ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_events FORCE ROW LEVEL SECURITY;
CREATE POLICY company_wall ON audit_events USING (armario_sees(company_id)) WITH CHECK (armario_sees(company_id));

ALTER TABLE outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE outbox FORCE ROW LEVEL SECURITY;
CREATE POLICY company_wall ON outbox USING (armario_sees(company_id)) WITH CHECK (armario_sees(company_id));

ALTER TABLE invitations ENABLE ROW LEVEL SECURITY;
ALTER TABLE invitations FORCE ROW LEVEL SECURITY;
CREATE POLICY company_wall ON invitations USING (armario_sees(company_id)) WITH CHECK (armario_sees(company_id));

ALTER TABLE mfa_policies ENABLE ROW LEVEL SECURITY;
ALTER TABLE mfa_policies FORCE ROW LEVEL SECURITY;
CREATE POLICY company_wall ON mfa_policies USING (armario_sees(company_id)) WITH CHECK (armario_sees(company_id));

ALTER TABLE oidc_requests ENABLE ROW LEVEL SECURITY;
ALTER TABLE oidc_requests FORCE ROW LEVEL SECURITY;
CREATE POLICY company_wall ON oidc_requests USING (armario_sees(company_id)) WITH CHECK (armario_sees(company_id));

ALTER TABLE oidc_codes ENABLE ROW LEVEL SECURITY;
ALTER TABLE oidc_codes FORCE ROW LEVEL SECURITY;
CREATE POLICY company_wall ON oidc_codes USING (armario_sees(company_id)) WITH CHECK (armario_sees(company_id));

ALTER TABLE oidc_refresh_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE oidc_refresh_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY company_wall ON oidc_refresh_tokens USING (armario_sees(company_id)) WITH CHECK (armario_sees(company_id));

ALTER TABLE webhook_deliveries ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_deliveries FORCE ROW LEVEL SECURITY;
CREATE POLICY company_wall ON webhook_deliveries USING (armario_sees(company_id)) WITH CHECK (armario_sees(company_id));

ALTER TABLE company_configs ENABLE ROW LEVEL SECURITY;
ALTER TABLE company_configs FORCE ROW LEVEL SECURITY;
CREATE POLICY company_wall ON company_configs USING (armario_sees(company_id)) WITH CHECK (armario_sees(company_id));

ALTER TABLE privacy_requests ENABLE ROW LEVEL SECURITY;
ALTER TABLE privacy_requests FORCE ROW LEVEL SECURITY;
CREATE POLICY company_wall ON privacy_requests USING (armario_sees(company_id)) WITH CHECK (armario_sees(company_id));

ALTER TABLE erasures ENABLE ROW LEVEL SECURITY;
ALTER TABLE erasures FORCE ROW LEVEL SECURITY;
CREATE POLICY company_wall ON erasures USING (armario_sees(company_id)) WITH CHECK (armario_sees(company_id));

ALTER TABLE alerts ENABLE ROW LEVEL SECURITY;
ALTER TABLE alerts FORCE ROW LEVEL SECURITY;
CREATE POLICY company_wall ON alerts USING (armario_sees(company_id)) WITH CHECK (armario_sees(company_id));

ALTER TABLE company_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE company_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY company_wall ON company_keys USING (armario_sees(company_id)) WITH CHECK (armario_sees(company_id));

-- Tables whose rows belong to a company through a person or a link: a row is seen, and may be
-- written, when the person (or link) it belongs to is, so the wall of `users` (or `links`)
-- decides. Foreign keys do not see row-level security, so these need a wall of their own.

ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY company_wall ON sessions
    USING (EXISTS (SELECT 1 FROM users u WHERE u.id = user_id))
    WITH CHECK (EXISTS (SELECT 1 FROM users u WHERE u.id = user_id));

ALTER TABLE user_totp ENABLE ROW LEVEL SECURITY;
ALTER TABLE user_totp FORCE ROW LEVEL SECURITY;
CREATE POLICY company_wall ON user_totp
    USING (EXISTS (SELECT 1 FROM users u WHERE u.id = user_id))
    WITH CHECK (EXISTS (SELECT 1 FROM users u WHERE u.id = user_id));

ALTER TABLE mfa_recovery_codes ENABLE ROW LEVEL SECURITY;
ALTER TABLE mfa_recovery_codes FORCE ROW LEVEL SECURITY;
CREATE POLICY company_wall ON mfa_recovery_codes
    USING (EXISTS (SELECT 1 FROM users u WHERE u.id = user_id))
    WITH CHECK (EXISTS (SELECT 1 FROM users u WHERE u.id = user_id));

ALTER TABLE password_resets ENABLE ROW LEVEL SECURITY;
ALTER TABLE password_resets FORCE ROW LEVEL SECURITY;
CREATE POLICY company_wall ON password_resets
    USING (EXISTS (SELECT 1 FROM users u WHERE u.id = user_id))
    WITH CHECK (EXISTS (SELECT 1 FROM users u WHERE u.id = user_id));

ALTER TABLE login_links ENABLE ROW LEVEL SECURITY;
ALTER TABLE login_links FORCE ROW LEVEL SECURITY;
CREATE POLICY company_wall ON login_links
    USING (EXISTS (SELECT 1 FROM users u WHERE u.id = user_id))
    WITH CHECK (EXISTS (SELECT 1 FROM users u WHERE u.id = user_id));

ALTER TABLE magic_links ENABLE ROW LEVEL SECURITY;
ALTER TABLE magic_links FORCE ROW LEVEL SECURITY;
CREATE POLICY company_wall ON magic_links
    USING (EXISTS (SELECT 1 FROM users u WHERE u.id = user_id))
    WITH CHECK (EXISTS (SELECT 1 FROM users u WHERE u.id = user_id));

ALTER TABLE email_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE email_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY company_wall ON email_tokens
    USING (EXISTS (SELECT 1 FROM users u WHERE u.id = user_id))
    WITH CHECK (EXISTS (SELECT 1 FROM users u WHERE u.id = user_id));

ALTER TABLE mfa_challenges ENABLE ROW LEVEL SECURITY;
ALTER TABLE mfa_challenges FORCE ROW LEVEL SECURITY;
CREATE POLICY company_wall ON mfa_challenges
    USING (EXISTS (SELECT 1 FROM users u WHERE u.id = user_id))
    WITH CHECK (EXISTS (SELECT 1 FROM users u WHERE u.id = user_id));

ALTER TABLE alert_optouts ENABLE ROW LEVEL SECURITY;
ALTER TABLE alert_optouts FORCE ROW LEVEL SECURITY;
CREATE POLICY company_wall ON alert_optouts
    USING (EXISTS (SELECT 1 FROM users u WHERE u.id = user_id))
    WITH CHECK (EXISTS (SELECT 1 FROM users u WHERE u.id = user_id));

ALTER TABLE user_app_roles ENABLE ROW LEVEL SECURITY;
ALTER TABLE user_app_roles FORCE ROW LEVEL SECURITY;
CREATE POLICY company_wall ON user_app_roles
    USING (EXISTS (SELECT 1 FROM users u WHERE u.id = user_id))
    WITH CHECK (EXISTS (SELECT 1 FROM users u WHERE u.id = user_id));

ALTER TABLE oidc_consents ENABLE ROW LEVEL SECURITY;
ALTER TABLE oidc_consents FORCE ROW LEVEL SECURITY;
CREATE POLICY company_wall ON oidc_consents
    USING (EXISTS (SELECT 1 FROM users u WHERE u.id = user_id))
    WITH CHECK (EXISTS (SELECT 1 FROM users u WHERE u.id = user_id));

ALTER TABLE link_provisioning ENABLE ROW LEVEL SECURITY;
ALTER TABLE link_provisioning FORCE ROW LEVEL SECURITY;
CREATE POLICY company_wall ON link_provisioning
    USING (EXISTS (SELECT 1 FROM links l WHERE l.id = link_id))
    WITH CHECK (EXISTS (SELECT 1 FROM links l WHERE l.id = link_id));

-- A company's encarregado is keyed by the company's id; the platform's ('platform') is read by
-- every company (the portal shows it) and written only under the platform scope.
ALTER TABLE dpo_contacts ENABLE ROW LEVEL SECURITY;
ALTER TABLE dpo_contacts FORCE ROW LEVEL SECURITY;
CREATE POLICY company_wall ON dpo_contacts
    USING (scope = 'platform' OR armario_sees(scope))
    WITH CHECK (armario_sees(scope));
