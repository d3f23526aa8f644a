//! SQL for the OpenID provider's signing keys. The private part is sealed; a retired key keeps
//! only its public point, until `publish_until`.

use rusqlite::params;

use crate::db::sql::Db;
use crate::error::DomainResult;

/// A stored key.
pub struct KeyRow {
    pub kid: String,
    pub x: String,
    pub y: String,
    /// Sealed PKCS#8 and the sealing key's id, while the key signs.
    pub sealed: Option<(Vec<u8>, String)>,
    pub created_at: i64,
    pub retired_at: Option<i64>,
    pub publish_until: Option<i64>,
}

/// Keys still published at `now`: the signing one and retired ones not yet past their window.
pub fn published(conn: &Db, now: i64) -> DomainResult<Vec<KeyRow>> {
    let mut stmt = conn.prepare(
        "SELECT kid, x, y, sealed, key_id, created_at, retired_at, publish_until
         FROM signing_keys WHERE publish_until IS NULL OR publish_until > ?1
         ORDER BY created_at DESC",
    )?;
    let rows = stmt
        .query_map([now], |r| {
            let sealed: Option<Vec<u8>> = r.get(3)?;
            let key_id: Option<String> = r.get(4)?;
            Ok(KeyRow {
                kid: r.get(0)?,
                x: r.get(1)?,
                y: r.get(2)?,
                sealed: sealed.zip(key_id),
                created_at: r.get(5)?,
                retired_at: r.get(6)?,
                publish_until: r.get(7)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Adds a key that signs from now on.
pub fn insert(
    conn: &Db,
    kid: &str,
    x: &str,
    y: &str,
    sealed: &[u8],
    key_id: &str,
    now: i64,
) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "INSERT INTO signing_keys (kid, alg, x, y, sealed, key_id, created_at)
         VALUES (?1, 'ES256', ?2, ?3, ?4, ?5, ?6)",
        params![kid, x, y, sealed, key_id, now],
    )?;
    Ok(())
}

/// Retires every signing key but `keep`: its private part is dropped and its public point
/// stays published until `publish_until`.
pub fn retire_others(conn: &Db, keep: &str, now: i64, publish_until: i64) -> DomainResult<usize> {
    Ok(super::cached_execute(
        conn,
        "UPDATE signing_keys SET sealed = NULL, key_id = NULL, retired_at = ?2,
         publish_until = ?3 WHERE kid <> ?1 AND retired_at IS NULL",
        params![keep, now, publish_until],
    )?)
}

/// Deletes keys whose publication window has passed.
pub fn prune(conn: &Db, now: i64) -> DomainResult<usize> {
    Ok(super::cached_execute(
        conn,
        "DELETE FROM signing_keys WHERE publish_until IS NOT NULL AND publish_until <= ?1",
        [now],
    )?)
}

/// The published keys' ids, each with whether it signs: what a running server compares with
/// the set it holds, to pick up a rotation made by another process without opening any key.
pub fn published_kids(conn: &Db, now: i64) -> DomainResult<Vec<(String, bool)>> {
    let mut stmt = conn.prepare(
        "SELECT kid, sealed IS NOT NULL FROM signing_keys
         WHERE publish_until IS NULL OR publish_until > ?1 ORDER BY kid",
    )?;
    let rows = stmt
        .query_map([now], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Every sealed private part, with its key id: for a master key rotation.
pub fn all_sealed(conn: &Db) -> DomainResult<Vec<(String, Vec<u8>, String)>> {
    let mut stmt = conn.prepare(
        "SELECT kid, sealed, key_id FROM signing_keys WHERE sealed IS NOT NULL ORDER BY kid",
    )?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Replaces a private part's sealed bytes (a master key rotation).
pub fn set_sealed(conn: &Db, kid: &str, sealed: &[u8], key_id: &str) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "UPDATE signing_keys SET sealed = ?2, key_id = ?3 WHERE kid = ?1 AND sealed IS NOT NULL",
        params![kid, sealed, key_id],
    )?;
    Ok(())
}
