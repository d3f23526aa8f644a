//! The database effects of erasing a person or a company (see the parent module).

use rusqlite::{params, OptionalExtension};
use serde_json::json;

use crate::db::sql::{Db, Dialect};
use crate::domain::erasure::{member_pseudonym, CompanyMask, Erasure, PersonMask};
use crate::error::{DomainError, DomainResult};

/// Audit actions that record an erasure: their details are already free of personal data.
const ERASURE_ACTIONS: &str = "('user.erased', 'company.erased')";

/// Tables whose rows belong to one user and go with their erasure: sessions, sign-in links,
/// resets, e-mail tokens, second factors, alert opt-outs, application roles and OIDC grants.
const USER_ROWS: &[&str] = &[
    "sessions",
    "login_links",
    "password_resets",
    "magic_links",
    "email_tokens",
    "user_totp",
    "mfa_recovery_codes",
    "mfa_challenges",
    "alert_optouts",
    "user_app_roles",
    "oidc_consents",
    "oidc_codes",
    "oidc_refresh_tokens",
];

/// Tables whose rows belong to one company and are destroyed with it: secrets, configuration,
/// links (their provisioning first), domains, policies, invitations and OIDC state.
const COMPANY_ROWS: &[(&str, &str)] = &[
    (
        "link_provisioning",
        "link_id IN (SELECT id FROM links WHERE company_id = ?1)",
    ),
    ("company_secrets", "company_id = ?1"),
    ("company_configs", "company_id = ?1"),
    ("links", "company_id = ?1"),
    ("company_domains", "company_id = ?1"),
    ("mfa_policies", "company_id = ?1"),
    ("dpo_contacts", "scope = ?1"),
    ("invitations", "company_id = ?1"),
    ("oidc_requests", "company_id = ?1"),
    ("oidc_codes", "company_id = ?1"),
    ("oidc_refresh_tokens", "company_id = ?1"),
];

/// Erases one person: personal fields replaced from the entry's pseudonym, their sessions,
/// invitations, second factors and grants removed, their audit events rewritten.
pub fn erase_person(conn: &Db, e: &Erasure) -> DomainResult<()> {
    let user = e
        .user_id
        .as_deref()
        .ok_or_else(|| DomainError::invalid("user_id", "a person's erasure names the person"))?;
    let mask = PersonMask::of(&e.pseudonym);
    scrub_person(conn, &e.company_id, user, &mask, e.erased_at)?;
    // The pseudonyms go under the company's key like any user's fields (left in clear where
    // the key is not known; the server seals them when it starts).
    crate::db::cached_execute(
        conn,
        "UPDATE users SET email = armario_seal('users', 'email', ?2, ?3),
             name = armario_seal('users', 'name', ?2, ?4),
             search_fold = armario_seal('users', 'search_fold', ?2, ?5)
         WHERE id = ?1 AND company_id = ?2",
        params![user, e.company_id, mask.email, mask.name, folded(&mask)],
    )?;
    Ok(())
}

