//! Provisioning: the application reports where it stands with a linked company; the company's
//! admin or the owner asks it to provision again. Thin handlers over `service::provisioning`.

use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Enum, Object, OpenApi};
use serde::Deserialize;

use crate::access::{Admin, AppCompanyScope, Linked};
use crate::api::app_auth::AppAuth;
use crate::api::auth::{Caller, UserAuth};
use crate::api::body::JsonBody;
use crate::api::input::Text;
use crate::api::links::LinkOut;
use crate::api::statuses::{ActionErrors, AppLookupErrors, AppReportErrors};
use crate::api::time::{opt_ts, ts};
use crate::api::Tag;
use crate::domain::provisioning::{Provisioning, ProvisioningState};
use crate::ids::{CompanyId, LinkId};
use crate::service::{provisioning, AppState};

pub struct ProvisioningApi {
    state: AppState,
}

impl ProvisioningApi {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

/// `requested`: someone asked the application to provision again and it has not answered
/// since; `provisioning`: under way; `ready`; `failed`: see `message`.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "lowercase")]
pub enum ProvisioningStatus {
    Requested,
    Provisioning,
    Ready,
    Failed,
}

impl From<ProvisioningState> for ProvisioningStatus {
    fn from(s: ProvisioningState) -> Self {
        match s {
            ProvisioningState::Requested => Self::Requested,
            ProvisioningState::Provisioning => Self::Provisioning,
            ProvisioningState::Ready => Self::Ready,
            ProvisioningState::Failed => Self::Failed,
        }
    }
}

/// What an application last reported about setting a company up on its side.
#[derive(Object)]
pub struct ProvisioningOut {
    // Where the application stands.
    state: ProvisioningStatus,
    /// The application's words, required with `failed`.
    #[oai(skip_serializing_if_is_none)]
    message: Option<String>,
    /// When the application last reported.
    #[oai(skip_serializing_if_is_none)]
    reported_at: Option<chrono::DateTime<chrono::Utc>>,
    /// When someone last asked it to provision again.
    #[oai(skip_serializing_if_is_none)]
    requested_at: Option<chrono::DateTime<chrono::Utc>>,
    updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<Provisioning> for ProvisioningOut {
    fn from(p: Provisioning) -> Self {
        Self {
            state: p.state.into(),
            message: p.message,
            reported_at: opt_ts(p.reported_at),
            requested_at: opt_ts(p.requested_at),
            updated_at: ts(p.updated_at),
        }
    }
}

/// What the application can report.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[oai(rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
enum ReportedState {
    Provisioning,
    Ready,
    Failed,
}

/// A provisioning report.
#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProvisioningReportIn {
    // `provisioning`, `ready` or `failed`.
    state: ReportedState,
    /// Why it failed (required with `failed`), or a note; one line, at most 500 characters.
    /// `null` is no message.
    #[serde(default)]
    #[oai(nullable)]
    message: Option<Text<2000>>,
}

/// The application's last report, or none yet.
#[derive(Object)]
struct ProvisioningRead {
    // Absent before the first report or request.
    #[oai(skip_serializing_if_is_none)]
    provisioning: Option<ProvisioningOut>,
}

#[OpenApi]
impl ProvisioningApi {
    /// Read what the calling application last reported for a company.
    ///
    /// Any link will do; a company not linked to the application is a 404.
    #[oai(
        path = "/app/companies/:id/provisioning",
        method = "get",
        operation_id = "get_own_provisioning",
        tag = "Tag::App"
    )]
    async fn read(
        &self,
        auth: AppAuth,
        caller: Caller,
        id: Path<CompanyId>,
    ) -> Result<Json<ProvisioningRead>, AppLookupErrors> {
        let app = auth.app(&self.state, &caller)?;
        let scope = AppCompanyScope::check(&app, id.0, Linked)?;
        let found = provisioning::read(&self.state.store, &scope).await?;
        Ok(Json(ProvisioningRead {
            provisioning: found.map(Into::into),
        }))
    }

    /// Report where the calling application stands in provisioning a company.
    ///
    /// Any link will do; a company not linked to the application is a 404. `failed` needs a
    /// `message`, which the owner and the company's admin read and which raises an alert to
    /// the owner. Audited as `provisioning.reported`.
    #[oai(
        path = "/app/companies/:id/provisioning",
        method = "put",
        operation_id = "report_provisioning",
        tag = "Tag::App"
    )]
    async fn report(
        &self,
        auth: AppAuth,
        caller: Caller,
        id: Path<CompanyId>,
        body: JsonBody<ProvisioningReportIn>,
    ) -> Result<Json<ProvisioningOut>, AppReportErrors> {
        let app = auth.app(&self.state, &caller)?;
        let scope = AppCompanyScope::check(&app, id.0, Linked)?;
        let state = match body.0.state {
            ReportedState::Provisioning => ProvisioningState::Provisioning,
            ReportedState::Ready => ProvisioningState::Ready,
            ReportedState::Failed => ProvisioningState::Failed,
        };
        let message = body.0.message.map(Into::into);
        let saved = provisioning::report(&self.state.store, &scope, state, message).await?;
        Ok(Json(saved.into()))
    }

    /// Ask a linked application to provision the company again.
    ///
    /// A company admin or the owner, after fixing what made it fail. The link's state becomes
    /// `requested` and its application receives the webhook event `provisioning.requested`.
    /// Audited.
    #[oai(
        path = "/companies/:id/links/:link_id/provision",
        method = "post",
        operation_id = "request_provisioning",
        tag = "Tag::Links"
    )]
    async fn request(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
        link_id: Path<LinkId>,
    ) -> Result<Json<LinkOut>, ActionErrors> {
        let scope = auth.company::<Admin>(&self.state, &caller, id.0).await?;
        let link = provisioning::request_again(&self.state.store, &scope, link_id.0).await?;
        Ok(Json(link.into()))
    }
}
