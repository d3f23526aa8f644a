//! SQL for users.

use std::sync::LazyLock;

use rusqlite::{params, OptionalExtension};

use super::sessions::SessionRow;
use crate::crypto::token::TokenHash;
use crate::db::sql::{Db, Row};
use crate::domain::language::Lang;
use crate::domain::mfa::MfaPolicy;
use crate::domain::user::{Role, User, UserFilter, UserPatch, UserStatus};
use crate::domain::Page;
use crate::error::DomainResult;
use crate::ids::{CompanyId, UserId};

// The last column says whether the user has a confirmed second factor.
// E-mail, name and search text are sealed under the company's key (`db::company_keys`).
const COLUMNS: &str =
    "id, company_id, armario_open('users', 'email', company_id, email), \
     armario_open('users', 'name', company_id, name), role, status, last_login_at, created_at, updated_at, \
     email_verified_at, \
     EXISTS (SELECT 1 FROM user_totp t WHERE t.user_id = users.id AND t.confirmed_at IS NOT NULL)";

fn from_row(r: &Row<'_>) -> rusqlite::Result<User> {
    let role: String = r.get(4)?;
    let status: String = r.get(5)?;
    Ok(User {
        id: r.get(0)?,
        company_id: r.get(1)?,
        email: r.get(2)?,
        name: r.get(3)?,
        role: Role::parse(&role).unwrap_or(Role::Member),
        status: UserStatus::parse(&status).unwrap_or(UserStatus::Disabled),
        last_login_at: r.get(6)?,
        created_at: r.get(7)?,
        updated_at: r.get(8)?,
        email_verified_at: r.get(9)?,
        mfa_enabled: r.get(10)?,
    })
}

pub struct InsertUser<'a> {
    pub id: &'a UserId,
    pub company_id: Option<&'a CompanyId>,
    pub email: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub status: UserStatus,
    pub password_hash: &'a str,
}

pub fn insert(conn: &Db, u: &InsertUser<'_>, now: i64) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "INSERT INTO users (id, company_id, email, name, role, status, password_hash, created_at, updated_at, \
         search_fold, email_index) VALUES (?1, ?2, armario_seal('users', 'email', ?2, ?3), \
         armario_seal('users', 'name', ?2, ?4), ?5, ?6, ?7, ?8, ?8, \
         armario_seal('users', 'search_fold', ?2, ?9), armario_email_index(?3))",
        params![
            u.id,
            u.company_id,
            u.email,
            u.name,
            u.role.as_str(),
            u.status.as_str(),
            u.password_hash,
            now,
            search_text(u.name, u.email)
        ],
    )?;
    Ok(())
}

fn search_text(name: &str, email: &str) -> String {
    crate::domain::search::search_text(&[Some(name), Some(email)])
}

pub fn get(conn: &Db, id: &UserId) -> DomainResult<Option<User>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE id = ?1");
    Ok(super::cached_row(conn, &sql, [id], from_row).optional()?)
}

/// A live session, its user and the second-factor policy that binds the user (their company's,
/// or the platform's for an owner), in one statement: every signed-in request starts here. The
/// session must not have expired, its user must be active, and so must the user's company when
/// they have one.
pub fn by_session(
    conn: &Db,
    hash: &TokenHash,
    now: i64,
) -> DomainResult<Option<(SessionRow, User, MfaPolicy)>> {
    static SQL: LazyLock<String> = LazyLock::new(|| {
        format!(
            "SELECT {COLUMNS}, s.s_hash, s.s_expires, s.s_seen, \
                    (SELECT p.policy FROM mfa_policies p \
                     WHERE p.company_id = COALESCE(users.company_id, '')) \
             FROM (SELECT token_hash AS s_hash, user_id AS s_user, expires_at AS s_expires, \
                          last_seen_at AS s_seen \
                   FROM sessions WHERE token_hash = ?1 AND expires_at > ?2) s \
             JOIN users ON users.id = s.s_user \
             WHERE users.status = 'active' \
               AND (users.company_id IS NULL OR EXISTS (SELECT 1 FROM companies c \
                    WHERE c.id = users.company_id AND c.status = 'active'))"
        )
    });
    Ok(super::cached_row(conn, &SQL, params![&hash[..], now], |r| {
        let user = from_row(r)?;
        let session = SessionRow {
            hash: r.get(11)?,
            user_id: user.id.clone(),
            expires_at: r.get(12)?,
            last_seen_at: r.get::<_, Option<i64>>(13)?.unwrap_or(0),
        };
        let policy: Option<String> = r.get(14)?;
        let policy = policy
            .as_deref()
            .and_then(MfaPolicy::parse)
            .unwrap_or(MfaPolicy::Off);
        Ok((session, user, policy))
    })
    .optional()?)
}

