//! The owner's alerts: what was alerted, and which topics come by e-mail.

use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::{Enum, Object, OpenApi};
use serde::Deserialize;

use crate::api::auth::{Caller, UserAuth};
use crate::api::body::JsonBody;
use crate::api::input::{Text, CURSOR_MAX};
use crate::api::statuses::{ListErrors, ReadErrors, SettingsErrors};
use crate::api::time::ts;
use crate::api::Tag;
use crate::domain::page_size;
use crate::service::alerts::{self, AlertView};
use crate::service::AppState;

pub struct AlertsApi {
    state: AppState,
}

impl AlertsApi {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

/// What an alert is about: `backup_failed`, `backup_late` (no good backup for 24 hours),
/// `signup_waiting`, `credential_expiring` (within 14 days), `plan_near_limit` (90% of the
/// plan's users), `mail_dead` (messages dead-lettered), `webhook_disabled` (an endpoint disabled
/// after failing for the whole retry schedule), `provisioning_failed` (an application reported
/// that provisioning a company failed).
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
enum AlertKind {
    BackupFailed,
    BackupLate,
    SignupWaiting,
    CredentialExpiring,
    PlanNearLimit,
    MailDead,
    WebhookDisabled,
    ProvisioningFailed,
}

impl AlertKind {
    fn parse(s: &str) -> Self {
        match s {
            "backup_failed" => Self::BackupFailed,
            "backup_late" => Self::BackupLate,
            "signup_waiting" => Self::SignupWaiting,
            "credential_expiring" => Self::CredentialExpiring,
            "plan_near_limit" => Self::PlanNearLimit,
            "webhook_disabled" => Self::WebhookDisabled,
            "provisioning_failed" => Self::ProvisioningFailed,
            _ => Self::MailDead,
        }
    }
}

/// An alert recorded for the owner; the fields present depend on `kind`.
#[derive(Object)]
struct AlertOut {
    id: String,
    kind: AlertKind,
    created_at: chrono::DateTime<chrono::Utc>,
    /// `signup_waiting`, `plan_near_limit`, `provisioning_failed`: the company.
    #[oai(skip_serializing_if_is_none)]
    company_id: Option<String>,
    /// `signup_waiting`, `plan_near_limit`, `provisioning_failed`: the company's shown name.
    #[oai(skip_serializing_if_is_none)]
    company_name: Option<String>,
    /// `credential_expiring`, `webhook_disabled`, `provisioning_failed`: the application.
    #[oai(skip_serializing_if_is_none)]
    application_id: Option<String>,
    /// `credential_expiring`, `webhook_disabled`, `provisioning_failed`: its name.
    #[oai(skip_serializing_if_is_none)]
    application_name: Option<String>,
    /// `credential_expiring`: the credential's label.
    #[oai(skip_serializing_if_is_none)]
    label: Option<String>,
    /// `credential_expiring`: when it expires; `signup_waiting`: when the sign-up came;
    /// `backup_failed`: when the run failed; `backup_late`: when the last good backup finished;
    /// `webhook_disabled`: when the endpoint was disabled; `provisioning_failed`: when reported.
    #[oai(skip_serializing_if_is_none)]
    at: Option<chrono::DateTime<chrono::Utc>>,
    /// `backup_failed`: why; `provisioning_failed`: the application's message.
    #[oai(skip_serializing_if_is_none)]
    error: Option<String>,
    /// `webhook_disabled`: the endpoint.
    #[oai(skip_serializing_if_is_none)]
    endpoint_id: Option<String>,
    /// `webhook_disabled`: the host of the endpoint's URL (its path may carry a token).
    #[oai(skip_serializing_if_is_none)]
    host: Option<String>,
    /// `plan_near_limit`: users counted against the plan.
    #[oai(skip_serializing_if_is_none)]
    users: Option<i64>,
    /// `plan_near_limit`: the plan's limit.
    #[oai(skip_serializing_if_is_none)]
    max_users: Option<i64>,
    /// `mail_dead`: messages dead-lettered.
    #[oai(skip_serializing_if_is_none)]
    count: Option<i64>,
}

impl From<AlertView> for AlertOut {
    fn from(a: AlertView) -> Self {
        let f = &a.facts;
        let text = |k: &str| f[k].as_str().map(str::to_string);
        let int = |k: &str| f[k].as_i64();
        let at = match a.kind.as_str() {
            "credential_expiring" => int("expires_at"),
            "signup_waiting" => int("since"),
            "backup_late" => int("last_good_at"),
            _ => int("at"),
        };
        Self {
            id: a.id.to_string(),
            kind: AlertKind::parse(&a.kind),
            created_at: ts(a.created_at),
            company_id: text("company_id"),
            company_name: text("company"),
            application_id: text("application_id"),
            application_name: text("application"),
            label: text("label"),
            at: at.map(ts),
            error: text("error"),
            endpoint_id: text("endpoint_id"),
            host: text("host"),
            users: int("users"),
            max_users: int("max_users"),
            count: int("count"),
        }
    }
}

/// A page of alerts, newest first.
#[derive(Object)]
struct AlertList {
    items: Vec<AlertOut>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[oai(skip_serializing_if_is_none)]
    next_cursor: Option<String>,
}

/// Which alerts the signed-in owner receives by e-mail. Every topic is on until switched off;
/// alerts are recorded and listed either way.
#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
struct AlertPreferences {
    /// A backup failed, or none succeeded for 24 hours.
    backups: bool,
    /// A sign-up waits for approval.
    signups: bool,
    /// An application credential expires within 14 days.
    credentials: bool,
    /// A company uses 90% of its plan's users.
    plan_limits: bool,
    /// Mail was dead-lettered.
    mail: bool,
    /// A webhook endpoint was disabled for failing, or an application's provisioning of a
    /// company failed.
    integrations: bool,
}

impl AlertPreferences {
    fn from_topics(topics: &[(&'static str, bool)]) -> Self {
        let on = |t: &str| topics.iter().any(|(k, v)| *k == t && *v);
        Self {
            backups: on("backups"),
            signups: on("signups"),
            credentials: on("credentials"),
            plan_limits: on("plan_limits"),
            mail: on("mail"),
            integrations: on("integrations"),
        }
    }

    fn topics(&self) -> Vec<(&'static str, bool)> {
        let values = [
            self.backups,
            self.signups,
            self.credentials,
            self.plan_limits,
            self.mail,
            self.integrations,
        ];
        alerts::TOPICS.iter().copied().zip(values).collect()
    }
}

#[OpenApi(tag = "Tag::Companies")]
impl AlertsApi {
    /// List the alerts recorded for the owner.
    ///
    /// Owner only. Newest first. Each cause is alerted at most once a day (a failed backup
    /// once), whether or not anyone receives it by e-mail.
    #[oai(path = "/alerts", method = "get", operation_id = "list_alerts")]
    async fn list(
        &self,
        auth: UserAuth,
        caller: Caller,
        /// Page size, 1 to 200 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<u32>>,
        /// The `next_cursor` of the previous page, as given (cursors are opaque).
        cursor: Query<Option<Text<CURSOR_MAX>>>,
    ) -> Result<Json<AlertList>, ListErrors> {
        let owner = auth.owner(&self.state, &caller).await?;
        let limit = page_size(limit.0)?;
        let page = alerts::list(&self.state.store, &owner, cursor.0.map(Into::into), limit).await?;
        Ok(Json(AlertList {
            items: page.items.into_iter().map(Into::into).collect(),
            next_cursor: page.next_cursor,
        }))
    }

    /// Read which alerts you receive by e-mail.
    ///
    /// Owner only; each owner chooses for themselves.
    #[oai(
        path = "/alerts/preferences",
        method = "get",
        operation_id = "get_alert_preferences"
    )]
    async fn preferences(
        &self,
        auth: UserAuth,
        caller: Caller,
    ) -> Result<Json<AlertPreferences>, ReadErrors> {
        let owner = auth.owner(&self.state, &caller).await?;
        let topics = alerts::preferences(&self.state.store, &owner).await?;
        Ok(Json(AlertPreferences::from_topics(&topics)))
    }

    /// Choose which alerts you receive by e-mail.
    ///
    /// Owner only; each owner chooses for themselves. Every topic must be given. Audited.
    #[oai(
        path = "/alerts/preferences",
        method = "put",
        operation_id = "set_alert_preferences"
    )]
    async fn set_preferences(
        &self,
        auth: UserAuth,
        caller: Caller,
        body: JsonBody<AlertPreferences>,
    ) -> Result<Json<AlertPreferences>, SettingsErrors> {
        let owner = auth.owner(&self.state, &caller).await?;
        let topics = body.0.topics();
        let topics = alerts::set_preferences(&self.state.store, &owner, topics).await?;
        Ok(Json(AlertPreferences::from_topics(&topics)))
    }
}
