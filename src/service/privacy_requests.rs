//! Data-subject requests: filed by the person (for themselves), their company's admin or the
//! owner; worked by the owner. Every change is audited for the request's company.

use serde_json::json;

use crate::access::{CompanyScope, Member, Owner, OwnerOf};
use crate::clock::now_ms;
use crate::db;
use crate::db::privacy::RequestFilter;
use crate::db::Db;
use crate::db::Store;
use crate::domain::privacy::{self, PrivacyRequest, RequestKind, RequestStatus, RequestUpdate};
use crate::domain::{NewAuditEvent, Page, Role};
use crate::error::{DomainError, DomainResult};
use crate::ids::{PrivacyRequestId, UserId};
use crate::service::change::{in_company, Change};

/// What fulfilling a request must do besides closing it. Access and portability are served by
/// the export, correction by editing the person; anonymisation and deletion are served by the
/// erasure service, which plugs in here and runs in the same transaction as the status change,
/// so a request is never marked fulfilled without its erasure.
pub trait Fulfilment: Send + 'static {
    fn fulfil(&self, tx: &Db<'_>, request: &PrivacyRequest) -> DomainResult<()>;
}

/// Files a request. A member files only for themselves (naming anyone else is a 404, as for a
/// user they cannot see); an admin or the owner may name any user of the company.
#[tracing::instrument(skip_all, fields(company_id = %scope.company()))]
pub async fn file(
    store: &Store,
    scope: &CompanyScope<Member>,
    subject: Option<UserId>,
    kind: RequestKind,
    details: String,
) -> DomainResult<PrivacyRequest> {
    let me = scope.user_id().clone();
    let subject = match (subject, scope.role(), scope.is_owner()) {
        (None, _, true) => return Err(DomainError::invalid("user_id", "is required")),
        (None, _, false) => me.clone(),
        (Some(s), Role::Member, false) if s != me => return Err(DomainError::NotFound("user")),
        (Some(s), _, _) => s,
    };
    store
        .write_in(
            scope,
            in_company(scope, move |tx, company, now| {
                db::users::get_in_company(tx, &company.id, &subject)?
                    .ok_or(DomainError::NotFound("user"))?;
                let r = PrivacyRequest {
                    id: PrivacyRequestId::generate(),
                    company_id: company.id.clone(),
                    subject_id: subject.clone(),
                    subject_name: None,
                    requested_by: me.clone(),
                    kind,
                    status: RequestStatus::Open,
                    details: details.clone(),
                    notes: String::new(),
                    refusal_reason: None,
                    created_at: now,
                    due_at: privacy::due_at(now),
                    updated_at: now,
                    closed_at: None,
                };
                db::privacy::insert(tx, &r)?;
                let r = db::privacy::get_in_company(tx, &company.id, &r.id)?
                    .ok_or(DomainError::NotFound("privacy request"))?;
                let event = NewAuditEvent::new("privacy_request.filed")
                    .target("privacy_request", &r.id)
                    .details(json!({
                        "kind": kind.as_str(), "subject_id": r.subject_id.as_str(),
                        "due_at": r.due_at,
                    }));
                Ok(Change::audited(r, event))
            }),
        )
        .await
}

/// The company's requests: a member sees only those about themselves.
pub async fn list_company(
    store: &Store,
    scope: &CompanyScope<Member>,
    status: Option<RequestStatus>,
    cursor: Option<String>,
    limit: u32,
) -> DomainResult<Page<PrivacyRequest>> {
    let filter = RequestFilter {
        company: Some(scope.company().clone()),
        subject: own_only(scope),
        status,
        overdue_at: None,
    };
    list(store, filter, cursor, limit).await
}

/// The owner's queue over every company, oldest due first.
pub async fn queue(
    store: &Store,
    _owner: &Owner,
    status: Option<RequestStatus>,
    overdue: bool,
    cursor: Option<String>,
    limit: u32,
) -> DomainResult<Page<PrivacyRequest>> {
    let filter = RequestFilter {
        company: None,
        subject: None,
        status,
        overdue_at: overdue.then(now_ms),
    };
    list(store, filter, cursor, limit).await
}

async fn list(
    store: &Store,
    filter: RequestFilter,
    cursor: Option<String>,
    limit: u32,
) -> DomainResult<Page<PrivacyRequest>> {
    let after = crate::domain::cursor::open(cursor)?;
    store
        .read(move |c| {
            if let Some(company) = &filter.company {
                crate::service::companies::load(c, company)?;
            }
            db::privacy::list(c, &filter, after.as_deref(), limit)
        })
        .await
}

fn own_only(scope: &CompanyScope<Member>) -> Option<UserId> {
    (scope.role() == Role::Member && !scope.is_owner()).then(|| scope.user_id().clone())
}

/// One request of the company; a member's view of someone else's is a 404.
pub async fn get(
    store: &Store,
    scope: &CompanyScope<Member>,
    id: PrivacyRequestId,
) -> DomainResult<PrivacyRequest> {
    let company = scope.company().clone();
    let own = own_only(scope);
    store
        .read_in(scope, move |c| {
            crate::service::companies::load(c, &company)?;
            db::privacy::get_in_company(c, &company, &id)?
                .filter(|r| own.as_ref().is_none_or(|me| &r.subject_id == me))
                .ok_or(DomainError::NotFound("privacy request"))
        })
        .await
}

/// The owner moves a request on: status, notes, a refusal's reason. A closed request cannot
/// change status again (409). Fulfilling runs `fulfilment` in the same transaction.
#[tracing::instrument(skip_all, fields(company_id = %scope.company()))]
pub async fn update(
    store: &Store,
    scope: &CompanyScope<OwnerOf>,
    id: PrivacyRequestId,
    change: RequestUpdate,
    fulfilment: impl Fulfilment,
) -> DomainResult<PrivacyRequest> {
    store
        .write_in(
            scope,
            in_company(scope, move |tx, company, now| {
                let mut r = db::privacy::get_in_company(tx, &company.id, &id)?
                    .ok_or(DomainError::NotFound("privacy request"))?;
                let from = r.status;
                if let Some(to) = change.status {
                    if from.is_closed() && to != from {
                        return Err(DomainError::conflict(
                            "status",
                            "the request is already closed",
                        ));
                    }
                    r.status = to;
                    if to.is_closed() && !from.is_closed() {
                        r.closed_at = Some(now);
                    }
                    r.refusal_reason = change.refusal_reason.clone();
                }
                if let Some(notes) = change.notes.clone() {
                    r.notes = notes;
                }
                r.updated_at = now;
                db::privacy::update(tx, &r)?;
                if r.status == RequestStatus::Fulfilled && from != RequestStatus::Fulfilled {
                    fulfilment.fulfil(tx, &r)?;
                }
                let action = match (from == r.status, r.status) {
                    (true, _) => "privacy_request.updated",
                    (false, RequestStatus::Fulfilled) => "privacy_request.fulfilled",
                    (false, RequestStatus::Refused) => "privacy_request.refused",
                    (false, _) => "privacy_request.updated",
                };
                // The reason and notes are the owner's words about a person: they stay in the
                // request, and the audit says only what changed.
                let event = NewAuditEvent::new(action)
                    .target("privacy_request", &r.id)
                    .details(json!({
                        "kind": r.kind.as_str(), "subject_id": r.subject_id.as_str(),
                        "from": from.as_str(), "to": r.status.as_str(),
                    }));
                Ok(Change::audited(r, event))
            }),
        )
        .await
}
