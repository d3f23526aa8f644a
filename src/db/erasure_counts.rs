//! What an erasure would take, counted before the confirmation names it.

use crate::db::sql::{Db, Dialect};
use crate::error::DomainResult;

/// What an erasure would take: rows counted per kind.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub users: i64,
    pub sessions: i64,
    pub invitations: i64,
    pub second_factors: i64,
    pub grants: i64,
    pub secrets: i64,
    pub links: i64,
    pub config_values: i64,
    pub domains: i64,
    pub audit_events: i64,
}

fn count(conn: &Db, sql: &str, arg: &str) -> DomainResult<i64> {
    Ok(conn.query_row(sql, [arg], |r| r.get(0))?)
}

const USERS_OF: &str = "(SELECT id FROM users WHERE company_id = ?1)";

/// What erasing the company would take.
pub fn company_counts(conn: &Db, company: &str) -> DomainResult<Counts> {
    let of = |t: &str| format!("SELECT COUNT(*) FROM {t} WHERE user_id IN {USERS_OF}");
    Ok(Counts {
        users: count(
            conn,
            "SELECT COUNT(*) FROM users WHERE company_id = ?1",
            company,
        )?,
        sessions: count(conn, &of("sessions"), company)?,
        invitations: count(
            conn,
            "SELECT COUNT(*) FROM invitations WHERE company_id = ?1
             AND accepted_at IS NULL AND revoked_at IS NULL",
            company,
        )?,
        second_factors: count(conn, &of("user_totp"), company)?,
        grants: count(conn, &of("oidc_consents"), company)?
            + count(conn, &of("user_app_roles"), company)?,
        secrets: count(
            conn,
            "SELECT COUNT(*) FROM company_secrets WHERE company_id = ?1",
            company,
        )?,
        links: count(
            conn,
            "SELECT COUNT(*) FROM links WHERE company_id = ?1",
            company,
        )?,
        config_values: count(
            conn,
            match conn.dialect() {
                Dialect::Sqlite => {
                    "SELECT COUNT(*) FROM company_configs c, json_each(c.config) \
                     WHERE c.company_id = ?1"
                }
                Dialect::Postgres => {
                    "SELECT COUNT(*) FROM company_configs c, \
                     jsonb_object_keys((c.config)::jsonb) AS k WHERE c.company_id = ?1"
                }
            },
            company,
        )?,
        domains: count(
            conn,
            "SELECT COUNT(*) FROM company_domains WHERE company_id = ?1",
            company,
        )?,
        audit_events: count(
            conn,
            "SELECT COUNT(*) FROM audit_events WHERE company_id = ?1",
            company,
        )?,
    })
}

/// What erasing the person would take.
pub fn person_counts(conn: &Db, company: &str, user: &str) -> DomainResult<Counts> {
    let of = |t: &str| format!("SELECT COUNT(*) FROM {t} WHERE user_id = ?1");
    // The company's open invitations to the person's address, matched by its keyed index
    // (computed in armario from each invitation's address, so on either store).
    let open: Vec<String> = conn
        .prepare(
            "SELECT email FROM invitations
             WHERE company_id = ?1 AND accepted_at IS NULL AND revoked_at IS NULL",
        )?
        .query_map([company], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut invitations = 0i64;
    for email in &open {
        let theirs: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM users WHERE id = ?1 AND email_index = armario_email_index(?2))",
            [user, email.as_str()],
            |r| r.get(0),
        )?;
        invitations += i64::from(theirs);
    }
    Ok(Counts {
        users: 1,
        sessions: count(conn, &of("sessions"), user)?,
        invitations,
        second_factors: count(conn, &of("user_totp"), user)?,
        grants: count(conn, &of("oidc_consents"), user)?
            + count(conn, &of("user_app_roles"), user)?,
        audit_events: count(
            conn,
            "SELECT COUNT(*) FROM audit_events
             WHERE actor_id = ?1 OR (target_kind = 'user' AND target_id = ?1)",
            user,
        )?,
        ..Counts::default()
    })
}
