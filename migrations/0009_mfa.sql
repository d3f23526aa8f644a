-- Two-factor sign-in. A user's TOTP secret is sealed under the master key (associated data
-- `user_totp/sealed/<user id>`); it counts only once confirmed with a first code. `last_step`
-- is the time step of the last accepted code, so a code is never accepted twice.
CREATE TABLE user_totp (
    user_id       TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    sealed        BLOB NOT NULL,
    key_id        TEXT NOT NULL,
    confirmed_at  INTEGER,
    last_step     INTEGER,
    created_at    INTEGER NOT NULL
) WITHOUT ROWID;

-- Single-use recovery codes: only their SHA-256 is kept.
CREATE TABLE mfa_recovery_codes (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  BLOB NOT NULL,
    used_at    INTEGER,
    PRIMARY KEY (user_id, code_hash)
) WITHOUT ROWID;

-- The second step of a sign-in: a first factor passed, a short-lived single-use challenge
-- (only its SHA-256 kept) waits for a code. `action` is the first factor's audit action.
CREATE TABLE mfa_challenges (
    token_hash  BLOB PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    action      TEXT NOT NULL,
    expires_at  INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX mfa_challenges_user_id ON mfa_challenges (user_id);

-- Who must use a second factor. The platform's row has company_id '' (owners); a company's
-- row says whether its admins or everyone must.
CREATE TABLE mfa_policies (
    company_id  TEXT PRIMARY KEY,
    policy      TEXT NOT NULL CHECK (policy IN ('off', 'admins', 'everyone')),
    updated_at  INTEGER NOT NULL
) WITHOUT ROWID;