/// A user of one company; another company's user is `None`.
pub fn get_in_company(conn: &Db, company: &CompanyId, id: &UserId) -> DomainResult<Option<User>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE id = ?1 AND company_id = ?2");
    Ok(super::cached_row(conn, &sql, params![id, company], from_row).optional()?)
}

/// The user and password hash for a sign-in attempt. Pending sign-ups may share an e-mail with
/// a live user (they hold no unique value), so the live user wins, then the newest sign-up.
pub fn find_for_login(conn: &Db, email: &str) -> DomainResult<Option<(User, String)>> {
    let sql = format!(
        "SELECT {COLUMNS}, password_hash FROM users WHERE email_index = armario_email_index(?1) \
         ORDER BY status = 'pending', created_at DESC LIMIT 1"
    );
    Ok(super::cached_row(conn, &sql, [email], |r| {
        Ok((from_row(r)?, r.get::<_, String>(11)?))
    })
    .optional()?)
}

/// The language of the messages the user receives.
pub fn language(conn: &Db, id: &UserId) -> DomainResult<Lang> {
    let stored: Option<String> = super::cached_row(
        conn,
        "SELECT language FROM users WHERE id = ?1",
        [id],
        |r| r.get(0),
    )
    .optional()?;
    Ok(stored.map_or(Lang::PtBr, |s| Lang::from_stored(&s)))
}

pub fn set_language(conn: &Db, id: &UserId, lang: Lang) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "UPDATE users SET language = ?2 WHERE id = ?1 AND language <> ?2",
        rusqlite::params![id, lang.as_str()],
    )?;
    Ok(())
}

pub fn password_hash(conn: &Db, id: &UserId) -> DomainResult<Option<String>> {
    Ok(super::cached_row(
        conn,
        "SELECT password_hash FROM users WHERE id = ?1",
        [id],
        |r| r.get(0),
    )
    .optional()?)
}

pub fn list(
    conn: &Db,
    f: &UserFilter,
    after: Option<&UserId>,
    limit: u32,
) -> DomainResult<Page<User>> {
    if conn.dialect() == crate::db::sql::Dialect::Postgres {
        if let Some(q) = searched(f) {
            return search_opened(conn, f, q, after, limit);
        }
    }
    let (sql, args) = list_query(f, after, limit);
    let mut stmt = conn.prepare_cached(&sql)?;
    super::keyset_page(&mut stmt, &args, limit, from_row, |u| u.id.to_string())
}

fn searched(f: &UserFilter) -> Option<&str> {
    f.search.as_deref().map(str::trim).filter(|q| !q.is_empty())
}

/// The search on PostgreSQL, which cannot open a cell inside a condition: the other filters'
/// rows in id order with their folded text opened as a column, matched here until the page is
/// full. The same answer as SQLite's `LIKE` over the opened text.
fn search_opened(
    conn: &Db,
    f: &UserFilter,
    q: &str,
    after: Option<&UserId>,
    limit: u32,
) -> DomainResult<Page<User>> {
    let wanted = crate::domain::search::fold(q);
    let unsearched = UserFilter {
        search: None,
        ..f.clone()
    };
    let (sql, args) = list_query(&unsearched, after, u32::MAX - 1);
    let sql = sql
        .replacen(
            " FROM users",
            ", armario_open('users', 'search_fold', company_id, search_fold) FROM users",
            1,
        )
        .replace(&format!(" LIMIT {}", u32::MAX), "");
    let mut stmt = conn.prepare_cached(&sql)?;
    let fold_at = stmt.column_count() - 1;
    let mut rows = stmt.query(crate::db::sql::params_from_iter(args.iter()))?;
    let mut items = Vec::new();
    while let Some(r) = rows.next()? {
        let folded: Option<String> = r.get(fold_at)?;
        if folded.is_some_and(|t| t.contains(&wanted)) {
            items.push(from_row(&r)?);
            if items.len() > limit as usize {
                break;
            }
        }
    }
    Ok(Page::from_rows(items, limit, |u| u.id.to_string()))
}

