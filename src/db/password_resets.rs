//! SQL for password reset links: only the token's digest is stored.

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
        "INSERT INTO password_resets (token_hash, user_id, expires_at, created_at)
         VALUES (?1, ?2, ?3, ?4)",
        params![&hash[..], user, expires_at, now],
    )?;
    Ok(())
}

/// Uses a live link once: removes it and returns its user. Expired links are swept on the way.
pub fn take(conn: &Db, hash: &TokenHash, now: i64) -> DomainResult<Option<UserId>> {
    super::cached_execute(
        conn,
        "DELETE FROM password_resets WHERE expires_at <= ?1",
        params![now],
    )?;
    Ok(conn
        .query_row(
            "DELETE FROM password_resets WHERE token_hash = ?1 RETURNING user_id",
            params![&hash[..]],
            |r| r.get(0),
        )
        .optional()?)
}

/// Every link of a user stops working (their password changed).
pub fn delete_for_user(conn: &Db, user: &UserId) -> DomainResult<usize> {
    Ok(super::cached_execute(
        conn,
        "DELETE FROM password_resets WHERE user_id = ?1",
        params![user],
    )?)
}
