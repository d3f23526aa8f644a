//! Where personal data lives, by company: the columns a backup seals under the company's own
//! data key, and what a restore writes in their place when that key is gone because the company
//! was erased. Every table of the schema is classified here; the test below fails until a new
//! table (or a new text column of a listed table) is.

use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection};

use crate::error::DomainResult;

/// The personal columns of one table and how a row finds its company.
pub struct PersonalColumns {
    pub table: &'static str,
    /// An SQL expression over the row giving its company's id (NULL: not a company's row, left
    /// in clear).
    pub company: &'static str,
    /// The columns that identify a row (`rowid`, or the primary key of a table without one).
    pub key: &'static [&'static str],
    /// The columns sealed under the company's key.
    pub sealed: &'static [&'static str],
    /// What a restore does with a row whose company's key is gone.
    pub unreadable: Unreadable,
}

/// What stands in for a company's rows once they can no longer be read.
pub enum Unreadable {
    /// The rows go: they only served the company (sessions, secrets, mail not yet sent).
    Delete,
    /// The sealed columns get these SQL expressions (over the row) instead.
    Replace(&'static [(&'static str, &'static str)]),
}

/// The company of a row of a table keyed by user.
const BY_USER: &str = "(SELECT u.company_id FROM users u WHERE u.id = user_id)";

pub const BY_COMPANY: &[PersonalColumns] = &[
    PersonalColumns {
        table: "companies",
        company: "id",
        key: &["rowid"],
        sealed: &[
            "legal_name",
            "trade_name",
            "contact_email",
            "contact_phone",
            "display_name",
            "logo_data_url",
            "search_fold",
            "sort_name",
            "slug",
        ],
        unreadable: Unreadable::Replace(&[
            ("legal_name", "'Empresa apagada'"),
            ("trade_name", "NULL"),
            ("contact_email", "NULL"),
            ("contact_phone", "NULL"),
            ("display_name", "NULL"),
            ("logo_data_url", "NULL"),
            ("search_fold", "''"),
            ("sort_name", "'empresa apagada'"),
            ("slug", "'apagada-' || lower(hex(randomblob(6)))"),
        ]),
    },
    PersonalColumns {
        table: "users",
        company: "company_id",
        key: &["rowid"],
        sealed: &["email", "name", "search_fold"],
        unreadable: Unreadable::Replace(&[
            (
                "email",
                "'apagado-' || lower(hex(randomblob(8))) || '@apagado.invalid'",
            ),
            ("name", "'Titular apagado'"),
            ("search_fold", "''"),
        ]),
    },
    PersonalColumns {
        table: "invitations",
        company: "company_id",
        key: &["rowid"],
        sealed: &["email"],
        unreadable: Unreadable::Delete,
    },
    PersonalColumns {
        table: "company_secrets",
        company: "company_id",
        key: &["company_id", "kind"],
        sealed: &["sealed", "hint"],
        unreadable: Unreadable::Delete,
    },
    PersonalColumns {
        table: "company_configs",
        company: "company_id",
        key: &["rowid"],
        sealed: &["config"],
        unreadable: Unreadable::Delete,
    },
    PersonalColumns {
        table: "dpo_contacts",
        company: "(SELECT c.id FROM companies c WHERE c.id = scope)",
        key: &["scope"],
        sealed: &["name", "email", "phone"],
        unreadable: Unreadable::Delete,
    },
    PersonalColumns {
        table: "audit_events",
        company: "company_id",
        key: &["rowid"],
        sealed: &["ip", "details"],
        unreadable: Unreadable::Replace(&[("ip", "NULL"), ("details", "'{}'")]),
    },
    PersonalColumns {
        table: "outbox",
        company: "company_id",
        key: &["rowid"],
        sealed: &["recipient", "subject", "sealed"],
        unreadable: Unreadable::Delete,
    },
    PersonalColumns {
        table: "privacy_requests",
        company: "company_id",
        key: &["rowid"],
        sealed: &["details", "notes", "refusal_reason"],
        unreadable: Unreadable::Replace(&[
            ("details", "''"),
            ("notes", "NULL"),
            ("refusal_reason", "NULL"),
        ]),
    },
    PersonalColumns {
        table: "webhook_deliveries",
        company: "company_id",
        key: &["rowid"],
        sealed: &["payload"],
        unreadable: Unreadable::Delete,
    },
    PersonalColumns {
        table: "alerts",
        company: "company_id",
        key: &["rowid"],
        sealed: &["facts"],
        unreadable: Unreadable::Delete,
    },
    PersonalColumns {
        table: "sessions",
        company: BY_USER,
        key: &["token_hash"],
        sealed: &["ip", "user_agent"],
        unreadable: Unreadable::Delete,
    },
    PersonalColumns {
        table: "email_tokens",
        company: BY_USER,
        key: &["rowid"],
        sealed: &["new_email"],
        unreadable: Unreadable::Delete,
    },
    PersonalColumns {
        table: "oidc_requests",
        company: "company_id",
        key: &["rowid"],
        sealed: &["login_hint", "state", "nonce"],
        unreadable: Unreadable::Delete,
    },
];

/// Tables that hold no personal data of a company in clear: ids, states, times, hashes of
/// tokens, the owner's and the applications' own records, values sealed per user (second
/// factors) that are useless without the user's row.
pub const NOT_PERSONAL: &[&str] = &[
    "company_counts",
    "alert_optouts",
    "app_config_schemas",
    "app_credentials",
    "app_roles",
    "applications",
    "audit_chain",
    "audit_chain_anchor",
    "audit_verification",
    "backup_runs",
    "company_domains",
    "erasures",
    "link_provisioning",
    "links",
    "login_links",
    "magic_links",
    "mfa_challenges",
    "mfa_policies",
    "mfa_recovery_codes",
    "oidc_assertions",
    "oidc_clients",
    "oidc_codes",
    "oidc_consents",
    "oidc_refresh_tokens",
    "oidc_revoked_tokens",
    "password_resets",
    "plans",
    "retention_settings",
    "setup_tokens",
    "signing_keys",
    "sqlite_sequence",
    "usage_daily",
    "user_app_roles",
    "user_totp",
    "webhook_endpoints",
];

/// Indexes derived from sealed columns (the trigram index of the companies' search text,
/// migration 0026), kept in step by triggers: sealing or replacing `companies.search_fold`
/// in a copy re-indexes the new value. They hold no value of their own, and a snapshot is better
/// off dropping them (trigrams of a company's name) and a restore rebuilding them
/// (`INSERT INTO company_search (company_search) VALUES ('rebuild')`).
pub const DERIVED_INDEXES: &[&str] = &[
    "company_search",
    "company_search_config",
    "company_search_data",
    "company_search_docsize",
    "company_search_idx",
];

/// Columns of the listed tables that stay in clear: ids, states, times, hashes, the CNPJ (kept
/// after an erasure by default), roles and languages.
pub const CLEAR: &[(&str, &[&str])] = &[
    (
        "companies",
        &[
            "id",
            "cnpj",
            "status",
            "primary_color",
            "plan_id",
            "trial_ends_at",
            "subscription_status",
        ],
    ),
    (
        "users",
        &[
            "id",
            "company_id",
            "role",
            "status",
            "password_hash",
            "language",
        ],
    ),
    (
        "invitations",
        &[
            "id",
            "company_id",
            "role",
            "token_hash",
            "created_by",
            "language",
        ],
    ),
    ("company_secrets", &["company_id", "kind", "key_id"]),
    ("company_configs", &["company_id", "application_id"]),
    ("dpo_contacts", &["scope"]),
    (
        "audit_events",
        &[
            "actor_kind",
            "actor_id",
            "company_id",
            "action",
            "target_kind",
            "target_id",
        ],
    ),
    (
        "outbox",
        &[
            "message_id",
            "kind",
            "company_id",
            "key_id",
            "status",
            "last_error",
        ],
    ),
    (
        "privacy_requests",
        &[
            "id",
            "company_id",
            "subject_id",
            "requested_by",
            "kind",
            "status",
        ],
    ),
    (
        "webhook_deliveries",
        &[
            "endpoint_id",
            "company_id",
            "event_id",
            "event_type",
            "status",
            "last_error",
        ],
    ),
    ("alerts", &["kind", "cause", "company_id"]),
    ("sessions", &["token_hash", "user_id", "id"]),
    ("email_tokens", &["token_hash", "user_id", "purpose"]),
    (
        "oidc_requests",
        &[
            "id",
            "application_id",
            "redirect_uri",
            "scope",
            "code_challenge",
            "company_id",
            "prompt",
        ],
    ),
];

/// The sealed columns of `p` this database has: none when the table or its key is missing (a
/// copy of another schema, or an older one).
pub fn present(conn: &Connection, p: &PersonalColumns) -> DomainResult<Vec<&'static str>> {
    let columns: Vec<String> = conn
        .prepare_cached("SELECT name FROM pragma_table_info(?1)")?
        .query_map([p.table], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let has = |c: &str| c == "rowid" || columns.iter().any(|x| x == c);
    if columns.is_empty() || !p.key.iter().all(|k| has(k)) {
        return Ok(Vec::new());
    }
    Ok(p.sealed.iter().copied().filter(|c| has(c)).collect())
}

/// The search index over companies' names holds the text it indexes. In a sealed copy it is
/// emptied, and a restore rebuilds it from the opened text. While cells change, its triggers
/// are set aside (they would index ciphertext, one row at a time); this returns them, to put
/// back with [`resume_search_index`]. Nothing to do in a database without the index.
pub fn suspend_search_index(conn: &Connection) -> DomainResult<Vec<String>> {
    let has: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'company_search')",
        [],
        |r| r.get(0),
    )?;
    if !has {
        return Ok(Vec::new());
    }
    let triggers: Vec<(String, String)> = conn
        .prepare(
            "SELECT name, sql FROM sqlite_schema
             WHERE type = 'trigger' AND name LIKE 'company\\_search\\_%' ESCAPE '\\'",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (name, _) in &triggers {
        // The name comes from the schema and matched the pattern above.
        conn.execute_batch(&format!("DROP TRIGGER \"{name}\""))?;
    }
    conn.execute(
        "INSERT INTO company_search (company_search) VALUES ('delete-all')",
        [],
    )?;
    Ok(triggers.into_iter().map(|(_, sql)| sql).collect())
}

