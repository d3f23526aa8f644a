-- Pending sign-ups no longer hold the CNPJ, slug and e-mail that live companies and users own:
-- anyone can sign up with anything, so a sign-up must never block the real owner of a CNPJ or
-- an e-mail. Uniqueness applies only to approved companies (approved_at set) and to users who
-- are not pending; the owner sees clashes in the approvals queue and approving a clashing
-- sign-up is refused. Also: one-time sign-in links issued from the server's console.
--
-- SQLite cannot drop a column's UNIQUE, so both tables are rebuilt (foreign keys are off while
-- migrations run; see db/migrate.rs).

CREATE TABLE companies_new (
    id             TEXT PRIMARY KEY,
    legal_name     TEXT NOT NULL,
    trade_name     TEXT,
    cnpj           TEXT NOT NULL CHECK (length(cnpj) = 14),
    slug           TEXT NOT NULL,
    contact_email  TEXT,
    contact_phone  TEXT,
    status         TEXT NOT NULL CHECK (status IN ('pending', 'active', 'suspended', 'cancelled')),
    plan           TEXT NOT NULL DEFAULT 'standard',
    max_users      INTEGER NOT NULL DEFAULT 25 CHECK (max_users >= 1),
    display_name   TEXT,
    primary_color  TEXT,
    logo_data_url  TEXT,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    -- When the owner created or approved the company; NULL while it is an unapproved sign-up.
    approved_at    INTEGER
);
INSERT INTO companies_new (id, legal_name, trade_name, cnpj, slug, contact_email, contact_phone,
    status, plan, max_users, display_name, primary_color, logo_data_url, created_at, updated_at,
    approved_at)
SELECT id, legal_name, trade_name, cnpj, slug, contact_email, contact_phone, status, plan,
    max_users, display_name, primary_color, logo_data_url, created_at, updated_at,
    CASE WHEN status = 'pending' THEN NULL ELSE created_at END
FROM companies;
DROP TABLE companies;
ALTER TABLE companies_new RENAME TO companies;
CREATE INDEX companies_status_id ON companies (status, id);
CREATE INDEX companies_legal_name ON companies (legal_name COLLATE NOCASE);
CREATE UNIQUE INDEX companies_cnpj_live ON companies (cnpj) WHERE approved_at IS NOT NULL;
CREATE UNIQUE INDEX companies_slug_live ON companies (slug) WHERE approved_at IS NOT NULL;
CREATE INDEX companies_cnpj ON companies (cnpj);
CREATE INDEX companies_slug ON companies (slug);

CREATE TABLE users_new (
    id             TEXT PRIMARY KEY,
    company_id     TEXT REFERENCES companies (id) ON DELETE CASCADE,
    email          TEXT NOT NULL COLLATE NOCASE,
    name           TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('owner', 'company_admin', 'member')),
    status         TEXT NOT NULL CHECK (status IN ('pending', 'active', 'disabled')),
    password_hash  TEXT NOT NULL,
    last_login_at  INTEGER,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    CHECK ((role = 'owner') = (company_id IS NULL))
);
INSERT INTO users_new (id, company_id, email, name, role, status, password_hash, last_login_at,
    created_at, updated_at)
SELECT id, company_id, email, name, role, status, password_hash, last_login_at, created_at,
    updated_at
FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
CREATE INDEX users_company_id ON users (company_id, id);
CREATE INDEX users_status_id ON users (status, id);
CREATE UNIQUE INDEX users_email_live ON users (email) WHERE status <> 'pending';
CREATE INDEX users_email ON users (email);

-- `armario admin login-link`: one-time sign-in links, kept only as SHA-256 digests.
CREATE TABLE login_links (
    token_hash     BLOB PRIMARY KEY,
    user_id        TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at     INTEGER NOT NULL,
    created_at     INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX login_links_user_id ON login_links (user_id);