/// The SQL of one page of [`list`] and its arguments (apart, so a test can read its plan).
pub(crate) fn list_query(
    f: &UserFilter,
    after: Option<&UserId>,
    limit: u32,
) -> (String, Vec<Box<dyn rusqlite::ToSql>>) {
    let mut sql = format!("SELECT {COLUMNS} FROM users WHERE 1 = 1");
    let mut args: Vec<Box<dyn rusqlite::ToSql>> = Vec::new();
    if let Some(c) = &f.company {
        args.push(Box::new(c.clone()));
        sql.push_str(&format!(" AND company_id = ?{}", args.len()));
    }
    if let Some(u) = &f.only {
        args.push(Box::new(u.clone()));
        sql.push_str(&format!(" AND id = ?{}", args.len()));
    }
    if let Some(s) = f.status {
        args.push(Box::new(s.as_str()));
        sql.push_str(&format!(" AND status = ?{}", args.len()));
    }
    if let Some(r) = f.role {
        args.push(Box::new(r.as_str()));
        sql.push_str(&format!(" AND role = ?{}", args.len()));
    }
    if let Some(q) = searched(f) {
        // Name and e-mail are matched folded (accents and case ignored) on both sides.
        args.push(Box::new(super::like_pattern(&crate::domain::search::fold(
            q,
        ))));
        sql.push_str(&format!(
            " AND armario_open('users', 'search_fold', company_id, search_fold) LIKE ?{} ESCAPE '\\'",
            args.len()
        ));
    }
    if let Some(after) = after {
        args.push(Box::new(after.clone()));
        sql.push_str(&format!(" AND id > ?{}", args.len()));
    }
    sql.push_str(&format!(" ORDER BY id LIMIT {}", limit + 1));
    (sql, args)
}

/// The user's company, name and address (opened), for a change that seals under the company's
/// key: the key is named by a parameter, so the sealing runs in armario on either store.
fn sealing_context(
    conn: &Db,
    id: &UserId,
) -> DomainResult<Option<(Option<CompanyId>, String, String)>> {
    Ok(super::cached_row(
        conn,
        "SELECT company_id, armario_open('users', 'name', company_id, name), \
         armario_open('users', 'email', company_id, email) FROM users WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .optional()?)
}

pub fn update(conn: &Db, id: &UserId, p: &UserPatch, now: i64) -> DomainResult<()> {
    let Some((company, name, email)) = sealing_context(conn, id)? else {
        return Ok(());
    };
    // A new address is not verified until its owner shows they read it.
    let keeps_verification = p.email.as_ref().is_none_or(|e| *e == email);
    super::cached_execute(
        conn,
        "UPDATE users SET name = COALESCE(armario_seal('users', 'name', ?6, ?2), name), \
         email = COALESCE(armario_seal('users', 'email', ?6, ?3), email), \
         email_index = COALESCE(armario_email_index(?3), email_index), role = COALESCE(?4, role), \
         email_verified_at = CASE WHEN ?7 = 1 THEN email_verified_at END, \
         updated_at = ?5 WHERE id = ?1",
        params![
            id,
            p.name,
            p.email,
            p.role.map(Role::as_str),
            now,
            company,
            keeps_verification
        ],
    )?;
    if p.name.is_some() || p.email.is_some() {
        let name = p.name.as_deref().unwrap_or(&name);
        let email = p.email.as_deref().unwrap_or(&email);
        super::cached_execute(
            conn,
            "UPDATE users SET search_fold = armario_seal('users', 'search_fold', ?3, ?2) \
             WHERE id = ?1",
            params![id, search_text(name, email), company],
        )?;
    }
    Ok(())
}

pub fn set_status(conn: &Db, id: &UserId, status: UserStatus, now: i64) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "UPDATE users SET status = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, status.as_str(), now],
    )?;
    Ok(())
}