/// Puts the triggers back, and with `rebuild` indexes the companies' text again.
pub fn resume_search_index(
    conn: &Connection,
    triggers: &[String],
    rebuild: bool,
) -> DomainResult<()> {
    if triggers.is_empty() {
        return Ok(());
    }
    for sql in triggers {
        conn.execute_batch(sql)?;
    }
    if rebuild {
        conn.execute(
            "INSERT INTO company_search (company_search) VALUES ('rebuild')",
            [],
        )?;
    }
    Ok(())
}

/// One row's personal cells, in the order of the columns asked for, with its key and company.
pub struct Row {
    /// The values of the table's `key` columns.
    pub key: Vec<Value>,
    pub company_id: String,
    pub values: Vec<Value>,
}

/// How many rows a page holds: large tables (audit events) are read a page at a time, so
/// sealing a snapshot holds one page in memory, not the table.
pub const PAGE: usize = 5_000;

/// The rows of a company that have any of `columns` set, a page at a time: after the rowid
/// `after`, with the rowid to continue from when the page is full. A table keyed otherwise
/// (small ones: sessions, secrets, contacts) comes whole in one page.
pub fn rows_page(
    conn: &Connection,
    p: &PersonalColumns,
    columns: &[&str],
    after: i64,
) -> DomainResult<(Vec<Row>, Option<i64>)> {
    let n = p.key.len();
    let any = columns
        .iter()
        .map(|c| format!("{c} IS NOT NULL"))
        .collect::<Vec<_>>()
        .join(" OR ");
    let by_rowid = p.key == ["rowid"];
    // Table, columns and company expression are compile-time constants of the list above.
    let sql = if by_rowid {
        format!(
            "SELECT rowid, {company}, {cols} FROM {table} WHERE rowid > ?1 AND ({any})
             ORDER BY rowid LIMIT {PAGE}",
            company = p.company,
            cols = columns.join(", "),
            table = p.table,
        )
    } else {
        format!(
            // `?1` is unused here; it keeps one parameter list for both forms.
            "SELECT {key}, {company}, {cols} FROM {table} WHERE ?1 IS NOT NULL AND ({any})",
            key = p.key.join(", "),
            company = p.company,
            cols = columns.join(", "),
            table = p.table,
        )
    };
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([after], |r| {
        let key: Vec<Value> = (0..n).map(|i| r.get(i)).collect::<Result<_, _>>()?;
        let values: Vec<Value> = (0..columns.len())
            .map(|i| r.get(n + 1 + i))
            .collect::<Result<_, _>>()?;
        Ok((key, r.get::<_, Option<String>>(n)?, values))
    })?;
    let mut out = Vec::new();
    let mut last = None;
    let mut read = 0;
    for row in rows {
        let (key, company, values) = row?;
        read += 1;
        if let Some(Value::Integer(id)) = key.first() {
            last = Some(*id);
        }
        if let Some(company_id) = company {
            out.push(Row {
                key,
                company_id,
                values,
            });
        }
    }
    let next = if by_rowid && read == PAGE { last } else { None };
    Ok((out, next))
}

