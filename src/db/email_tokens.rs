//! SQL for e-mail links: verifying an address and confirming a change of address. Only the
//! token's digest is stored.

use rusqlite::{params, OptionalExtension};

use crate::crypto::token::TokenHash;
use crate::db::sql::Db;
use crate::error::DomainResult;
use crate::ids::UserId;

/// What a link proves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmailLink {
    /// The user reads their current address.
    Verify,
    /// The user reads this new address, which then becomes theirs.
    Change(String),
}

impl EmailLink {
    fn purpose(&self) -> &'static str {
        match self {
            Self::Verify => "verify",
            Self::Change(_) => "change",
        }
    }
}

/// Stores a link, replacing the user's earlier link of the same purpose, so only the newest
/// works.
pub fn insert(
    conn: &Db,
    hash: &TokenHash,
    user: &UserId,
    link: &EmailLink,
    expires_at: i64,
    now: i64,
) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "DELETE FROM email_tokens WHERE user_id = ?1 AND purpose = ?2",
        params![user, link.purpose()],
    )?;
    let new_email = match link {
        EmailLink::Verify => None,
        EmailLink::Change(e) => Some(e.as_str()),
    };
    super::cached_execute(
        conn,
        "INSERT INTO email_tokens (token_hash, user_id, purpose, new_email, expires_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![&hash[..], user, link.purpose(), new_email, expires_at, now],
    )?;
    Ok(())
}

/// Uses a live link of the given kind once: removes it and returns its user and, for a change,
/// the new address. A link of the other kind is left alone. Expired links are swept on the way.
pub fn take(
    conn: &Db,
    hash: &TokenHash,
    change: bool,
    now: i64,
) -> DomainResult<Option<(UserId, EmailLink)>> {
    super::cached_execute(
        conn,
        "DELETE FROM email_tokens WHERE expires_at <= ?1",
        [now],
    )?;
    let purpose = if change { "change" } else { "verify" };
    let row: Option<(UserId, Option<String>)> = conn
        .query_row(
            "DELETE FROM email_tokens WHERE token_hash = ?1 AND purpose = ?2
             RETURNING user_id, new_email",
            params![&hash[..], purpose],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(row.map(|(user, new_email)| {
        let link = new_email.map_or(EmailLink::Verify, EmailLink::Change);
        (user, link)
    }))
}

/// Every e-mail link of a user stops working.
pub fn delete_for_user(conn: &Db, user: &UserId) -> DomainResult<usize> {
    Ok(super::cached_execute(
        conn,
        "DELETE FROM email_tokens WHERE user_id = ?1",
        params![user],
    )?)
}
