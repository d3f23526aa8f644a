-- Magic-link sign-in. A company switches it on (off by default); a link works once, for 15
-- minutes, and only in the browser that asked for it: the row keeps the SHA-256 of the link's
-- token and of the random nonce set as a cookie in that browser, never the values.
ALTER TABLE companies ADD COLUMN magic_link_sign_in INTEGER NOT NULL DEFAULT 0;

CREATE TABLE magic_links (
    token_hash  BLOB PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    nonce_hash  BLOB NOT NULL,
    expires_at  INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX magic_links_user_id ON magic_links (user_id);
