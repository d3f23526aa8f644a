//! SQL for two-factor sign-in: TOTP secrets (sealed), recovery codes and sign-in challenges
//! (SHA-256 digests only), and who must use a second factor.

use rusqlite::{params, OptionalExtension};

use crate::crypto::token::TokenHash;
use crate::db::sql::Db;
use crate::domain::mfa::MfaPolicy;
use crate::error::DomainResult;
use crate::ids::{CompanyId, UserId};

/// A user's TOTP row: the sealed secret and where it stands.
pub struct TotpRow {
    pub sealed: Vec<u8>,
    pub key_id: String,
    pub confirmed_at: Option<i64>,
    pub last_step: Option<i64>,
}

pub fn totp(conn: &Db, user: &UserId) -> DomainResult<Option<TotpRow>> {
    Ok(conn
        .query_row(
            "SELECT sealed, key_id, confirmed_at, last_step FROM user_totp WHERE user_id = ?1",
            [user],
            |r| {
                Ok(TotpRow {
                    sealed: r.get(0)?,
                    key_id: r.get(1)?,
                    confirmed_at: r.get(2)?,
                    last_step: r.get(3)?,
                })
            },
        )
        .optional()?)
}

/// Whether the user has a confirmed second factor.
pub fn enabled(conn: &Db, user: &UserId) -> DomainResult<bool> {
    Ok(super::cached_row(
        conn,
        "SELECT 1 FROM user_totp WHERE user_id = ?1 AND confirmed_at IS NOT NULL",
        [user],
        |_| Ok(()),
    )
    .optional()?
    .is_some())
}

/// Starts (or restarts) an unconfirmed enrolment with a freshly sealed secret.
pub fn put_pending(
    conn: &Db,
    user: &UserId,
    sealed: &[u8],
    key_id: &str,
    now: i64,
) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "INSERT INTO user_totp (user_id, sealed, key_id, created_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (user_id) DO UPDATE SET sealed = ?2, key_id = ?3, confirmed_at = NULL,
         last_step = NULL, created_at = ?4",
        params![user, sealed, key_id, now],
    )?;
    Ok(())
}

/// Records an accepted code's step, only if it is later than the last one accepted: false
/// means the step was already used (a replay, or a race with another request).
pub fn use_step(conn: &Db, user: &UserId, step: i64) -> DomainResult<bool> {
    let n = super::cached_execute(
        conn,
        "UPDATE user_totp SET last_step = ?2
         WHERE user_id = ?1 AND (last_step IS NULL OR last_step < ?2)",
        params![user, step],
    )?;
    Ok(n == 1)
}

pub fn confirm(conn: &Db, user: &UserId, now: i64) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "UPDATE user_totp SET confirmed_at = ?2 WHERE user_id = ?1",
        params![user, now],
    )?;
    Ok(())
}

/// Removes the user's second factor, recovery codes and open challenges; whether there was one.
pub fn remove(conn: &Db, user: &UserId) -> DomainResult<bool> {
    let n = super::cached_execute(conn, "DELETE FROM user_totp WHERE user_id = ?1", [user])?;
    super::cached_execute(
        conn,
        "DELETE FROM mfa_recovery_codes WHERE user_id = ?1",
        [user],
    )?;
    super::cached_execute(
        conn,
        "DELETE FROM mfa_challenges WHERE user_id = ?1",
        [user],
    )?;
    Ok(n == 1)
}

/// Replaces the user's recovery codes with these digests.
pub fn replace_recovery_codes(conn: &Db, user: &UserId, hashes: &[TokenHash]) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "DELETE FROM mfa_recovery_codes WHERE user_id = ?1",
        [user],
    )?;
    let mut stmt =
        conn.prepare("INSERT INTO mfa_recovery_codes (user_id, code_hash) VALUES (?1, ?2)")?;
    for h in hashes {
        stmt.execute(params![user, &h[..]])?;
    }
    Ok(())
}

/// Uses a recovery code: true when it was the user's and unused; it never works again.
pub fn use_recovery_code(
    conn: &Db,
    user: &UserId,
    hash: &TokenHash,
    now: i64,
) -> DomainResult<bool> {
    let n = super::cached_execute(
        conn,
        "UPDATE mfa_recovery_codes SET used_at = ?3
         WHERE user_id = ?1 AND code_hash = ?2 AND used_at IS NULL",
        params![user, &hash[..], now],
    )?;
    Ok(n == 1)
}

pub fn recovery_codes_left(conn: &Db, user: &UserId) -> DomainResult<i64> {
    Ok(conn.query_row(
        "SELECT COUNT(*) FROM mfa_recovery_codes WHERE user_id = ?1 AND used_at IS NULL",
        [user],
        |r| r.get(0),
    )?)
}

pub fn insert_challenge(
    conn: &Db,
    hash: &TokenHash,
    user: &UserId,
    action: &str,
    expires_at: i64,
    now: i64,
) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "DELETE FROM mfa_challenges WHERE expires_at <= ?1",
        [now],
    )?;
    super::cached_execute(
        conn,
        "INSERT INTO mfa_challenges (token_hash, user_id, action, expires_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![&hash[..], user, action, expires_at, now],
    )?;
    Ok(())
}

/// A live challenge's user and first factor's action, without using it up.
pub fn find_challenge(
    conn: &Db,
    hash: &TokenHash,
    now: i64,
) -> DomainResult<Option<(UserId, String)>> {
    Ok(conn
        .query_row(
            "SELECT user_id, action FROM mfa_challenges WHERE token_hash = ?1 AND expires_at > ?2",
            params![&hash[..], now],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// Uses a challenge up: true when it was still there.
pub fn take_challenge(conn: &Db, hash: &TokenHash) -> DomainResult<bool> {
    let n = super::cached_execute(
        conn,
        "DELETE FROM mfa_challenges WHERE token_hash = ?1",
        [&hash[..]],
    )?;
    Ok(n == 1)
}

/// The platform's row in `mfa_policies`: the owners' policy.
const PLATFORM: &str = "";

/// The policy of a company, or of the platform (owners) when `company` is `None`.
pub fn policy(conn: &Db, company: Option<&CompanyId>) -> DomainResult<MfaPolicy> {
    let key = company.map_or(PLATFORM, |c| c.as_str());
    let found: Option<String> = super::cached_row(
        conn,
        "SELECT policy FROM mfa_policies WHERE company_id = ?1",
        [key],
        |r| r.get(0),
    )
    .optional()?;
    Ok(found
        .as_deref()
        .and_then(MfaPolicy::parse)
        .unwrap_or(MfaPolicy::Off))
}

pub fn set_policy(
    conn: &Db,
    company: Option<&CompanyId>,
    policy: MfaPolicy,
    now: i64,
) -> DomainResult<()> {
    let key = company.map_or(PLATFORM, |c| c.as_str());
    super::cached_execute(
        conn,
        "INSERT INTO mfa_policies (company_id, policy, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (company_id) DO UPDATE SET policy = ?2, updated_at = ?3",
        params![key, policy.as_str(), now],
    )?;
    Ok(())
}

/// Every sealed TOTP secret, for `keys rotate`.
pub fn all_sealed(conn: &Db) -> DomainResult<Vec<(UserId, Vec<u8>, String)>> {
    let mut stmt =
        conn.prepare("SELECT user_id, sealed, key_id FROM user_totp ORDER BY user_id")?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

pub fn set_sealed(conn: &Db, user: &UserId, sealed: &[u8], key_id: &str) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "UPDATE user_totp SET sealed = ?2, key_id = ?3 WHERE user_id = ?1",
        params![user, sealed, key_id],
    )?;
    Ok(())
}
