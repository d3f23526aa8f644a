//! Erasure (LGPD art. 18, IV and VI): of a person, by their company's admin or the owner, and of
//! a company, by the owner. Each runs in one transaction: the database effects
//! (`db::erasure`), the ledger entry a restore re-applies, and one audit event whose details
//! hold counts and the pseudonym, never the old values. Erasing what is already erased is a
//! 409, so a repeated click cannot record a second entry.

use serde_json::json;

use crate::access::{Admin, CompanyScope, OwnerOf};
use crate::db;
use crate::db::erasure::Counts;
use crate::db::Db;
use crate::db::Store;
use crate::domain::audit::{AuditCtx, NewAuditEvent};
use crate::domain::erasure::{self, Erasure, ErasureKind};
use crate::domain::privacy::{PrivacyRequest, RequestKind};
use crate::domain::{Role, User, UserStatus};
use crate::error::{DomainError, DomainResult};
use crate::ids::{CompanyId, UserId};
use crate::service::change::{audited, Change};
use crate::service::directory::KeyWriter;
use crate::service::privacy_requests::Fulfilment;

/// What an erasure would take, or what it took: the rows counted per kind, the company fields
/// kept, and the entry when it is done already.
pub struct Preview {
    pub kind: ErasureKind,
    /// The name people know the company or person by, so the confirmation names it.
    pub subject: String,
    pub counts: Counts,
    pub kept: Vec<String>,
    pub done: Option<Erasure>,
}

fn already_erased() -> DomainError {
    DomainError::conflict("confirmation", "this was already erased")
}

fn company_erased(tx: &Db, id: &CompanyId) -> DomainResult<Option<Erasure>> {
    db::erasure::company_entry(tx, id.as_str())
}

/// Refuses a change to an erased company: it stays cancelled for good.
pub(crate) fn ensure_not_erased(tx: &Db, id: &CompanyId) -> DomainResult<()> {
    match company_erased(tx, id)? {
        Some(_) => Err(DomainError::conflict(
            "status",
            "the company was erased; it cannot change again",
        )),
        None => Ok(()),
    }
}

/// What erasing the company would take (the owner).
pub async fn preview_company(
    store: &Store,
    scope: &CompanyScope<OwnerOf>,
    keep: Vec<String>,
) -> DomainResult<Preview> {
    let id = scope.company().clone();
    store
        .read(move |c| {
            let company = crate::service::companies::load(c, &id)?;
            let done = company_erased(c, &id)?;
            Ok(Preview {
                kind: ErasureKind::Company,
                subject: company.shown_name().to_string(),
                counts: db::erasure::company_counts(c, id.as_str())?,
                kept: done.as_ref().map_or(keep, |e| e.kept.clone()),
                done,
            })
        })
        .await
}

/// Erases the company (the owner), once `confirmation` repeats its CNPJ or slug. Its links go
/// at once: the directory is rebuilt after the commit, so its applications lose access.
#[tracing::instrument(skip_all, fields(company_id = %scope.company()))]
pub async fn erase_company(
    keys: &KeyWriter,
    scope: &CompanyScope<OwnerOf>,
    keep: Vec<String>,
    confirmation: String,
) -> DomainResult<Erasure> {
    let id = scope.company().clone();
    let ctx = scope.audit();
    keys.write(audited(ctx.clone(), move |tx, now| {
        let company = crate::service::companies::load(tx, &id)?;
        if company_erased(tx, &id)?.is_some() {
            return Err(already_erased());
        }
        erasure::confirm(&confirmation, &company.cnpj, &company.slug)?;
        let counts = db::erasure::company_counts(tx, id.as_str())?;
        let e = Erasure::new(ErasureKind::Company, id.as_str(), None, keep.clone(), now);
        // Recorded before the links go, so the event reaches the applications linked now.
        let event = NewAuditEvent::new("company.erased")
            .company(&id)
            .target("company", &id)
            .details(details(&e, &counts));
        db::audit::insert(tx, &ctx, &event, now)?;
        db::erasure::erase_company(tx, &e)?;
        db::erasure::record(tx, &e)?;
        Ok(Change::unchanged(e))
    }))
    .await
}

fn details(e: &Erasure, c: &Counts) -> serde_json::Value {
    json!({
        "pseudonym": e.pseudonym, "kept": e.kept, "users": c.users, "sessions": c.sessions,
        "invitations": c.invitations, "second_factors": c.second_factors, "grants": c.grants,
        "secrets": c.secrets, "links": c.links, "config_values": c.config_values,
        "domains": c.domains,
    })
}

fn load_user(tx: &Db, company: &CompanyId, user: &UserId) -> DomainResult<User> {
    db::users::get_in_company(tx, company, user)?.ok_or(DomainError::NotFound("user"))
}

