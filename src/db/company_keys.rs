//! Each company's data key in the store (`company_keys`), the e-mail index's key id, and the
//! pass that seals what is still in clear. The SQL functions that seal and open cells under a
//! company's key are in `cell_functions`.

use rusqlite::{params, OptionalExtension};

pub use super::cell_functions::register;
use crate::db::sql::Db;
use crate::error::DomainResult;

/// Creates the data key of a new company (left for [`seal_pending`] without the master key).
pub fn create(conn: &Db, company: &str, now: i64) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "INSERT INTO company_keys (company_id, sealed, key_id, created_at) \
         VALUES (?1, armario_new_company_key(?1), armario_master_key_id(), ?2) \
         ON CONFLICT (company_id) DO NOTHING",
        params![company, now],
    )?;
    Ok(())
}

/// Deletes the company's key: nothing sealed under it opens again, here or in any backup.
pub fn destroy(conn: &Db, company: &str) -> DomainResult<bool> {
    let deleted = super::cached_execute(
        conn,
        "DELETE FROM company_keys WHERE company_id = ?1",
        [company],
    )?;
    conn.query_row("SELECT armario_forget_company_key(?1)", [company], |_| {
        Ok(())
    })?;
    Ok(deleted > 0)
}

/// Every stored key, sealed, with the id of the master key that sealed it (for a rotation).
pub fn all_sealed(conn: &Db) -> DomainResult<Vec<(String, Vec<u8>, String)>> {
    let mut rows = Vec::new();
    for_each_sealed(conn, |company, sealed, key_id| {
        rows.push((company, sealed, key_id));
        true
    })?;
    Ok(rows)
}

/// Every stored key, sealed, handed to `each` in turn without gathering them (a backup of a
/// million companies would hold all of them twice); `each` returns `false` to stop.
pub fn for_each_sealed(
    conn: &Db,
    mut each: impl FnMut(String, Vec<u8>, String) -> bool,
) -> DomainResult<()> {
    let mut stmt = conn.prepare(
        "SELECT company_id, sealed, key_id FROM company_keys WHERE sealed IS NOT NULL ORDER BY company_id",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        if !each(row.get(0)?, row.get(1)?, row.get(2)?) {
            break;
        }
    }
    Ok(())
}

pub fn set_sealed(conn: &Db, company: &str, sealed: &[u8], key_id: &str) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "UPDATE company_keys SET sealed = ?2, key_id = ?3 WHERE company_id = ?1",
        params![company, sealed, key_id],
    )?;
    Ok(())
}

/// What [`seal_pending`] did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SealReport {
    /// E-mails indexed again because the master key changed since they were indexed.
    pub indexes_recomputed: usize,
    pub keys_created: usize,
    pub users_sealed: usize,
    pub secrets_sealed: usize,
    /// Audit events whose IP and details were sealed.
    pub events_sealed: usize,
}

/// How many rows one transaction of [`seal_pending`] handles.
const BATCH: i64 = 5_000;

/// Users whose e-mail has no index, or whose personal fields are in clear: the words of the
/// partial index `users_unsealed`, which the queries name (`INDEXED BY`), so the check at
/// every start reads only that index (without it the planner walks `users_company_id`).
pub(crate) const USERS_UNSEALED: &str =
    "(email_index IS NULL OR (company_id IS NOT NULL AND typeof(email) = 'text'))";
/// Secrets not yet sealed under their company's key; the words of `company_secrets_unsealed`.
pub(crate) const SECRETS_UNSEALED: &str = "(substr(sealed, 1, 6) <> X'41524D504431')";
/// A company's events with IP or details in clear; the words of `audit_events_unsealed`.
pub(crate) const EVENTS_UNSEALED: &str =
    "(company_id IS NOT NULL AND (typeof(details) = 'text' OR typeof(ip) = 'text'))";
/// Rows not of an erased company: its people keep their pseudonyms in clear, with no key.
const NOT_ERASED: &str =
    "company_id NOT IN (SELECT e.company_id FROM erasures e WHERE e.kind = 'company')";

