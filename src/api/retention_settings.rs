//! Retention the owner sets in the dashboard (`service::retention_settings`), beside the
//! backups' retention, which is read-only here (a setting of the `[backup]` table).

use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use serde::Deserialize;

use crate::api::auth::{Caller, UserAuth};
use crate::api::body::JsonBody;
use crate::api::input::Int;
use crate::api::statuses::{ReadErrors, SettingsErrors};
use crate::api::time::ts;
use crate::api::Tag;
use crate::config::SIGNIN_MIN_DAYS;
use crate::db::retention::Policy;
use crate::service::retention_settings::{self as settings, Effective};
use crate::service::{retention, AppState};

pub struct RetentionApi {
    state: AppState,
}

impl RetentionApi {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

/// How long each kind of record is kept, in days.
#[derive(Object, Deserialize)]
#[oai(rename = "RetentionIn")]
#[serde(deny_unknown_fields)]
struct RetentionIn {
    /// Audit events; at least `signin_days`.
    audit_days: Int<1, 7300>,
    /// Sign-in records with their IP; at least 183 (Marco Civil da Internet, art. 15).
    signin_days: Int<1, 3650>,
    /// Daily API usage rows.
    usage_days: Int<1, 3650>,
    /// Ended sessions.
    sessions_days: Int<1, 365>,
}

/// The retention in force.
#[derive(Object)]
#[oai(rename = "Retention")]
struct RetentionOut {
    audit_days: u32,
    signin_days: u32,
    usage_days: u32,
    sessions_days: u32,
    /// The least `signin_days` may be (183).
    signin_min_days: u32,
    /// Days backups are kept: the `backup.retention_days` setting, read-only here.
    backup_days: u32,
    /// When the owner saved it; absent while the settings' defaults are in force.
    #[oai(skip_serializing_if_is_none)]
    updated_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl RetentionApi {
    fn out(&self, e: Effective) -> RetentionOut {
        RetentionOut {
            audit_days: e.policy.audit_days,
            signin_days: e.policy.signin_days,
            usage_days: e.policy.usage_days,
            sessions_days: e.policy.sessions_days,
            signin_min_days: SIGNIN_MIN_DAYS,
            backup_days: self.state.backups.settings().retention_days,
            updated_at: e.updated_at.map(ts),
        }
    }

    fn defaults(&self) -> Policy {
        retention::policy(&self.state.settings)
    }
}

fn days<const MIN: i64, const MAX: i64>(v: Int<MIN, MAX>) -> u32 {
    u32::try_from(v.get()).expect("bounded by the schema to a positive u32")
}

#[OpenApi(tag = "Tag::Audit")]
impl RetentionApi {
    /// Read the retention in force.
    ///
    /// Owner only. Days audit events, sign-in records, usage rows and ended sessions are kept:
    /// what the owner saved, else the `retention_*` settings; and the backups' retention.
    #[oai(
        path = "/settings/retention",
        method = "get",
        operation_id = "get_retention"
    )]
    async fn get(&self, auth: UserAuth, caller: Caller) -> Result<Json<RetentionOut>, ReadErrors> {
        auth.owner(&self.state, &caller).await?;
        let e = settings::effective(&self.state.store, self.defaults()).await?;
        Ok(Json(self.out(e)))
    }

    /// Set the retention.
    ///
    /// Owner only. Overrides the `retention_*` settings from the next daily prune (and at
    /// every start). Sign-in records at least 183 days; audit events at least as long as
    /// sign-in records. Audited as `retention.changed`.
    #[oai(
        path = "/settings/retention",
        method = "put",
        operation_id = "set_retention"
    )]
    async fn set(
        &self,
        auth: UserAuth,
        caller: Caller,
        body: JsonBody<RetentionIn>,
    ) -> Result<Json<RetentionOut>, SettingsErrors> {
        let owner = auth.owner(&self.state, &caller).await?;
        let b = body.0;
        let p = Policy {
            audit_days: days(b.audit_days),
            signin_days: days(b.signin_days),
            usage_days: days(b.usage_days),
            sessions_days: days(b.sessions_days),
        };
        let e = settings::set(&self.state.store, &owner, self.defaults(), p).await?;
        Ok(Json(self.out(e)))
    }
}
