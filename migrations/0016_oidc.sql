-- armario as an OpenID Provider.

-- Signing keys: ES256 key pairs. The private part (PKCS#8) is sealed with the master key and
-- dropped once the key stops signing; the public point stays published until `publish_until`,
-- when every token the key signed has expired.
CREATE TABLE signing_keys (
    kid            TEXT PRIMARY KEY,
    alg            TEXT NOT NULL CHECK (alg = 'ES256'),
    x              TEXT NOT NULL,
    y              TEXT NOT NULL,
    sealed         BLOB,
    key_id         TEXT,
    created_at     INTEGER NOT NULL,
    retired_at     INTEGER,
    publish_until  INTEGER,
    CHECK ((sealed IS NULL) = (key_id IS NULL))
);

-- An application's settings as an OpenID client. Lifetimes in seconds.
CREATE TABLE oidc_clients (
    application_id            TEXT PRIMARY KEY REFERENCES applications (id) ON DELETE CASCADE,
    redirect_uris             TEXT NOT NULL DEFAULT '[]',
    post_logout_redirect_uris TEXT NOT NULL DEFAULT '[]',
    access_token_ttl          INTEGER NOT NULL DEFAULT 600,
    id_token_ttl              INTEGER NOT NULL DEFAULT 600,
    refresh_token_ttl         INTEGER NOT NULL DEFAULT 2592000,
    -- A public key (JWK) for private_key_jwt; NULL when the application uses its secret.
    jwk                       TEXT,
    updated_at                INTEGER NOT NULL
);

-- An authorization request waiting for its user to sign in on the hosted page.
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
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL
);

-- Authorization codes: the SHA-256 digest only; single use, valid a minute.
CREATE TABLE oidc_codes (
    code_hash      BLOB PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    user_id        TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    company_id     TEXT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    redirect_uri   TEXT NOT NULL,
    scope          TEXT NOT NULL,
    nonce          TEXT,
    code_challenge TEXT NOT NULL,
    auth_time      INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    used_at        INTEGER,
    -- What the code gave, so a replayed code can end it: its refresh-token family and its
    -- access token (by `jti`, with that token's expiry).
    family_id      TEXT,
    access_jti     TEXT,
    access_expires_at INTEGER
);

-- Refresh tokens: digests only. Each use rotates: the old row gets `used_at`, a new row joins
-- the same family. A used token presented again revokes the whole family.
CREATE TABLE oidc_refresh_tokens (
    token_hash     BLOB PRIMARY KEY,
    family_id      TEXT NOT NULL,
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    user_id        TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    company_id     TEXT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    scope          TEXT NOT NULL,
    auth_time      INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    used_at        INTEGER,
    revoked_at     INTEGER
);
CREATE INDEX oidc_refresh_family ON oidc_refresh_tokens (family_id);
CREATE INDEX oidc_refresh_user ON oidc_refresh_tokens (user_id, application_id);

-- Access tokens revoked before they expire (RFC 7009): kept until `expires_at`.
CREATE TABLE oidc_revoked_tokens (
    jti            TEXT PRIMARY KEY,
    expires_at     INTEGER NOT NULL
);

-- Scopes beyond openid, profile and email a user agreed to give an application.
CREATE TABLE oidc_consents (
    user_id        TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    scope          TEXT NOT NULL,
    granted_at     INTEGER NOT NULL,
    PRIMARY KEY (user_id, application_id)
);

-- Client assertions (private_key_jwt) already seen, so none is accepted twice.
CREATE TABLE oidc_assertions (
    jti            TEXT PRIMARY KEY,
    expires_at     INTEGER NOT NULL
);