/// Erases one company: each of its people, then its secrets, configuration, links, domains
/// and invitations destroyed, and every company field not in `kept` replaced or emptied.
pub fn erase_company(conn: &Db, e: &Erasure) -> DomainResult<()> {
    let company = e.company_id.as_str();
    let users: Vec<String> = conn
        .prepare("SELECT id FROM users WHERE company_id = ?1 ORDER BY id")?
        .query_map([company], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    drop_unreadable(conn, company)?;
    // Company events first, so each person's pass leaves them alone (see `forget_events`).
    let mask = PersonMask::of(&e.pseudonym);
    forget_events(
        conn,
        &mask.pseudonym,
        "(company_id = ?1 OR target_id = ?1)",
        company,
        None,
    )?;
    // An erasure recorded by one of the company's people keeps its details, not their IP.
    let by_them: Vec<i64> = conn
        .prepare(&format!(
            "SELECT id FROM audit_events WHERE action IN {ERASURE_ACTIONS} AND ip IS NOT NULL
               AND actor_id IN (SELECT id FROM users WHERE company_id = ?1)"
        ))?
        .query_map([company], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in by_them {
        let details: String = conn.query_row(
            "SELECT armario_open('audit_events', 'details', company_id, details)
             FROM audit_events WHERE id = ?1",
            [id],
            |r| r.get(0),
        )?;
        crate::db::audit_chain::forget_personal(conn, id, None, &details)?;
    }
    for user in &users {
        let p = member_pseudonym(&e.pseudonym, user);
        scrub_person(conn, company, user, &PersonMask::of(&p), e.erased_at)?;
    }
    let invited: Vec<String> = conn
        .prepare("SELECT DISTINCT email FROM invitations WHERE company_id = ?1")?
        .query_map([company], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for email in &invited {
        scrub_mail(conn, email, &mask.email)?;
    }
    crate::db::cached_execute(
        conn,
        "DELETE FROM outbox WHERE company_id = ?1 AND status = 'queued'",
        [company],
    )?;
    crate::db::cached_execute(
        conn,
        "UPDATE outbox SET recipient = CASE WHEN kind = 'alert' THEN recipient ELSE ?2 END,
             subject = '[apagado]', sealed = NULL, key_id = NULL
         WHERE company_id = ?1",
        params![company, mask.email],
    )?;
    for (table, filter) in COMPANY_ROWS {
        conn.execute(&format!("DELETE FROM {table} WHERE {filter}"), [company])?;
    }
    blank_requests(conn, "company_id = ?1", company)?;
    mask_company(conn, e)?;
    // The owner's alerts about it keep their place, with the name it has now and no message.
    let renamed = match conn.dialect() {
        Dialect::Sqlite => {
            "UPDATE alerts SET facts = json_replace(facts,
                 '$.company', (SELECT legal_name FROM companies WHERE id = ?1),
                 '$.error', '[apagado]')
             WHERE json_extract(facts, '$.company_id') = ?1"
        }
        Dialect::Postgres => {
            "UPDATE alerts SET facts = jsonb_set(jsonb_set((facts)::jsonb,
                 '{company}', to_jsonb((SELECT legal_name FROM companies WHERE id = ?1)), false),
                 '{error}', '\"[apagado]\"', false)::text
             WHERE (facts)::jsonb ->> 'company_id' = ?1"
        }
    };
    crate::db::cached_execute(conn, renamed, [company])?;
    crate::db::companies::refresh_search(conn, &crate::ids::CompanyId::from_db(company.into()))?;
    // The events kept as they were (the erasure's own record) are opened: the audit log goes
    // on showing them once the key is gone.
    open_events(conn, company)?;
    // Last: whatever is still sealed under the company's key is unreadable from now on, here
    // and in every backup once the manifests lose the key too.
    crate::db::company_keys::destroy(conn, company)?;
    Ok(())
}

