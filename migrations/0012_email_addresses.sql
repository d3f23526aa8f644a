-- Addresses proven by the person who reads them. A sign-up's admin opens the link sent to the
-- address they gave (the owner sees which sign-ups did); a person changing their address opens
-- the link sent to the new one, and only then does it change. Opening an invitation or a
-- password reset link proves the address too. Only the SHA-256 of a link's token is kept.
ALTER TABLE users ADD COLUMN email_verified_at INTEGER;

CREATE TABLE email_tokens (
    token_hash  BLOB PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose     TEXT NOT NULL CHECK (purpose IN ('verify', 'change')),
    -- The address a change moves to; NULL for a verification.
    new_email   TEXT COLLATE NOCASE,
    expires_at  INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    CHECK ((purpose = 'change') = (new_email IS NOT NULL))
);
CREATE INDEX email_tokens_user ON email_tokens (user_id, purpose);
