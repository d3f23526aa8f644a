//! Sessions people can see and end: their own, their company's users' (a company admin), or
//! anyone's (the owner). Each end is audited with who, whose and how many, never with token
//! material; another company's session or user is "not found".

use serde_json::json;

use crate::access::{Admin, CompanyScope, Owner};
use crate::clock::now_ms;
use crate::crypto::token::TokenHash;
use crate::db;
use crate::db::Db;
use crate::db::Store;
use crate::domain::audit::{AuditCtx, NewAuditEvent};
use crate::domain::cursor::open_as;
use crate::domain::session::{Session, SessionFilter};
use crate::domain::{Page, UserPrincipal};
use crate::error::{DomainError, DomainResult};
use crate::ids::{CompanyId, SessionId, UserId};
use crate::service::change::{audited, Change};

/// A page of the caller's own live sessions, the current one marked.
pub async fn list_own(
    store: &Store,
    who: &UserPrincipal,
    cursor: Option<String>,
    limit: u32,
) -> DomainResult<Page<Session>> {
    let filter = SessionFilter::User(who.user_id.clone());
    list(store, filter, who.session, cursor, limit).await
}

/// A page of the live sessions of a company's users, or of one of them (404 when the user is
/// not the company's).
pub async fn list_company(
    store: &Store,
    scope: &CompanyScope<Admin>,
    user: Option<UserId>,
    cursor: Option<String>,
    limit: u32,
) -> DomainResult<Page<Session>> {
    let company = scope.company().clone();
    let check = (company.clone(), user.clone());
    store
        .read_in(scope, move |c| company_user(c, &check.0, check.1.as_ref()))
        .await?;
    let filter = SessionFilter::Company(company, user);
    list(store, filter, *scope.session(), cursor, limit).await
}

/// A page of everyone's live sessions, or one user's (404 for an unknown user).
pub async fn list_all(
    store: &Store,
    owner: &Owner,
    user: Option<UserId>,
    cursor: Option<String>,
    limit: u32,
) -> DomainResult<Page<Session>> {
    if let Some(id) = user.clone() {
        store.read(move |c| any_user(c, &id)).await?;
    }
    list(
        store,
        SessionFilter::All(user),
        *owner.session(),
        cursor,
        limit,
    )
    .await
}

async fn list(
    store: &Store,
    filter: SessionFilter,
    current: TokenHash,
    cursor: Option<String>,
    limit: u32,
) -> DomainResult<Page<Session>> {
    let after = open_as(cursor, SessionId::parse)?;
    let company = company_of(&filter);
    let read = move |c: &Db<'_>| {
        db::session_list::list(c, &filter, &current, now_ms(), after.as_ref(), limit)
    };
    match company {
        Some(company) => store.read_for_company(company, read).await,
        None => store.read(read).await,
    }
}

/// The company a filter confines the sessions to: a transaction opened for it sees no other.
fn company_of(filter: &SessionFilter) -> Option<CompanyId> {
    match filter {
        SessionFilter::Company(company, _) => Some(company.clone()),
        _ => None,
    }
}

/// Ends one of the caller's own sessions (the current one too: that is signing out).
pub async fn end_own(store: &Store, who: &UserPrincipal, id: SessionId) -> DomainResult<()> {
    let filter = SessionFilter::User(who.user_id.clone());
    end_one(store, who.audit(), filter, id).await
}

/// Ends one session of a company's user.
pub async fn end_in_company(
    store: &Store,
    scope: &CompanyScope<Admin>,
    id: SessionId,
) -> DomainResult<()> {
    let company = scope.company().clone();
    store
        .read_in(scope, {
            let company = company.clone();
            move |c| company_user(c, &company, None)
        })
        .await?;
    end_one(
        store,
        scope.audit(),
        SessionFilter::Company(company, None),
        id,
    )
    .await
}

/// Ends anyone's session.
pub async fn end_any(store: &Store, owner: &Owner, id: SessionId) -> DomainResult<()> {
    end_one(store, owner.audit(), SessionFilter::All(None), id).await
}

async fn end_one(
    store: &Store,
    ctx: AuditCtx,
    filter: SessionFilter,
    id: SessionId,
) -> DomainResult<()> {
    let company = company_of(&filter);
    let end = audited(ctx, move |tx, now| {
        let session = db::session_list::find(tx, &filter, &id, &[0; 32], now)?
            .ok_or(DomainError::NotFound("session"))?;
        let count = db::session_list::delete(tx, &id)?;
        let event = ended("session.ended", &session.user_id, session.company_id, count)
            .details(json!({ "count": count, "session_id": id.as_str() }));
        Ok(Change::audited((), event))
    });
    match company {
        Some(company) => store.write_for_company(company, end).await,
        None => store.write(end).await,
    }
}

/// Ends every session of the caller but the one making the request; answers how many.
pub async fn end_others(store: &Store, who: &UserPrincipal) -> DomainResult<usize> {
    let user = who.user_id.clone();
    let (keep, company) = (who.session, who.company_id.clone());
    store
        .write(audited(who.audit(), move |tx, _| {
            let count = db::session_list::delete_others(tx, &user, &keep)?;
            let event = ended("session.others_ended", &user, company.clone(), count);
            Ok(Change::audited(count, event))
        }))
        .await
}

/// Ends every session of one of a company's users; answers how many.
pub async fn end_user_in_company(
    store: &Store,
    scope: &CompanyScope<Admin>,
    user: UserId,
) -> DomainResult<usize> {
    let company = scope.company().clone();
    store
        .write_in(
            scope,
            audited(scope.audit(), move |tx, _| {
                company_user(tx, &company, Some(&user))?;
                end_all(tx, &user, Some(company.clone()))
            }),
        )
        .await
}

/// Ends every session of anyone; answers how many.
pub async fn end_user(store: &Store, owner: &Owner, user: UserId) -> DomainResult<usize> {
    store
        .write(audited(owner.audit(), move |tx, _| {
            let company = any_user(tx, &user)?;
            end_all(tx, &user, company)
        }))
        .await
}

fn end_all(tx: &Db, user: &UserId, company: Option<CompanyId>) -> DomainResult<Change<usize>> {
    let count = db::sessions::delete_for_user(tx, user)?;
    let event = ended("session.all_ended", user, company, count);
    Ok(Change::audited(count, event))
}

/// The audit event of an end: whose sessions, in which company, and how many.
fn ended(
    action: &'static str,
    user: &UserId,
    company: Option<CompanyId>,
    count: usize,
) -> NewAuditEvent {
    let mut event = NewAuditEvent::new(action)
        .target("user", user)
        .details(json!({ "count": count }));
    event.company_id = company;
    event
}

/// The company exists, and the user (if named) is one of its users; otherwise 404.
fn company_user(c: &Db, company: &CompanyId, user: Option<&UserId>) -> DomainResult<()> {
    crate::service::companies::load(c, company)?;
    if let Some(user) = user {
        db::users::get_in_company(c, company, user)?.ok_or(DomainError::NotFound("user"))?;
    }
    Ok(())
}

/// The user exists (404 otherwise); answers their company.
fn any_user(c: &Db, user: &UserId) -> DomainResult<Option<CompanyId>> {
    Ok(db::users::get(c, user)?
        .ok_or(DomainError::NotFound("user"))?
        .company_id)
}
