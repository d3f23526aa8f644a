//! SQL for exports: each section of an archive is one query, and each row becomes a JSON
//! object keyed by column name. Whatever could open or replay a secret (hashes of tokens and
//! passwords, sealed values, any BLOB) is left out here, column by column, so a table that
//! gains such a column later cannot leak it into an export.

use rusqlite::types::ValueRef;

use serde_json::{Map, Value};

use crate::db::sql::Db;
use crate::error::DomainResult;
use crate::ids::{CompanyId, UserId};

/// One section: its name and the query, whose `?1` is the company and `?2` the person.
type Section = (&'static str, &'static str);

/// A person's data. Audit events about them: those they did and those done to them.
const PERSON: &[Section] = &[
    ("user", "SELECT {OPENED_USER}, * FROM users WHERE id = ?2 AND company_id = ?1"),
    ("sessions", "SELECT s.* FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.user_id = ?2 AND u.company_id = ?1 ORDER BY s.created_at"),
    ("second_factor", "SELECT t.* FROM user_totp t JOIN users u ON u.id = t.user_id WHERE t.user_id = ?2 AND u.company_id = ?1"),
    ("application_roles", "SELECT r.* FROM user_app_roles r JOIN users u ON u.id = r.user_id WHERE r.user_id = ?2 AND u.company_id = ?1"),
    ("consents", "SELECT c.* FROM oidc_consents c JOIN users u ON u.id = c.user_id WHERE c.user_id = ?2 AND u.company_id = ?1"),
    ("alert_preferences", "SELECT a.* FROM alert_optouts a JOIN users u ON u.id = a.user_id WHERE a.user_id = ?2 AND u.company_id = ?1"),
    ("audit_events", "SELECT {OPENED_EVENT}, * FROM audit_events WHERE (company_id = ?1 OR company_id IS NULL) AND (actor_id = ?2 OR target_id = ?2) ORDER BY id"),
];

/// A company's data: the company, its people and everything it owns.
const COMPANY: &[Section] = &[
    ("company", "SELECT * FROM companies WHERE id = ?1"),
    ("users", "SELECT {OPENED_USER}, * FROM users WHERE company_id = ?1 ORDER BY id"),
    ("sessions", "SELECT s.* FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.company_id = ?1 ORDER BY s.created_at"),
    ("invitations", "SELECT * FROM invitations WHERE company_id = ?1 ORDER BY id"),
    ("application_roles", "SELECT r.* FROM user_app_roles r JOIN users u ON u.id = r.user_id WHERE u.company_id = ?1"),
    ("links", "SELECT l.*, a.name AS application_name FROM links l JOIN applications a ON a.id = l.application_id WHERE l.company_id = ?1 ORDER BY l.id"),
    ("domains", "SELECT * FROM company_domains WHERE company_id = ?1"),
    ("configuration", "SELECT * FROM company_configs WHERE company_id = ?1"),
    ("usage", "SELECT * FROM usage_daily WHERE company_id = ?1 ORDER BY day"),
    ("audit_events", "SELECT {OPENED_EVENT}, * FROM audit_events WHERE company_id = ?1 ORDER BY id"),
];

/// A user's fields sealed under the company's key, opened. They come before `*` (so a row's
/// opened columns have the same places on both stores), whose sealed cells are BLOBs and left
/// out, so each name is exported once, opened.
const OPENED_USER: &str = "armario_open('users', 'email', company_id, email) AS email, \
     armario_open('users', 'name', company_id, name) AS name";

/// Columns never exported: what could sign someone in or open a sealed value, and what is
/// only derived from exported fields to find them (search text, the e-mail's index).
/// An event's IP and details, sealed under the company's key, opened (as for a user).
const OPENED_EVENT: &str = "armario_open('audit_events', 'ip', company_id, ip) AS ip, \
     armario_open('audit_events', 'details', company_id, details) AS details";

fn hidden(column: &str) -> bool {
    column.ends_with("_hash")
        || column.contains("sealed")
        || matches!(column, "last_step" | "search_fold" | "email_index")
}

fn section(
    conn: &Db,
    sql: &str,
    company: &CompanyId,
    person: Option<&UserId>,
) -> DomainResult<Vec<Value>> {
    let sql = sql
        .replace("{OPENED_USER}", OPENED_USER)
        .replace("{OPENED_EVENT}", OPENED_EVENT);
    let mut stmt = conn.prepare_cached(&sql)?;
    let names: Vec<String> = stmt.column_names().iter().map(|c| c.to_string()).collect();
    let mut rows = match person {
        Some(p) => stmt.query(rusqlite::params![company, p])?,
        None => stmt.query(rusqlite::params![company])?,
    };
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let mut obj = Map::new();
        for (i, name) in names.iter().enumerate() {
            if hidden(name) {
                continue;
            }
            let v = match row.get_ref(i)? {
                ValueRef::Null => Value::Null,
                ValueRef::Integer(n) => Value::from(n),
                ValueRef::Real(f) => Value::from(f),
                // JSON kept as text (audit details, configuration) is exported as JSON.
                ValueRef::Text(t) => {
                    let s = String::from_utf8_lossy(t).into_owned();
                    match (name.as_str(), serde_json::from_str::<Value>(&s)) {
                        ("details" | "config" | "scopes" | "limits", Ok(v)) => v,
                        _ => Value::String(s),
                    }
                }
                ValueRef::Blob(_) => continue,
            };
            obj.insert(name.clone(), v);
        }
        out.push(Value::Object(obj));
    }
    Ok(out)
}

/// The sections of a person's export, in order.
pub fn person(
    conn: &Db,
    company: &CompanyId,
    user: &UserId,
) -> DomainResult<Vec<(&'static str, Vec<Value>)>> {
    PERSON
        .iter()
        .map(|(name, sql)| Ok((*name, section(conn, sql, company, Some(user))?)))
        .collect()
}

/// The sections of a company's export, in order.
pub fn company(conn: &Db, company: &CompanyId) -> DomainResult<Vec<(&'static str, Vec<Value>)>> {
    COMPANY
        .iter()
        .map(|(name, sql)| Ok((*name, section(conn, sql, company, None)?)))
        .collect()
}
