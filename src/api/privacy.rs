//! Data-subject requests (LGPD art. 18): filed by the person, their company's admin or the
//! owner; worked by the owner in a queue. Thin handlers over `service::privacy_requests`.

use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Enum, Object, OpenApi};
use serde::Deserialize;

use crate::access::{Member, OwnerOf};
use crate::api::auth::{Caller, UserAuth};
use crate::api::body::JsonBody;
use crate::api::input::{Text, CURSOR_MAX, ID_MAX};
use crate::api::session::CreatedResponse;
use crate::api::statuses::{ChangeErrors, ListErrors, ReadOneErrors};
use crate::api::time::ts;
use crate::api::Tag;
use crate::clock::now_ms;
use crate::domain::page_size;
use crate::domain::privacy::{PrivacyRequest, RequestKind, RequestStatus, RequestUpdate, TEXT_MAX};
use crate::error::DomainError;
use crate::ids::{CompanyId, PrivacyRequestId, UserId};
use crate::service::erasure::ErasePerson;
use crate::service::privacy_requests as requests;
use crate::service::AppState;

pub struct PrivacyApi {
    state: AppState,
}

impl PrivacyApi {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

/// The right asked for (LGPD art. 18).
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[oai(rename = "PrivacyRequestKind", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum KindDto {
    Access,
    Correction,
    Portability,
    Anonymisation,
    Deletion,
}

impl From<KindDto> for RequestKind {
    fn from(k: KindDto) -> Self {
        match k {
            KindDto::Access => Self::Access,
            KindDto::Correction => Self::Correction,
            KindDto::Portability => Self::Portability,
            KindDto::Anonymisation => Self::Anonymisation,
            KindDto::Deletion => Self::Deletion,
        }
    }
}

impl From<RequestKind> for KindDto {
    fn from(k: RequestKind) -> Self {
        match k {
            RequestKind::Access => Self::Access,
            RequestKind::Correction => Self::Correction,
            RequestKind::Portability => Self::Portability,
            RequestKind::Anonymisation => Self::Anonymisation,
            RequestKind::Deletion => Self::Deletion,
        }
    }
}

/// Where a request stands.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[oai(rename = "PrivacyRequestStatus", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum StatusDto {
    Open,
    InProgress,
    Fulfilled,
    Refused,
}

impl From<StatusDto> for RequestStatus {
    fn from(s: StatusDto) -> Self {
        match s {
            StatusDto::Open => Self::Open,
            StatusDto::InProgress => Self::InProgress,
            StatusDto::Fulfilled => Self::Fulfilled,
            StatusDto::Refused => Self::Refused,
        }
    }
}

impl From<RequestStatus> for StatusDto {
    fn from(s: RequestStatus) -> Self {
        match s {
            RequestStatus::Open => Self::Open,
            RequestStatus::InProgress => Self::InProgress,
            RequestStatus::Fulfilled => Self::Fulfilled,
            RequestStatus::Refused => Self::Refused,
        }
    }
}

/// A data-subject request.
#[derive(Object)]
#[oai(rename = "PrivacyRequest")]
struct RequestOut {
    id: String,
    company_id: String,
    /// The person the request is about.
    user_id: String,
    /// Their name, while they are a user of the company.
    #[oai(skip_serializing_if_is_none)]
    user_name: Option<String>,
    /// Who filed it: the person, their company's admin or the owner.
    requested_by: String,
    kind: KindDto,
    status: StatusDto,
    /// What the person asked, in their words.
    details: String,
    /// The owner's notes on how it was served.
    notes: String,
    /// Why it was refused (only when `refused`).
    #[oai(skip_serializing_if_is_none)]
    refusal_reason: Option<String>,
    created_at: chrono::DateTime<chrono::Utc>,
    /// 15 days after `created_at` (LGPD art. 19).
    due_at: chrono::DateTime<chrono::Utc>,
    /// Still open or in progress past `due_at`.
    overdue: bool,
    updated_at: chrono::DateTime<chrono::Utc>,
    #[oai(skip_serializing_if_is_none)]
    closed_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<PrivacyRequest> for RequestOut {
    fn from(r: PrivacyRequest) -> Self {
        Self {
            overdue: r.overdue(now_ms()),
            id: r.id.to_string(),
            company_id: r.company_id.to_string(),
            user_id: r.subject_id.to_string(),
            user_name: r.subject_name,
            requested_by: r.requested_by.to_string(),
            kind: r.kind.into(),
            status: r.status.into(),
            details: r.details,
            notes: r.notes,
            refusal_reason: r.refusal_reason,
            created_at: ts(r.created_at),
            due_at: ts(r.due_at),
            updated_at: ts(r.updated_at),
            closed_at: r.closed_at.map(ts),
        }
    }
}

/// A page of requests, oldest due first.
#[derive(Object)]
struct PrivacyRequestList {
    items: Vec<RequestOut>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    #[oai(skip_serializing_if_is_none)]
    next_cursor: Option<String>,
}

/// A request to file.
#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
struct PrivacyRequestIn {
    kind: KindDto,
    /// The person it is about: a user of the company. A member may leave it out (or name
    /// themselves); the owner must name one.
    #[oai(nullable)]
    #[serde(default)]
    user_id: Option<Text<ID_MAX>>,
    /// What the person asks, in their words (at most 2000 characters).
    #[oai(nullable)]
    #[serde(default)]
    details: Option<Text<TEXT_MAX>>,
}

/// How the owner moves a request on; absent fields stay as they are.
#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
struct PrivacyRequestPatch {
    // (No doc comment and not nullable: either would wrap the $ref in an allOf.)
    #[serde(default)]
    status: Option<StatusDto>,
    /// How the request was served (at most 2000 characters); an empty string clears them.
    #[oai(nullable)]
    #[serde(default)]
    notes: Option<Text<TEXT_MAX>>,
    /// Required with `refused`, refused only: why (LGPD art. 18 §4).
    #[oai(nullable)]
    #[serde(default)]
    refusal_reason: Option<Text<TEXT_MAX>>,
}

fn page(p: crate::domain::Page<PrivacyRequest>) -> PrivacyRequestList {
    PrivacyRequestList {
        items: p.items.into_iter().map(Into::into).collect(),
        next_cursor: p.next_cursor,
    }
}

fn status_of(s: Option<StatusDto>) -> Option<RequestStatus> {
    s.map(Into::into)
}

#[OpenApi(tag = "Tag::Companies")]
impl PrivacyApi {
    /// File a data-subject request.
    ///
    /// Any user of the company for themselves, the company's admin for any of its users, or
    /// the owner (who names the user). Due 15 days later (LGPD art. 19). Audited as
    /// `privacy_request.filed`.
    #[oai(
        path = "/companies/:id/privacy-requests",
        method = "post",
        operation_id = "file_privacy_request"
    )]
    async fn file(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
        body: JsonBody<PrivacyRequestIn>,
    ) -> Result<CreatedResponse<RequestOut>, ChangeErrors> {
        let scope = auth.company::<Member>(&self.state, &caller, id.0).await?;
        let b = body.0;
        let subject = b
            .user_id
            .map(|u| {
                UserId::parse(u.trim())
                    .ok_or_else(|| DomainError::invalid("user_id", "no such user"))
            })
            .transpose()?;
        let details = crate::domain::validate::optional("details", b.details.as_deref(), TEXT_MAX)?
            .unwrap_or_default();
        let r = requests::file(&self.state.store, &scope, subject, b.kind.into(), details).await?;
        Ok(CreatedResponse::Created(Json(r.into())))
    }

    /// List a company's data-subject requests.
    ///
    /// The company's admin or the owner see all of them; a member sees those about
    /// themselves. Oldest due first, optionally of one status.
    #[oai(
        path = "/companies/:id/privacy-requests",
        method = "get",
        operation_id = "list_company_privacy_requests"
    )]
    async fn list(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
        status: Query<Option<StatusDto>>,
        /// Page size, 1 to 200 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<u32>>,
        /// The `next_cursor` of the previous page, as given (cursors are opaque).
        cursor: Query<Option<Text<CURSOR_MAX>>>,
    ) -> Result<Json<PrivacyRequestList>, ReadOneErrors> {
        let scope = auth.company::<Member>(&self.state, &caller, id.0).await?;
        let limit = page_size(limit.0)?;
        let p = requests::list_company(
            &self.state.store,
            &scope,
            status_of(status.0),
            cursor.0.map(Into::into),
            limit,
        )
        .await?;
        Ok(Json(page(p)))
    }

    /// Read a data-subject request.
    ///
    /// The company's admin or the owner; a member only a request about themselves.
    #[oai(
        path = "/companies/:id/privacy-requests/:request_id",
        method = "get",
        operation_id = "get_privacy_request"
    )]
    async fn get(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
        request_id: Path<PrivacyRequestId>,
    ) -> Result<Json<RequestOut>, ReadOneErrors> {
        let scope = auth.company::<Member>(&self.state, &caller, id.0).await?;
        let r = requests::get(&self.state.store, &scope, request_id.0).await?;
        Ok(Json(r.into()))
    }

    /// Move a data-subject request on.
    ///
    /// Owner only. Status (`in_progress`, `fulfilled`, or `refused` with a reason), notes. A
    /// closed request cannot change status (409). Audited as `privacy_request.fulfilled`,
    /// `privacy_request.refused` or `privacy_request.updated`.
    #[oai(
        path = "/companies/:id/privacy-requests/:request_id",
        method = "patch",
        operation_id = "update_privacy_request"
    )]
    async fn update(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
        request_id: Path<PrivacyRequestId>,
        body: JsonBody<PrivacyRequestPatch>,
    ) -> Result<Json<RequestOut>, ChangeErrors> {
        // Another company's request is a 404 for every role, before the owner-only check
        // could answer 403 to this company's own users.
        let reader = auth
            .company::<Member>(&self.state, &caller, id.0.clone())
            .await?;
        requests::get(&self.state.store, &reader, request_id.0.clone()).await?;
        let scope = auth.company::<OwnerOf>(&self.state, &caller, id.0).await?;
        let b = body.0;
        let change = RequestUpdate::validate(
            status_of(b.status),
            b.notes.as_deref(),
            b.refusal_reason.as_deref(),
        )?;
        let r = requests::update(
            &self.state.store,
            &scope,
            request_id.0,
            change,
            ErasePerson::new(scope.audit()),
        )
        .await?;
        // A fulfilled anonymisation or deletion erased someone: the log is emptied and the
        // ledger beside the backups follows. Other changes erase nothing.
        if r.kind.erases() && matches!(r.status, RequestStatus::Fulfilled) {
            self.state.erased().await;
        }
        Ok(Json(r.into()))
    }

    /// List every company's data-subject requests: the owner's queue.
    ///
    /// Owner only. Oldest due first; `status` narrows to one status, `overdue=true` to open
    /// or in-progress requests past their due date.
    #[oai(
        path = "/privacy-requests",
        method = "get",
        operation_id = "list_privacy_requests"
    )]
    async fn queue(
        &self,
        auth: UserAuth,
        caller: Caller,
        status: Query<Option<StatusDto>>,
        /// Only requests still open past their due date.
        overdue: Query<Option<bool>>,
        /// Page size, 1 to 200 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<u32>>,
        /// The `next_cursor` of the previous page, as given (cursors are opaque).
        cursor: Query<Option<Text<CURSOR_MAX>>>,
    ) -> Result<Json<PrivacyRequestList>, ListErrors> {
        let owner = auth.owner(&self.state, &caller).await?;
        let limit = page_size(limit.0)?;
        let p = requests::queue(
            &self.state.store,
            &owner,
            status_of(status.0),
            overdue.0.unwrap_or(false),
            cursor.0.map(Into::into),
            limit,
        )
        .await?;
        Ok(Json(page(p)))
    }
}
