//! SQL for the sessions people see and end: by public id, never by token. Each finder carries
//! the owner it filters on (the user, or the company), so another company's session is simply
//! not found.

use rusqlite::{params, OptionalExtension};

use crate::crypto::token::TokenHash;
use crate::db::sql::{params_from_iter, Db, Row};
use crate::domain::session::{Session, SessionFilter};
use crate::domain::Page;
use crate::error::DomainResult;
use crate::ids::{SessionId, UserId};

const COLUMNS: &str = "s.id, s.user_id, armario_open('users', 'name', u.company_id, u.name), \
     armario_open('users', 'email', u.company_id, u.email), u.company_id, s.created_at, \
     COALESCE(s.last_seen_at, s.created_at), s.expires_at, s.ip, s.user_agent, s.token_hash = ?1";

/// Live sessions only: expired ones are swept, but until then they are not "active".
const FROM: &str = "FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.expires_at > ?2";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Session> {
    Ok(Session {
        id: r.get(0)?,
        user_id: r.get(1)?,
        user_name: r.get(2)?,
        user_email: r.get(3)?,
        company_id: r.get(4)?,
        created_at: r.get(5)?,
        last_seen_at: r.get(6)?,
        expires_at: r.get(7)?,
        ip: r.get(8)?,
        user_agent: r.get(9)?,
        current: r.get(10)?,
    })
}

/// Appends the filter's conditions to `sql`, with their arguments after `args`.
fn narrow(f: &SessionFilter, sql: &mut String, args: &mut Vec<Box<dyn rusqlite::ToSql>>) {
    let mut push = |cond: &str, v: Box<dyn rusqlite::ToSql>| {
        args.push(v);
        sql.push_str(&format!(" AND {cond} ?{}", args.len()));
    };
    match f {
        SessionFilter::User(user) => push("s.user_id =", Box::new(user.clone())),
        SessionFilter::Company(company, user) => {
            push("u.company_id =", Box::new(company.clone()));
            if let Some(user) = user {
                push("s.user_id =", Box::new(user.clone()));
            }
        }
        SessionFilter::All(Some(user)) => push("s.user_id =", Box::new(user.clone())),
        SessionFilter::All(None) => {}
    }
}

/// A page of live sessions, oldest first; `current` marks the one whose digest is `current`.
pub fn list(
    conn: &Db,
    f: &SessionFilter,
    current: &TokenHash,
    now: i64,
    after: Option<&SessionId>,
    limit: u32,
) -> DomainResult<Page<Session>> {
    let mut sql = format!("SELECT {COLUMNS} {FROM}");
    let mut args: Vec<Box<dyn rusqlite::ToSql>> = vec![Box::new(current.to_vec()), Box::new(now)];
    narrow(f, &mut sql, &mut args);
    if let Some(after) = after {
        args.push(Box::new(after.clone()));
        sql.push_str(&format!(" AND s.id > ?{}", args.len()));
    }
    sql.push_str(&format!(" ORDER BY s.id LIMIT {}", limit + 1));
    let mut stmt = conn.prepare_cached(&sql)?;
    super::keyset_page(&mut stmt, &args, limit, from_row, |s| s.id.to_string())
}

/// One live session within the filter's reach.
pub fn find(
    conn: &Db,
    f: &SessionFilter,
    id: &SessionId,
    current: &TokenHash,
    now: i64,
) -> DomainResult<Option<Session>> {
    let mut sql = format!("SELECT {COLUMNS} {FROM}");
    let mut args: Vec<Box<dyn rusqlite::ToSql>> = vec![Box::new(current.to_vec()), Box::new(now)];
    narrow(f, &mut sql, &mut args);
    args.push(Box::new(id.clone()));
    sql.push_str(&format!(" AND s.id = ?{}", args.len()));
    let mut stmt = conn.prepare_cached(&sql)?;
    Ok(stmt
        .query_row(params_from_iter(args.iter()), from_row)
        .optional()?)
}

pub fn delete(conn: &Db, id: &SessionId) -> DomainResult<usize> {
    Ok(super::cached_execute(
        conn,
        "DELETE FROM sessions WHERE id = ?1",
        [id],
    )?)
}

/// Ends every session of `user` but the one whose digest is `keep`.
pub fn delete_others(conn: &Db, user: &UserId, keep: &TokenHash) -> DomainResult<usize> {
    Ok(super::cached_execute(
        conn,
        "DELETE FROM sessions WHERE user_id = ?1 AND token_hash <> ?2",
        params![user, &keep[..]],
    )?)
}

/// Records a use of the session, unless one was recorded since `before`: two requests racing
/// write once.
pub fn touch(conn: &Db, hash: &TokenHash, now: i64, before: i64) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "UPDATE sessions SET last_seen_at = ?2 WHERE token_hash = ?1 \
         AND (last_seen_at IS NULL OR last_seen_at <= ?3)",
        params![&hash[..], now, before],
    )?;
    Ok(())
}
