//! The audit log.

use chrono::{DateTime, Utc};
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use crate::access::Reach;
use crate::api::auth::{Caller, UserAuth};
use crate::api::error::ApiResult;
use crate::api::input::{Text, Timestamp, ACTION_MAX, CURSOR_MAX, ID_MAX};
use crate::api::time::ts;
use crate::api::Tag;
use crate::domain::audit::{AuditEvent, AuditFilter};
use crate::domain::page_size;
use crate::error::{DomainError, DomainResult};
use crate::ids::CompanyId;
use crate::service::{audit, AppState};

pub struct AuditApi {
    state: AppState,
}

impl AuditApi {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

/// Something that happened: who did what to which object, from where and when.
#[derive(Object)]
#[oai(rename = "AuditEvent")]
pub struct AuditEventOut {
    id: i64,
    at: DateTime<Utc>,
    /// user, application, operator, system or anonymous.
    actor_kind: String,
    #[oai(skip_serializing_if_is_none)]
    actor_id: Option<String>,
    /// The acting user's or application's name; absent when it is gone, or for a company admin
    /// when the actor is not of their company (the platform's owner, an unlinked application).
    #[oai(skip_serializing_if_is_none)]
    actor_name: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    company_id: Option<String>,
    /// The company's display name (display name, else trade name, else legal name).
    #[oai(skip_serializing_if_is_none)]
    company_name: Option<String>,
    /// For example `company.created`, `auth.login_failed`, `secret.set`.
    action: String,
    #[oai(skip_serializing_if_is_none)]
    target_kind: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    target_id: Option<String>,
    /// The target's name when it is a user, an application or a company the reader may see.
    #[oai(skip_serializing_if_is_none)]
    target_name: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    ip: Option<String>,
    /// What changed; never secrets or hashes.
    details: serde_json::Value,
}

impl From<AuditEvent> for AuditEventOut {
    fn from(e: AuditEvent) -> Self {
        Self {
            id: e.id,
            at: ts(e.at),
            actor_kind: e.actor_kind,
            actor_id: e.actor_id,
            actor_name: e.actor_name,
            company_id: e.company_id,
            company_name: e.company_name,
            action: e.action,
            target_kind: e.target_kind,
            target_id: e.target_id,
            target_name: e.target_name,
            ip: e.ip,
            details: e.details,
        }
    }
}

/// A page of audit events, newest first.
#[derive(Object)]
struct AuditList {
    items: Vec<AuditEventOut>,
    #[oai(skip_serializing_if_is_none)]
    next_cursor: Option<String>,
}

#[OpenApi(tag = "Tag::Audit")]
impl AuditApi {
    /// Audit events, newest first. The owner sees everything; a company admin only their company.
    #[oai(
        path = "/audit-events",
        method = "get",
        operation_id = "list_audit_events"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        auth: UserAuth,
        caller: Caller,
        /// Events at or after this time; at most 366 days before `to` (or now).
        from: Query<Option<Timestamp>>,
        /// Events before this time.
        to: Query<Option<Timestamp>>,
        /// Exact action, for example `company.created`.
        action: Query<Option<Text<ACTION_MAX>>>,
        /// Id of the acting user or application.
        actor_id: Query<Option<Text<ID_MAX>>>,
        company_id: Query<Option<Text<ID_MAX>>>,
        /// Page size, 1 to 200 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<u32>>,
        /// The `next_cursor` of the previous page, as given (cursors are opaque).
        cursor: Query<Option<Text<CURSOR_MAX>>>,
    ) -> ApiResult<Json<AuditList>> {
        let who = auth.user(&self.state, &caller).await?;
        let limit = page_size(limit.0)?;
        let company_id = company_id
            .0
            .map(|c| {
                CompanyId::parse(&c)
                    .ok_or_else(|| DomainError::invalid("company_id", "is not a company id"))
            })
            .transpose()?;
        let (from, to) = (from.0.map(|t| t.0), to.0.map(|t| t.0));
        audit_period(from, to)?;
        let reach = Reach::check(&who, company_id)?;
        let filter = AuditFilter {
            from: from.map(|t| t.timestamp_millis()),
            to: to.map(|t| t.timestamp_millis()),
            action: action.0.map(Into::into),
            actor_id: actor_id.0.map(Into::into),
            company_id: None,
            names_within: None,
        };
        let page = audit::list(
            &self.state.store,
            &reach,
            filter,
            cursor.0.map(Into::into),
            limit,
        )
        .await?;
        Ok(Json(AuditList {
            items: page.items.into_iter().map(Into::into).collect(),
            next_cursor: page.next_cursor,
        }))
    }
}

/// The longest period a query may span, as for usage reports.
const MAX_PERIOD_DAYS: i64 = 366;

/// A period that starts at `from` ends at `to`, or now: `from` must not be after it, and the
/// period must not be longer than a year (26 years of events are an export, not a page).
fn audit_period(from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> DomainResult<()> {
    let Some(from) = from else {
        return Ok(());
    };
    let end = to.unwrap_or_else(Utc::now);
    if from > end {
        return Err(DomainError::invalid(
            "from",
            "must not be after to (or now, when to is absent)",
        ));
    }
    if end - from > chrono::Duration::days(MAX_PERIOD_DAYS) {
        return Err(DomainError::invalid(
            "from",
            format!("the period from `from` to `to` (or now) is at most {MAX_PERIOD_DAYS} days"),
        ));
    }
    Ok(())
}
