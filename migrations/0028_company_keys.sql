-- Each company's data key, sealed under the master key. Its users' e-mails, names and search
-- text and its secrets are sealed under it; erasing the company deletes the row, and nothing
-- sealed under the key opens again. A row without `sealed` waits for the server to create the
-- key at its next start (after this upgrade, or a restore: a backup carries no key inside).
CREATE TABLE IF NOT EXISTS company_keys (
    company_id  TEXT PRIMARY KEY REFERENCES companies (id) ON DELETE CASCADE,
    sealed      BLOB,
    key_id      TEXT,
    created_at  INTEGER NOT NULL
) WITHOUT ROWID;
INSERT OR IGNORE INTO company_keys (company_id, created_at)
    SELECT id, created_at FROM companies c
    WHERE NOT EXISTS (SELECT 1 FROM erasures e WHERE e.company_id = c.id AND e.kind = 'company');
CREATE INDEX IF NOT EXISTS company_keys_missing ON company_keys (company_id) WHERE sealed IS NULL;
-- The master key check at every start reads the distinct key ids from this index.
CREATE INDEX IF NOT EXISTS company_keys_key_id ON company_keys (key_id);

-- Users are found by e-mail through a keyed index (HMAC-SHA256 of the address): the address
-- itself is sealed. A live (not pending) address stays unique. The column `email_index` (BLOB)
-- is added by the migration runner before this file runs, once.
DROP INDEX IF EXISTS users_email_live;
DROP INDEX IF EXISTS users_email;
-- The master key whose subkey computed the indexes: started with another (a new key given
-- with the old one as previous), the server computes them all again.
CREATE TABLE IF NOT EXISTS email_index_key (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    indexed_under  TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS users_email_index_live ON users (email_index) WHERE status <> 'pending';
CREATE INDEX IF NOT EXISTS users_email_index ON users (email_index);

-- What the server still has to seal or index; empty once it has, so the check at every start
-- reads nothing.
CREATE INDEX IF NOT EXISTS users_unsealed ON users (id)
    WHERE email_index IS NULL OR (company_id IS NOT NULL AND typeof(email) = 'text');
CREATE INDEX IF NOT EXISTS company_secrets_unsealed ON company_secrets (company_id)
    WHERE substr(sealed, 1, 6) <> X'41524D504431';