/// Seals what is in clear: creates the keys of companies that have none (after an upgrade or a
/// restore), then seals their users' e-mails, names and search text, their secrets and their
/// audit events' IP and details, and indexes every e-mail. Runs in transactions of a few thousand rows; cheap when there is
/// nothing to do, as at every start after the first.
pub fn seal_pending(db: &Db, now: i64) -> DomainResult<SealReport> {
    // The cells are sealed and opened by functions the SQLite connection was given.
    let conn = db.sqlite_only("sealing cells inside SQL")?;
    let mut report = SealReport::default();
    let current: Option<String> =
        conn.query_row("SELECT armario_master_key_id()", [], |r| r.get(0))?;
    let Some(current) = current else {
        // Without the master key there is nothing this can seal.
        return Ok(report);
    };
    let indexed_with: Option<String> = conn
        .query_row(
            "SELECT indexed_under FROM email_index_key WHERE id = 1",
            [],
            |r| r.get(0),
        )
        .optional()?;
    if indexed_with.as_deref().is_some_and(|k| k != current) {
        report.indexes_recomputed = index_all(conn)?;
    }
    seal_in_batches(conn, now, &mut report)?;
    if indexed_with.as_deref() != Some(current.as_str()) {
        set_index_key_id(db, &current)?;
    }
    Ok(report)
}

/// On PostgreSQL, where no function inside the SQL can seal a cell: computes the e-mail index
/// of every person who has none and whose company still has its key (after a restore: a
/// backup carries no index), and, after the master key changed (the old one given as
/// previous), every index again under the current key, so people sign in as before. Returns
/// how many were computed; cheap when there is nothing to do (a partial index's scan).
pub fn reindex_pending(db: &Db) -> DomainResult<usize> {
    let current: Option<String> =
        db.query_row("SELECT armario_master_key_id()", [], |r| r.get(0))?;
    let Some(current) = current else {
        return Ok(0);
    };
    let indexed_with: Option<String> = db
        .query_row(
            "SELECT indexed_under FROM email_index_key WHERE id = 1",
            [],
            |r| r.get(0),
        )
        .optional()?;
    let emails = if indexed_with.as_deref().is_some_and(|k| k != current) {
        all_emails(db)?
    } else {
        unindexed_emails(db)?
    };
    for (user, email) in &emails {
        super::cached_execute(
            db,
            "UPDATE users SET email_index = armario_email_index(?2) WHERE id = ?1",
            params![user, email],
        )?;
    }
    if indexed_with.as_deref() != Some(current.as_str()) {
        set_index_key_id(db, &current)?;
    }
    Ok(emails.len())
}

/// People without an e-mail index whose e-mail can be opened: of no company, or of one that
/// has its key (an erased company's people keep pseudonyms, indexed by nothing).
fn unindexed_emails(conn: &Db) -> DomainResult<Vec<(String, String)>> {
    let mut stmt = conn.prepare(
        "SELECT id, armario_open('users', 'email', company_id, email) FROM users u
         WHERE email_index IS NULL AND (company_id IS NULL OR EXISTS
             (SELECT 1 FROM company_keys k WHERE k.company_id = u.company_id))
         ORDER BY id",
    )?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Records the master key whose subkey computed the e-mail indexes.
pub fn set_index_key_id(conn: &Db, key_id: &str) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "INSERT INTO email_index_key (id, indexed_under) VALUES (1, ?1)
         ON CONFLICT (id) DO UPDATE SET indexed_under = excluded.indexed_under",
        [key_id],
    )?;
    Ok(())
}

/// Computes every user's e-mail index again under the current key, a batch at a time.
fn index_all(conn: &rusqlite::Connection) -> DomainResult<usize> {
    let mut after = String::new();
    let mut done = 0;
    loop {
        let tx = conn.unchecked_transaction()?;
        let last: Option<String> = tx.query_row(
            "SELECT max(id) FROM (SELECT id FROM users WHERE id > ?1 ORDER BY id LIMIT ?2) AS slice",
            params![after, BATCH],
            |r| r.get(0),
        )?;
        let Some(last) = last else {
            return Ok(done);
        };
        done += tx.execute(
            "UPDATE users SET email_index =
                 armario_email_index(armario_open('users', 'email', company_id, email))
             WHERE id > ?1 AND id <= ?2",
            params![after, last],
        )?;
        tx.commit()?;
        after = last;
    }
}

