-- Invitations to join a company: the invitee opens a single-use link and chooses a name and
-- password. Only the SHA-256 of the link's token is kept; resending replaces it, so the old
-- link stops working. A pending invitation (not accepted, not revoked, not expired) holds a
-- seat of the plan's user limit.
CREATE TABLE invitations (
    id           TEXT PRIMARY KEY,
    company_id   TEXT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    email        TEXT NOT NULL COLLATE NOCASE,
    role         TEXT NOT NULL CHECK (role IN ('company_admin', 'member')),
    token_hash   BLOB NOT NULL UNIQUE,
    expires_at   INTEGER NOT NULL,
    created_by   TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at   INTEGER NOT NULL,
    sent_at      INTEGER NOT NULL,
    accepted_at  INTEGER,
    revoked_at   INTEGER,
    CHECK (accepted_at IS NULL OR revoked_at IS NULL)
);
CREATE INDEX invitations_company_id ON invitations (company_id, id);
CREATE INDEX invitations_open_email ON invitations (email)
    WHERE accepted_at IS NULL AND revoked_at IS NULL;