/// Writes a row's personal cells back, in the order of `columns`.
pub fn set_row(
    conn: &Connection,
    p: &PersonalColumns,
    columns: &[&str],
    key: &[Value],
    values: &[Value],
) -> DomainResult<()> {
    let set: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} = ?{}", i + 1))
        .collect();
    let sql = format!(
        "UPDATE {} SET {} WHERE {}",
        p.table,
        set.join(", "),
        where_key(p, columns.len() + 1)
    );
    conn.prepare_cached(&sql)?
        .execute(params_from_iter(values.iter().chain(key)))?;
    Ok(())
}

/// `k1 = ?n AND k2 = ?n+1 ...`: the row of a key, its values numbered from `first`.
fn where_key(p: &PersonalColumns, first: usize) -> String {
    let terms: Vec<String> = p
        .key
        .iter()
        .enumerate()
        .map(|(i, k)| format!("{k} = ?{}", i + first))
        .collect();
    terms.join(" AND ")
}

/// Applies `p.unreadable` to the rows of `rowids`. An audit event whose personal part is
/// replaced also loses the salt of its commitment, as an anonymisation does, so the chain
/// still verifies.
pub fn make_unreadable(
    conn: &Connection,
    p: &PersonalColumns,
    rows: &[Vec<Value>],
) -> DomainResult<()> {
    let sql = match p.unreadable {
        Unreadable::Delete => format!("DELETE FROM {} WHERE {}", p.table, where_key(p, 1)),
        Unreadable::Replace(with) => {
            let set: Vec<String> = with.iter().map(|(c, e)| format!("{c} = {e}")).collect();
            format!(
                "UPDATE {} SET {} WHERE {}",
                p.table,
                set.join(", "),
                where_key(p, 1)
            )
        }
    };
    for key in rows {
        conn.prepare_cached(&sql)?.execute(params_from_iter(key))?;
        if p.table == "audit_events" {
            conn.prepare_cached("UPDATE audit_chain SET personal_salt = NULL WHERE event_id = ?1")?
                .execute(params_from_iter(key))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every table is classified, and every text or blob column of a table with personal data
    /// is either sealed or named as clear; what a restore writes instead covers every sealed
    /// column.
    #[test]
    fn every_table_and_text_column_is_classified() {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::db::migrate::apply(&mut conn).unwrap();
        let tables: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        for table in &tables {
            let personal = BY_COMPANY.iter().find(|p| p.table == table);
            match personal {
                None => assert!(
                    NOT_PERSONAL.contains(&table.as_str())
                        || DERIVED_INDEXES.contains(&table.as_str()),
                    "table {table} is neither in BY_COMPANY nor in NOT_PERSONAL"
                ),
                Some(p) => {
                    assert!(!NOT_PERSONAL.contains(&table.as_str()), "{table} twice");
                    let clear = CLEAR
                        .iter()
                        .find(|(t, _)| t == table)
                        .map_or(&[][..], |(_, c)| *c);
                    let columns: Vec<(String, String)> = conn
                        .prepare(&format!(
                            "SELECT name, type FROM pragma_table_info('{table}')"
                        ))
                        .unwrap()
                        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                        .unwrap()
                        .collect::<Result<_, _>>()
                        .unwrap();
                    for (column, ty) in columns {
                        if ty == "INTEGER" {
                            continue;
                        }
                        let sealed = p.sealed.contains(&column.as_str());
                        assert!(
                            sealed != clear.contains(&column.as_str()),
                            "{table}.{column} ({ty}) must be either sealed or clear"
                        );
                    }
                    if let Unreadable::Replace(with) = p.unreadable {
                        for column in p.sealed {
                            assert!(
                                with.iter().any(|(c, _)| c == column),
                                "{table}.{column} has nothing to stand in for it"
                            );
                        }
                    }
                    // The company expression is valid SQL over the table.
                    rows_page(&conn, p, p.sealed, 0).unwrap();
                }
            }
        }
    }
}
