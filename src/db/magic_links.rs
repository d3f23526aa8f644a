//! SQL for magic sign-in links: only the digests of the link's token and of the asking
//! browser's nonce are stored.

use rusqlite::{params, OptionalExtension};

use crate::crypto::token::TokenHash;
use crate::db::sql::Db;
use crate::error::DomainResult;
use crate::ids::UserId;

pub struct NewMagicLink<'a> {
    pub hash: &'a TokenHash,
    pub user_id: &'a UserId,
    pub nonce_hash: &'a TokenHash,
    pub expires_at: i64,
}

/// A live link as stored.
pub struct MagicLink {
    pub user_id: UserId,
    pub nonce_hash: Vec<u8>,
}

pub fn insert(conn: &Db, link: &NewMagicLink<'_>, now: i64) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "DELETE FROM magic_links WHERE expires_at <= ?1",
        [now],
    )?;
    super::cached_execute(
        conn,
        "INSERT INTO magic_links (token_hash, user_id, nonce_hash, expires_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            &link.hash[..],
            link.user_id,
            &link.nonce_hash[..],
            link.expires_at,
            now
        ],
    )?;
    Ok(())
}

/// The link with this digest while it is live, without using it up: a try from another
/// browser must leave it working for the browser that asked.
pub fn find_live(conn: &Db, hash: &TokenHash, now: i64) -> DomainResult<Option<MagicLink>> {
    Ok(conn
        .query_row(
            "SELECT user_id, nonce_hash FROM magic_links WHERE token_hash = ?1 AND expires_at > ?2",
            params![&hash[..], now],
            |r| {
                Ok(MagicLink {
                    user_id: r.get(0)?,
                    nonce_hash: r.get(1)?,
                })
            },
        )
        .optional()?)
}

/// Uses a link up; false when it was already gone.
pub fn delete(conn: &Db, hash: &TokenHash) -> DomainResult<bool> {
    Ok(super::cached_execute(
        conn,
        "DELETE FROM magic_links WHERE token_hash = ?1",
        [&hash[..]],
    )? == 1)
}
