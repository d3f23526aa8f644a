//! SQL for one-time sign-in links (`armario admin login-link`), kept only as SHA-256 digests.

use rusqlite::{params, OptionalExtension};

use crate::crypto::token::TokenHash;
use crate::db::sql::Db;
use crate::error::DomainResult;
use crate::ids::UserId;

pub fn insert(
    conn: &Db,
    hash: &TokenHash,
    user: &UserId,
    expires_at: i64,
    now: i64,
) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "DELETE FROM login_links WHERE expires_at <= ?1",
        [now],
    )?;
    super::cached_execute(
        conn,
        "INSERT INTO login_links (token_hash, user_id, expires_at, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![&hash[..], user, expires_at, now],
    )?;
    Ok(())
}

/// Consumes a link: its user when it existed and had not expired. A link works once.
pub fn take(conn: &Db, hash: &TokenHash, now: i64) -> DomainResult<Option<UserId>> {
    let found: Option<(UserId, i64)> = conn
        .query_row(
            "SELECT user_id, expires_at FROM login_links WHERE token_hash = ?1",
            [&hash[..]],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    super::cached_execute(
        conn,
        "DELETE FROM login_links WHERE token_hash = ?1",
        [&hash[..]],
    )?;
    Ok(found.filter(|(_, exp)| *exp > now).map(|(u, _)| u))
}
