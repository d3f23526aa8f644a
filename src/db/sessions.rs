//! SQL for sessions and one-time setup tokens. Only SHA-256 digests of tokens are stored.

use rusqlite::{params, OptionalExtension};

use crate::crypto::token::TokenHash;
use crate::db::sql::Db;
use crate::error::DomainResult;
use crate::ids::{CompanyId, SessionId, UserId};

pub struct NewSession<'a> {
    pub id: &'a SessionId,
    pub hash: &'a TokenHash,
    pub user_id: &'a UserId,
    pub expires_at: i64,
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

pub fn insert(conn: &Db, s: &NewSession<'_>, now: i64) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "INSERT INTO sessions (token_hash, id, user_id, created_at, last_seen_at, expires_at, ip, user_agent) \
         VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6, ?7)",
        params![&s.hash[..], s.id, s.user_id, now, s.expires_at, s.ip, s.user_agent],
    )?;
    Ok(())
}

/// A live session: the stored digest (for a constant-time comparison), the user and expiry.
pub struct SessionRow {
    pub hash: Vec<u8>,
    pub user_id: UserId,
    pub expires_at: i64,
    pub last_seen_at: i64,
}

pub fn delete(conn: &Db, hash: &TokenHash) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "DELETE FROM sessions WHERE token_hash = ?1",
        [&hash[..]],
    )?;
    Ok(())
}

pub fn delete_for_user(conn: &Db, user: &UserId) -> DomainResult<usize> {
    Ok(super::cached_execute(
        conn,
        "DELETE FROM sessions WHERE user_id = ?1",
        [user],
    )?)
}

pub fn delete_for_company(conn: &Db, company: &CompanyId) -> DomainResult<usize> {
    Ok(super::cached_execute(
        conn,
        "DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE company_id = ?1)",
        [company],
    )?)
}

pub fn delete_expired(conn: &Db, now: i64) -> DomainResult<usize> {
    Ok(super::cached_execute(
        conn,
        "DELETE FROM sessions WHERE expires_at <= ?1",
        [now],
    )?)
}

pub fn insert_setup_token(conn: &Db, hash: &TokenHash, expires_at: i64) -> DomainResult<()> {
    super::cached_execute(conn, "DELETE FROM setup_tokens", [])?;
    super::cached_execute(
        conn,
        "INSERT INTO setup_tokens (token_hash, expires_at) VALUES (?1, ?2)",
        params![&hash[..], expires_at],
    )?;
    Ok(())
}

/// Consumes a setup token: true when it existed and had not expired.
pub fn take_setup_token(conn: &Db, hash: &TokenHash, now: i64) -> DomainResult<bool> {
    let found: Option<i64> = super::cached_row(
        conn,
        "SELECT expires_at FROM setup_tokens WHERE token_hash = ?1",
        [&hash[..]],
        |r| r.get(0),
    )
    .optional()?;
    super::cached_execute(conn, "DELETE FROM setup_tokens", [])?;
    Ok(found.is_some_and(|exp| exp > now))
}

pub fn clear_setup_tokens(conn: &Db) -> DomainResult<()> {
    super::cached_execute(conn, "DELETE FROM setup_tokens", [])?;
    Ok(())
}