/// What erasing the person would take (their company's admin, or the owner).
pub async fn preview_person(
    store: &Store,
    scope: &CompanyScope<Admin>,
    user: UserId,
) -> DomainResult<Preview> {
    let id = scope.company().clone();
    store
        .read(move |c| {
            crate::service::companies::load(c, &id)?;
            let u = load_user(c, &id, &user)?;
            let done = match db::erasure::person_entry(c, id.as_str(), user.as_str())? {
                Some(e) => Some(e),
                None => company_erased(c, &id)?,
            };
            Ok(Preview {
                kind: ErasureKind::Person,
                subject: u.name,
                counts: db::erasure::person_counts(c, id.as_str(), user.as_str())?,
                kept: Vec::new(),
                done,
            })
        })
        .await
}

/// Erases a person of the company, once `confirmation` repeats their e-mail address. An admin
/// may erase themselves only while another active admin remains.
#[tracing::instrument(skip_all, fields(company_id = %scope.company()))]
pub async fn erase_person(
    store: &Store,
    scope: &CompanyScope<Admin>,
    user: UserId,
    confirmation: String,
) -> DomainResult<Erasure> {
    let id = scope.company().clone();
    let ctx = scope.audit();
    let me = scope.user_id().clone();
    store
        .write(audited(ctx.clone(), move |tx, now| {
            crate::service::companies::load(tx, &id)?;
            let u = load_user(tx, &id, &user)?;
            ensure_person_not_erased(tx, &id, &u.id)?;
            if !confirmation.trim().eq_ignore_ascii_case(&u.email) {
                return Err(DomainError::invalid(
                    "confirmation",
                    "type the person's e-mail address to confirm",
                ));
            }
            if user == me && !other_admin(tx, &id, &user)? {
                return Err(DomainError::invalid(
                    "user_id",
                    "you are the company's last admin; name another admin first",
                ));
            }
            Ok(Change::unchanged(erase_one(tx, &ctx, &id, &u, None, now)?))
        }))
        .await
}

fn other_admin(tx: &Db, company: &CompanyId, me: &UserId) -> DomainResult<bool> {
    let filter = crate::domain::user::UserFilter {
        company: Some(company.clone()),
        only: None,
        search: None,
        status: Some(UserStatus::Active),
        role: Some(Role::CompanyAdmin),
    };
    let page = db::users::list(tx, &filter, None, 2)?;
    Ok(page.items.iter().any(|u| &u.id != me))
}

fn ensure_person_not_erased(tx: &Db, company: &CompanyId, user: &UserId) -> DomainResult<()> {
    if db::erasure::person_entry(tx, company.as_str(), user.as_str())?.is_some()
        || company_erased(tx, company)?.is_some()
    {
        return Err(already_erased());
    }
    Ok(())
}

/// The person's erasure, its entry and its `user.erased` event, in the caller's transaction.
fn erase_one(
    tx: &Db,
    ctx: &AuditCtx,
    company: &CompanyId,
    u: &User,
    request: Option<&str>,
    now: i64,
) -> DomainResult<Erasure> {
    ensure_person_not_erased(tx, company, &u.id)?;
    let counts = db::erasure::person_counts(tx, company.as_str(), u.id.as_str())?;
    let e = Erasure::new(
        ErasureKind::Person,
        company.as_str(),
        Some(u.id.as_str()),
        Vec::new(),
        now,
    );
    db::erasure::erase_person(tx, &e)?;
    db::erasure::record(tx, &e)?;
    let mut d = details(&e, &counts);
    if let Some(r) = request {
        d["privacy_request_id"] = json!(r);
    }
    let event = NewAuditEvent::new("user.erased")
        .company(company)
        .target("user", &u.id)
        .details(d);
    db::audit::insert(tx, ctx, &event, now)?;
    Ok(e)
}

/// Fulfilling an anonymisation or deletion request erases its subject in the same
/// transaction; one already erased is left as it is (the request still closes).
pub struct ErasePerson {
    ctx: AuditCtx,
}

impl ErasePerson {
    pub fn new(ctx: AuditCtx) -> Self {
        Self { ctx }
    }
}

impl Fulfilment for ErasePerson {
    fn fulfil(&self, tx: &Db<'_>, r: &PrivacyRequest) -> DomainResult<()> {
        if !matches!(r.kind, RequestKind::Anonymisation | RequestKind::Deletion) {
            return Ok(());
        }
        let Some(u) = db::users::get_in_company(tx, &r.company_id, &r.subject_id)? else {
            return Ok(());
        };
        match erase_one(
            tx,
            &self.ctx,
            &r.company_id,
            &u,
            Some(r.id.as_str()),
            r.updated_at,
        ) {
            Err(DomainError::Conflict { .. }) => Ok(()),
            other => other.map(|_| ()),
        }
    }
}
