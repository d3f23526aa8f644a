-- E-mail that is never lost: each message is written here in the same transaction as the
-- change that causes it, and a sender task delivers it. The body may hold the recipient's
-- one-time link, so it is sealed like a company secret (associated data `outbox/sealed/<id>`)
-- and dropped once the message is sent. `message_id` is fixed at enqueue, so a message sent
-- again after a crash carries the same Message-ID.
CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id       TEXT NOT NULL UNIQUE,
    kind             TEXT NOT NULL,
    recipient        TEXT NOT NULL,
    company_id       TEXT,
    subject          TEXT NOT NULL,
    sealed           BLOB,
    key_id           TEXT,
    status           TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'dead')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    last_error       TEXT,
    created_at       INTEGER NOT NULL,
    sent_at          INTEGER,
    CHECK ((sealed IS NULL) = (key_id IS NULL))
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

-- Password reset links: only the SHA-256 of the token is kept; a link works once.
CREATE TABLE password_resets (
    token_hash  BLOB PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at  INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX password_resets_user_id ON password_resets (user_id);

-- The language of the messages a user receives: the one they last signed in with.
ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT 'pt-BR'
    CHECK (language IN ('pt-BR', 'en'));
