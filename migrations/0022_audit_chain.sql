-- The audit log as a hash chain (src/domain/audit_chain.rs). One link per event, written in the
-- transaction that writes the event; no foreign key, like the events themselves, so a deleted
-- event leaves its link behind and verification names it. `personal_salt` is NULL once the
-- event's personal fields were anonymised. The events already stored are chained by this
-- migration (db::audit_chain::backfill runs in its transaction). Safe to run again.
CREATE TABLE IF NOT EXISTS audit_chain (
    event_id         INTEGER PRIMARY KEY,
    personal_salt    BLOB,
    personal_commit  BLOB NOT NULL,
    prev_hash        BLOB NOT NULL,
    hash             BLOB NOT NULL
);
-- Where the chain starts: the link of the last event pruned by retention (zeros: none yet).
CREATE TABLE IF NOT EXISTS audit_chain_anchor (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    after_event_id  INTEGER NOT NULL,
    hash            BLOB NOT NULL,
    updated_at      INTEGER NOT NULL
);
INSERT OR IGNORE INTO audit_chain_anchor (id, after_event_id, hash, updated_at)
    VALUES (1, 0, zeroblob(32), 0);
-- The server's last verification of the chain, for /readyz and the dashboard.
CREATE TABLE IF NOT EXISTS audit_verification (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    verified_at      INTEGER NOT NULL,
    ok               INTEGER NOT NULL,
    events_checked   INTEGER NOT NULL,
    broken_event_id  INTEGER,
    broken_kind      TEXT,
    problem          TEXT
);
