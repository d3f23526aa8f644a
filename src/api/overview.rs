//! The owner's overview.

use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use crate::api::auth::{Caller, UserAuth};
use crate::api::statuses::ReadErrors;
use crate::api::Tag;
use crate::service::{overview, AppState};

pub struct OverviewApi {
    state: AppState,
}

impl OverviewApi {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

#[derive(Object)]
struct CompaniesByStatus {
    pending: i64,
    active: i64,
    suspended: i64,
    cancelled: i64,
}

/// The e-mail outbox.
#[derive(Object)]
struct MailStatus {
    /// Whether an SMTP server is set; without one every message waits in the queue.
    configured: bool,
    /// Messages waiting to be sent.
    queued: i64,
    /// Messages that failed their last attempt (`armario mail list --dead`, `armario mail retry`).
    dead: i64,
}

/// A link whose application reported that provisioning its company failed.
#[derive(Object)]
struct ProvisioningFailure {
    link_id: String,
    application_id: String,
    application_name: String,
    company_id: String,
    company_name: String,
    /// The application's message.
    message: String,
    reported_at: chrono::DateTime<chrono::Utc>,
}

/// Where applications stand in provisioning their linked companies, by link.
#[derive(Object)]
struct ProvisioningSummary {
    /// Links whose application has reported nothing yet.
    unreported: u64,
    /// Asked to provision again, no answer since.
    requested: u64,
    provisioning: u64,
    ready: u64,
    failed: u64,
    /// The latest failures (at most 10), newest first.
    failures: Vec<ProvisioningFailure>,
}

/// Counts for the dashboard.
#[derive(Object)]
struct OverviewOut {
    companies: CompaniesByStatus,
    users: i64,
    /// Users waiting for approval.
    pending_users: i64,
    applications: i64,
    /// Application requests over the last 7 and 30 days (UTC days, today included).
    requests_7d: i64,
    requests_30d: i64,
    mail: MailStatus,
    provisioning: ProvisioningSummary,
}

#[OpenApi(tag = "Tag::Companies")]
impl OverviewApi {
    /// Read the platform's overview.
    ///
    /// Owner only. Companies by status, users, approvals waiting, applications and API requests
    /// over the last 7 and 30 days.
    #[oai(path = "/overview", method = "get", operation_id = "get_overview")]
    async fn overview(
        &self,
        auth: UserAuth,
        caller: Caller,
    ) -> Result<Json<OverviewOut>, ReadErrors> {
        let owner = auth.owner(&self.state, &caller).await?;
        let o = overview::overview(&self.state.store, &self.state.usage, &owner).await?;
        let count = |s: &str| {
            o.companies_by_status
                .iter()
                .find(|(k, _)| k == s)
                .map_or(0, |(_, n)| *n)
        };
        Ok(Json(OverviewOut {
            companies: CompaniesByStatus {
                pending: count("pending"),
                active: count("active"),
                suspended: count("suspended"),
                cancelled: count("cancelled"),
            },
            users: o.users,
            pending_users: o.pending_users,
            applications: o.applications,
            requests_7d: o.requests_7d,
            requests_30d: o.requests_30d,
            mail: MailStatus {
                configured: self.state.mail.configured(),
                queued: o.mail.queued,
                dead: o.mail.dead,
            },
            provisioning: ProvisioningSummary {
                unreported: o.provisioning.unreported,
                requested: o.provisioning.requested,
                provisioning: o.provisioning.provisioning,
                ready: o.provisioning.ready,
                failed: o.provisioning.failed,
                failures: o
                    .provisioning_failures
                    .into_iter()
                    .map(|f| ProvisioningFailure {
                        link_id: f.link_id,
                        application_id: f.application_id,
                        application_name: f.application,
                        company_id: f.company_id,
                        company_name: f.company,
                        message: f.message,
                        reported_at: crate::api::time::ts(f.reported_at),
                    })
                    .collect(),
            },
        }))
    }
}