fn seal_in_batches(
    conn: &rusqlite::Connection,
    now: i64,
    report: &mut SealReport,
) -> DomainResult<()> {
    // Every company with something to seal gets a row to fill (rows are made with the company,
    // but rows written around armario, as a bulk load, have none); an erased company none.
    let tx = conn.unchecked_transaction()?;
    for sql in [
        format!(
            "INSERT OR IGNORE INTO company_keys (company_id, created_at)
             SELECT DISTINCT company_id, ?1 FROM users INDEXED BY users_unsealed
             WHERE {USERS_UNSEALED} AND company_id IS NOT NULL AND {NOT_ERASED}"
        ),
        format!(
            "INSERT OR IGNORE INTO company_keys (company_id, created_at)
             SELECT DISTINCT company_id, ?1 FROM company_secrets INDEXED BY company_secrets_unsealed
             WHERE {SECRETS_UNSEALED} AND {NOT_ERASED}"
        ),
        format!(
            "INSERT OR IGNORE INTO company_keys (company_id, created_at)
             SELECT DISTINCT company_id, ?1 FROM audit_events INDEXED BY audit_events_unsealed
             WHERE {EVENTS_UNSEALED} AND {NOT_ERASED}
               AND company_id IN (SELECT id FROM companies)"
        ),
    ] {
        tx.execute(&sql, [now])?;
    }
    tx.execute(
        "DELETE FROM company_keys WHERE sealed IS NULL
           AND company_id IN (SELECT company_id FROM erasures WHERE kind = 'company')",
        [],
    )?;
    tx.commit()?;
    report.keys_created += batches(conn, |tx| {
        Ok(tx.execute(
            "UPDATE company_keys SET sealed = armario_new_company_key(company_id),
                 key_id = armario_master_key_id()
             WHERE company_id IN (SELECT company_id FROM company_keys WHERE sealed IS NULL LIMIT ?1)",
            [BATCH],
        )?)
    })?;
    // Only rows the functions can act on are taken, so each loop ends: an erased company's
    // users (no key) get their index and keep their pseudonyms in clear.
    let with_key = "EXISTS (SELECT 1 FROM company_keys k WHERE k.company_id = t.company_id AND k.sealed IS NOT NULL)";
    report.users_sealed += batches(conn, |tx| {
        Ok(tx.execute(
            &format!(
                "UPDATE users SET email = armario_seal('users', 'email', company_id, email),
                   name = armario_seal('users', 'name', company_id, name),
                   search_fold = armario_seal('users', 'search_fold', company_id, search_fold),
                   email_index = armario_email_index(armario_open('users', 'email', company_id, email))
                 WHERE id IN (SELECT id FROM users t INDEXED BY users_unsealed WHERE {USERS_UNSEALED}
                   AND (email_index IS NULL OR {with_key}) LIMIT ?1)"
            ),
            [BATCH],
        )?)
    })?;
    report.secrets_sealed += batches(conn, |tx| {
        Ok(tx.execute(
            &format!(
                "UPDATE company_secrets SET sealed = armario_seal('company_secrets', 'sealed', company_id, sealed)
                 WHERE (company_id, kind) IN (SELECT company_id, kind FROM company_secrets t
                   INDEXED BY company_secrets_unsealed WHERE {SECRETS_UNSEALED} AND {with_key} LIMIT ?1)"
            ),
            [BATCH],
        )?)
    })?;
    report.events_sealed += batches(conn, |tx| {
        Ok(tx.execute(
            &format!(
                "UPDATE audit_events SET ip = armario_seal('audit_events', 'ip', company_id, ip),
                   details = armario_seal('audit_events', 'details', company_id, details)
                 WHERE id IN (SELECT id FROM audit_events t INDEXED BY audit_events_unsealed
                   WHERE {EVENTS_UNSEALED} AND {with_key} LIMIT ?1)"
            ),
            [BATCH],
        )?)
    })?;
    Ok(())
}

/// Runs `step` in a transaction of its own until it changes nothing; returns the rows changed.
fn batches(
    conn: &rusqlite::Connection,
    step: impl Fn(&rusqlite::Connection) -> DomainResult<usize>,
) -> DomainResult<usize> {
    let mut total = 0;
    loop {
        let tx = conn.unchecked_transaction()?;
        let changed = step(&tx)?;
        tx.commit()?;
        if changed == 0 {
            return Ok(total);
        }
        total += changed;
    }
}

/// The e-mail of every user, opened, for a rotation to index them under the new key.
pub fn all_emails(conn: &Db) -> DomainResult<Vec<(String, String)>> {
    let mut stmt = conn.prepare(
        "SELECT id, armario_open('users', 'email', company_id, email) FROM users ORDER BY id",
    )?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

pub fn set_email_index(conn: &Db, user: &str, index: &[u8]) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "UPDATE users SET email_index = ?2 WHERE id = ?1",
        params![user, index],
    )?;
    Ok(())
}
