//! The audit chain's last verification, for the dashboard's *Audit integrity* card.

use chrono::{DateTime, Utc};
use poem_openapi::payload::Json;
use poem_openapi::{Enum, Object, OpenApi};

use crate::api::auth::{Caller, UserAuth};
use crate::api::statuses::{OwnerActionErrors, ReadErrors};
use crate::api::time::ts;
use crate::api::Tag;
use crate::db;
use crate::service::AppState;

pub struct AuditIntegrityApi {
    state: AppState,
}

impl AuditIntegrityApi {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

/// What the last verification found.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum IntegrityStatus {
    /// Every event follows the one before it.
    Ok,
    /// An event was edited, deleted or inserted outside armario.
    Broken,
    /// The server has not verified the chain yet (it does at start and daily).
    Unchecked,
}

/// How the chain was broken, at the first event that breaks it.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum BreakKindOut {
    Edited,
    Deleted,
    Inserted,
}

/// The last verification of the audit log's hash chain.
#[derive(Object)]
struct AuditIntegrity {
    status: IntegrityStatus,
    #[oai(skip_serializing_if_is_none)]
    verified_at: Option<DateTime<Utc>>,
    /// Events found intact (before the first break, if any).
    events_checked: i64,
    #[oai(skip_serializing_if_is_none)]
    broken_event_id: Option<i64>,
    #[oai(skip_serializing_if_is_none)]
    broken_kind: Option<BreakKindOut>,
    /// What is wrong, in English, naming the event.
    #[oai(skip_serializing_if_is_none)]
    problem: Option<String>,
}

#[OpenApi(tag = "Tag::Audit")]
impl AuditIntegrityApi {
    /// Read the audit chain's last verification.
    ///
    /// Owner only. The server verifies the audit log's hash chain at start and daily; this is
    /// the latest result: intact, or the first event that breaks the chain. `armario audit
    /// verify` checks it from the console at any time.
    #[oai(
        path = "/audit-integrity",
        method = "get",
        operation_id = "get_audit_integrity"
    )]
    async fn get(
        &self,
        auth: UserAuth,
        caller: Caller,
    ) -> Result<Json<AuditIntegrity>, ReadErrors> {
        auth.owner(&self.state, &caller).await?;
        Ok(Json(self.last().await?))
    }

    /// Verify the audit chain now.
    ///
    /// Owner only. Checks the whole hash chain at once, as the daily check does, records the
    /// result (for `/readyz` and this card) and answers it.
    #[oai(
        path = "/audit-integrity",
        method = "post",
        operation_id = "verify_audit_integrity"
    )]
    async fn verify(
        &self,
        auth: UserAuth,
        caller: Caller,
    ) -> Result<Json<AuditIntegrity>, OwnerActionErrors> {
        auth.owner(&self.state, &caller).await?;
        crate::service::audit_chain::verify_and_record(&self.state.store).await?;
        Ok(Json(self.last().await?))
    }
}

impl AuditIntegrityApi {
    async fn last(&self) -> crate::error::DomainResult<AuditIntegrity> {
        let last = self
            .state
            .store
            .read(db::audit_chain::last_verification)
            .await?;
        let out = match last {
            None => AuditIntegrity {
                status: IntegrityStatus::Unchecked,
                verified_at: None,
                events_checked: 0,
                broken_event_id: None,
                broken_kind: None,
                problem: None,
            },
            Some(v) => AuditIntegrity {
                status: if v.ok {
                    IntegrityStatus::Ok
                } else {
                    IntegrityStatus::Broken
                },
                verified_at: Some(ts(v.verified_at)),
                events_checked: v.events_checked,
                broken_event_id: v.broken_event_id,
                broken_kind: v.broken_kind.as_deref().map(|k| match k {
                    "deleted" => BreakKindOut::Deleted,
                    "inserted" => BreakKindOut::Inserted,
                    _ => BreakKindOut::Edited,
                }),
                problem: v.problem,
            },
        };
        Ok(out)
    }
}