/// Activates the pending users of a company (its first admin, on approval).
pub fn activate_pending_in_company(
    conn: &Db,
    company: &CompanyId,
    now: i64,
) -> DomainResult<usize> {
    Ok(super::cached_execute(
        conn,
        "UPDATE users SET status = 'active', updated_at = ?2 WHERE company_id = ?1 AND status = 'pending'",
        params![company, now],
    )?)
}

pub fn set_password_hash(conn: &Db, id: &UserId, hash: &str, now: i64) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "UPDATE users SET password_hash = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, hash, now],
    )?;
    Ok(())
}

/// The user has shown they read their current address.
pub fn mark_email_verified(conn: &Db, id: &UserId, now: i64) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "UPDATE users SET email_verified_at = ?2 WHERE id = ?1 AND email_verified_at IS NULL",
        params![id, now],
    )?;
    Ok(())
}

/// Moves the user to a new address they have shown they read.
pub fn set_verified_email(conn: &Db, id: &UserId, email: &str, now: i64) -> DomainResult<()> {
    let Some((company, name, _)) = sealing_context(conn, id)? else {
        return Ok(());
    };
    super::cached_execute(
        conn,
        "UPDATE users SET email = armario_seal('users', 'email', ?5, ?2), \
         email_index = armario_email_index(?2), email_verified_at = ?3, updated_at = ?3, \
         search_fold = armario_seal('users', 'search_fold', ?5, ?4) WHERE id = ?1",
        params![id, email, now, search_text(&name, email), company],
    )?;
    Ok(())
}

pub fn touch_last_login(conn: &Db, id: &UserId, now: i64) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "UPDATE users SET last_login_at = ?2 WHERE id = ?1",
        params![id, now],
    )?;
    Ok(())
}

pub fn delete(conn: &Db, id: &UserId) -> DomainResult<()> {
    super::cached_execute(conn, "DELETE FROM users WHERE id = ?1", [id])?;
    Ok(())
}

/// Users counted against a company's plan: everyone not disabled.
pub fn count_billable(conn: &Db, company: &CompanyId) -> DomainResult<i64> {
    Ok(super::cached_row(
        conn,
        "SELECT COUNT(*) FROM users WHERE company_id = ?1 AND status != 'disabled'",
        [company],
        |r| r.get(0),
    )?)
}

pub fn owner_exists(conn: &Db) -> DomainResult<bool> {
    Ok(super::cached_row(
        conn,
        "SELECT 1 FROM users WHERE role = 'owner' LIMIT 1",
        [],
        |_| Ok(()),
    )
    .optional()?
    .is_some())
}

pub fn count_active_owners(conn: &Db) -> DomainResult<i64> {
    Ok(super::cached_row(
        conn,
        "SELECT COUNT(*) FROM users WHERE role = 'owner' AND status = 'active'",
        [],
        |r| r.get(0),
    )?)
}

pub fn count_all(conn: &Db) -> DomainResult<i64> {
    Ok(super::cached_row(
        conn,
        "SELECT COUNT(*) FROM users",
        [],
        |r| r.get(0),
    )?)
}

/// Users waiting for their own approval. The pending admin of a pending sign-up is not
/// counted: approving the company approves them, so the sign-up is one item to approve.
pub fn count_pending(conn: &Db) -> DomainResult<i64> {
    Ok(super::cached_row(
        conn,
        "SELECT COUNT(*) FROM users u WHERE u.status = 'pending' AND NOT EXISTS \
         (SELECT 1 FROM companies c WHERE c.id = u.company_id AND c.status = 'pending')",
        [],
        |r| r.get(0),
    )?)
}

/// Whether a live (not pending) user has `email`: such an address cannot be given again.
pub fn email_live(conn: &Db, email: &str) -> DomainResult<bool> {
    Ok(super::cached_row(
        conn,
        "SELECT EXISTS (SELECT 1 FROM users WHERE email_index = armario_email_index(?1) \
         AND status <> 'pending')",
        [email],
        |r| r.get(0),
    )?)
}