/// On a PostgreSQL store restored from a backup that no longer has the company's key (the
/// company was erased after it was taken, and the restore wrote no key for it), what the
/// store sealed under that key is gone: its events, people and secrets get what a restore of
/// the SQLite file gives such rows (`personal_columns::BY_COMPANY`'s `unreadable`), and the
/// erasure goes on. The restore itself does this first, for every company without a key.
pub(crate) fn drop_unreadable(conn: &Db, company: &str) -> DomainResult<()> {
    if conn.dialect() != Dialect::Postgres {
        return Ok(());
    }
    let keyed = conn
        .prepare_cached("SELECT 1 FROM company_keys WHERE company_id = ?1")?
        .exists([company])?;
    if keyed {
        return Ok(());
    }
    crate::db::cached_execute(
        conn,
        "UPDATE audit_events SET ip = NULL, details = ?2 WHERE company_id = ?1",
        params![company, "{}"],
    )?;
    let users: Vec<String> = conn
        .prepare("SELECT id FROM users WHERE company_id = ?1")?
        .query_map([company], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for user in users {
        crate::db::cached_execute(
            conn,
            "UPDATE users SET email = ?2, name = 'Titular apagado', search_fold = '',
                 email_index = NULL
             WHERE id = ?1",
            params![user, format!("apagado-{user}@apagado.invalid")],
        )?;
    }
    crate::db::cached_execute(
        conn,
        "DELETE FROM company_secrets WHERE company_id = ?1",
        [company],
    )?;
    Ok(())
}

/// Opens the company's events still sealed under its key, in place, one by one: PostgreSQL
/// cannot open a cell inside an update, so both stores read them opened and write them back.
fn open_events(conn: &Db, company: &str) -> DomainResult<()> {
    let sealed = match conn.dialect() {
        Dialect::Sqlite => "(typeof(ip) = 'blob' OR typeof(details) = 'blob')",
        // Every cell is bytes there; those in clear are written back as they are.
        Dialect::Postgres => "(ip IS NOT NULL OR details IS NOT NULL)",
    };
    let events: Vec<(i64, Option<String>, Option<String>)> = conn
        .prepare(&format!(
            "SELECT id, armario_open('audit_events', 'ip', company_id, ip), {DETAILS}
             FROM audit_events WHERE company_id = ?1 AND {sealed} ORDER BY id"
        ))?
        .query_map([company], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (id, ip, details) in events {
        crate::db::cached_execute(
            conn,
            "UPDATE audit_events SET ip = ?2, details = ?3 WHERE id = ?1",
            params![id, ip, details],
        )?;
    }
    Ok(())
}

/// Replaces the company's own fields; the status ends cancelled, never to be reactivated.
fn mask_company(conn: &Db, e: &Erasure) -> DomainResult<()> {
    let m = CompanyMask::of(&e.pseudonym);
    let keep = |f: &str| e.keeps(f);
    crate::db::cached_execute(
        conn,
        "UPDATE companies SET
            legal_name    = CASE WHEN ?2 THEN legal_name ELSE ?3 END,
            trade_name    = CASE WHEN ?4 THEN trade_name ELSE NULL END,
            cnpj          = CASE WHEN ?5 THEN cnpj ELSE ?6 END,
            slug          = CASE WHEN ?7 THEN slug ELSE ?8 END,
            contact_email = CASE WHEN ?9 THEN contact_email ELSE NULL END,
            contact_phone = CASE WHEN ?10 THEN contact_phone ELSE NULL END,
            display_name  = CASE WHEN ?11 THEN display_name ELSE NULL END,
            created_at    = CASE WHEN ?12 THEN created_at ELSE ?14 END,
            approved_at   = CASE WHEN ?13 OR approved_at IS NULL THEN approved_at ELSE ?14 END,
            primary_color = NULL, logo_data_url = NULL, magic_link_sign_in = 0,
            status = 'cancelled', subscription_status = 'cancelled', trial_ends_at = NULL,
            updated_at = MAX(updated_at, ?14)
         WHERE id = ?1",
        params![
            e.company_id,
            keep("legal_name"),
            m.legal_name,
            keep("trade_name"),
            keep("cnpj"),
            m.cnpj,
            keep("slug"),
            m.slug,
            keep("contact_email"),
            keep("contact_phone"),
            keep("display_name"),
            keep("created_at"),
            keep("approved_at"),
            e.erased_at
        ],
    )?;
    Ok(())
}

fn scrub_person(
    conn: &Db,
    company: &str,
    user: &str,
    mask: &PersonMask,
    erased_at: i64,
) -> DomainResult<()> {
    let old: Option<(String, String)> = conn
        .query_row(
            "SELECT armario_open('users', 'email', company_id, email),
                    armario_open('users', 'name', company_id, name)
             FROM users WHERE id = ?1 AND company_id = ?2",
            [user, company],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    if let Some((email, name)) = &old {
        crate::db::cached_execute(
            conn,
            "DELETE FROM invitations WHERE company_id = ?1 AND email = ?2",
            [company, email],
        )?;
        crate::db::cached_execute(
            conn,
            "DELETE FROM oidc_requests WHERE lower(login_hint) = lower(?1)",
            [email],
        )?;
        scrub_mail(conn, email, &mask.email)?;
        // Events of the platform and of the company whose details name them.
        let near = "(company_id IS NULL OR company_id = ?1)";
        forget_events(
            conn,
            &mask.pseudonym,
            near,
            company,
            Some(Mention::Address(email)),
        )?;
        // A short name would match unrelated text; the id and e-mail filters still apply.
        if name.chars().count() >= 4 && name != &mask.name {
            forget_events(
                conn,
                &mask.pseudonym,
                near,
                company,
                Some(Mention::Name(name)),
            )?;
        }
    } else {
        // Not in this copy (created after it was taken), or in another company: nothing of
        // theirs can be here but stray rows keyed by their id.
        let elsewhere: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM users WHERE id = ?1)",
            [user],
            |r| r.get(0),
        )?;
        if elsewhere {
            return Ok(());
        }
    }
    forget_events(
        conn,
        &mask.pseudonym,
        "(actor_id = ?1 OR (target_kind = 'user' AND target_id = ?1))",
        user,
        None,
    )?;
    for table in USER_ROWS {
        conn.execute(&format!("DELETE FROM {table} WHERE user_id = ?1"), [user])?;
    }
    blank_requests(conn, "subject_id = ?1", user)?;
    let fold = folded(mask);
    crate::db::cached_execute(
        conn,
        "UPDATE users SET email = ?2, name = ?3, status = 'disabled', password_hash = '!erased',
             last_login_at = NULL, email_verified_at = NULL, search_fold = ?4,
             email_index = armario_email_index(?2),
             updated_at = MAX(updated_at, ?5)
         WHERE id = ?1",
        params![user, mask.email, mask.name, fold, erased_at],
    )?;
    Ok(())
}

/// The search text of a person's pseudonyms.
fn folded(mask: &PersonMask) -> String {
    crate::domain::search::search_text(&[Some(&mask.name), Some(&mask.email)])
}

/// Mail to `email`: unsent messages dropped, sent ones kept as a record without the address,
/// subject or body.
fn scrub_mail(conn: &Db, email: &str, pseudonymous: &str) -> DomainResult<()> {
    crate::db::cached_execute(
        conn,
        "DELETE FROM outbox WHERE lower(recipient) = lower(?1) AND status = 'queued'",
        [email],
    )?;
    crate::db::cached_execute(
        conn,
        "UPDATE outbox SET recipient = ?2, subject = '[apagado]', sealed = NULL, key_id = NULL
         WHERE lower(recipient) = lower(?1)",
        [email, pseudonymous],
    )?;
    Ok(())
}

/// The free text of data-subject requests (the person's words, the owner's notes).
fn blank_requests(conn: &Db, filter: &str, id: &str) -> DomainResult<()> {
    conn.execute(
        &format!(
            "UPDATE privacy_requests SET details = '', notes = '',
                 refusal_reason = CASE WHEN refusal_reason IS NULL THEN NULL ELSE '' END
             WHERE {filter}"
        ),
        [id],
    )?;
    Ok(())
}

/// An event's details, opened (they are sealed under the company's key).
const DETAILS: &str = "armario_open('audit_events', 'details', company_id, details)";

/// What a person's events are found by in their details: the address (in any case) or the
/// name (as written).
enum Mention<'a> {
    Address(&'a str),
    Name(&'a str),
}

impl Mention<'_> {
    fn in_text(&self, details: &str) -> bool {
        match self {
            Mention::Address(a) => details.to_lowercase().contains(&a.to_lowercase()),
            Mention::Name(n) => details.contains(n),
        }
    }
}

/// Rewrites the personal part (IP and details) of the events matching `filter` (on `?1`) and,
/// when given, whose opened details hold `mention`, through the audit chain, so the chain
/// still verifies. An event already rewritten (no IP, an `erased` mark) is left alone, so a
/// second pass changes nothing. The details are opened as a column and read here: PostgreSQL
/// cannot open them inside a condition.
fn forget_events(
    conn: &Db,
    pseudonym: &str,
    filter: &str,
    arg: &str,
    mention: Option<Mention<'_>>,
) -> DomainResult<()> {
    let events: Vec<(i64, bool, Option<String>)> = conn
        .prepare(&format!(
            "SELECT id, ip IS NULL, {DETAILS} FROM audit_events
             WHERE {filter} AND action NOT IN {ERASURE_ACTIONS} ORDER BY id"
        ))?
        .query_map([arg], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let rewritten = json!({ "erased": pseudonym }).to_string();
    for (id, no_ip, details) in events {
        let text = details.unwrap_or_default();
        let erased = no_ip
            && serde_json::from_str::<serde_json::Value>(&text)
                .is_ok_and(|d| d.get("erased").is_some_and(|v| !v.is_null()));
        if erased || mention.as_ref().is_some_and(|m| !m.in_text(&text)) {
            continue;
        }
        crate::db::audit_chain::forget_personal(conn, id, None, &rewritten)?;
    }
    Ok(())
}
