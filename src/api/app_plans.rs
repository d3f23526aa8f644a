//! What applications read and set about a linked company's plan, and their own id for a
//! company (the external id on their link).

use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use serde::Deserialize;

use crate::access::{AppCompanyScope, BillingWrite, CompanyRead, Linked};
use crate::api::app_auth::AppAuth;
use crate::api::auth::Caller;
use crate::api::body::JsonBody;
use crate::api::companies::CompanyOut;
use crate::api::enums::RouteGroup;
use crate::api::input::Text;
use crate::api::plans::{CompanyPlanIn, CompanyPlanOut};
use crate::api::statuses::{AppLookupErrors, ChangeErrors, ReplaceErrors};
use crate::api::Tag;
use crate::domain::plan::{external_id, CompanyPlanChange, EXTERNAL_ID_MAX};
use crate::domain::AppPrincipal;
use crate::ids::CompanyId;
use crate::service::{app_access, links, plans, AppState};

pub struct AppPlansApi {
    state: AppState,
}

impl AppPlansApi {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }

    /// Counts the request for usage reports; a path id that names nothing counts as none.
    fn count(&self, app: &AppPrincipal, company: Option<&CompanyId>) {
        let company = company.filter(|c| CompanyId::parse(c.as_str()).is_some());
        let group = RouteGroup::Companies;
        self.state.usage.record(app, company, group.as_str());
        self.state.metrics.app_request(group.as_str());
    }
}

/// The application's own id for a company.
#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExternalIdIn {
    /// At most 200 characters, unique among the application's links (409 when another linked
    /// company has it); an empty string clears it.
    external_id: Text<EXTERNAL_ID_MAX>,
}

/// A linked company and the application's own id for it.
#[derive(Object)]
struct ExternalIdOut {
    company_id: String,
    /// Absent when cleared.
    #[oai(skip_serializing_if_is_none)]
    external_id: Option<String>,
}

/// A linked company found by the application's own id for it.
#[derive(Object)]
struct ExternalCompanyOut {
    company: CompanyOut,
    external_id: String,
}

#[OpenApi(tag = "Tag::App")]
impl AppPlansApi {
    /// Read a linked company's plan and limits.
    ///
    /// Needs the scope `company:read` on the link. The plan's name and named limits (such as
    /// `max_users`, `max_animals`), the trial end, the subscription status and the users
    /// counted against `max_users`. A company not linked to the application is a 404.
    #[oai(
        path = "/app/companies/:id/plan",
        method = "get",
        operation_id = "get_linked_company_plan"
    )]
    async fn plan(
        &self,
        auth: AppAuth,
        caller: Caller,
        id: Path<CompanyId>,
    ) -> Result<Json<CompanyPlanOut>, AppLookupErrors> {
        let app = auth.app(&self.state, &caller)?;
        self.count(&app, Some(&id.0));
        let scope = AppCompanyScope::check(&app, id.0, CompanyRead)?;
        Ok(Json(
            plans::app_company_plan(&self.state.store, &scope)
                .await?
                .into(),
        ))
    }

    /// Change a linked company's plan, trial end or subscription status.
    ///
    /// Needs the scope `billing:write` on the link. Audited as `plan.changed`, which linked
    /// applications receive as a webhook event.
    #[oai(
        path = "/app/companies/:id/plan",
        method = "patch",
        operation_id = "set_linked_company_plan"
    )]
    async fn set_plan(
        &self,
        auth: AppAuth,
        caller: Caller,
        id: Path<CompanyId>,
        body: JsonBody<CompanyPlanIn>,
    ) -> Result<Json<CompanyPlanOut>, ReplaceErrors> {
        let app = auth.app(&self.state, &caller)?;
        self.count(&app, Some(&id.0));
        let scope = AppCompanyScope::check(&app, id.0, BillingWrite)?;
        let change = CompanyPlanChange::try_from(body.0)?;
        Ok(Json(
            plans::set_by_app(&self.state.store, &scope, change)
                .await?
                .into(),
        ))
    }

    /// Set the application's own id for a linked company.
    ///
    /// Any link will do: the id is the application's own. Unique among the application's
    /// links (409 when another linked company has it); an empty string clears it.
    #[oai(
        path = "/app/companies/:id/external-id",
        method = "put",
        operation_id = "set_linked_company_external_id"
    )]
    async fn set_external_id(
        &self,
        auth: AppAuth,
        caller: Caller,
        id: Path<CompanyId>,
        body: JsonBody<ExternalIdIn>,
    ) -> Result<Json<ExternalIdOut>, ChangeErrors> {
        let app = auth.app(&self.state, &caller)?;
        self.count(&app, Some(&id.0));
        let scope = AppCompanyScope::check(&app, id.0, Linked)?;
        let value = external_id("external_id", &body.0.external_id)?;
        let link = links::set_own_external_id(&self.state.key_writer(), &scope, value).await?;
        Ok(Json(ExternalIdOut {
            company_id: link.company_id.to_string(),
            external_id: link.external_id,
        }))
    }

    /// Find a linked company by the application's own id for it.
    ///
    /// Needs the scope `company:read` on the link. Only the calling application's links are
    /// searched: another application's external id is a 404, as is an unknown one.
    #[oai(
        path = "/app/companies/by-external-id",
        method = "get",
        operation_id = "find_linked_company_by_external_id"
    )]
    async fn by_external_id(
        &self,
        auth: AppAuth,
        caller: Caller,
        /// The id the application set with `PUT /app/companies/{id}/external-id`.
        external_id: Query<Text<EXTERNAL_ID_MAX>>,
    ) -> Result<Json<ExternalCompanyOut>, AppLookupErrors> {
        let app = auth.app(&self.state, &caller)?;
        self.count(&app, None);
        let wanted: String = external_id.0.into();
        // Checked as the ids it looks for were when set: no control characters (PostgreSQL's
        // text cannot hold a NUL).
        crate::domain::text::check("external_id", &wanted)?;
        let scope = links::find_by_external_id(&self.state.store, &app, wanted.clone()).await?;
        let company = app_access::company(&self.state.store, &scope).await?;
        Ok(Json(ExternalCompanyOut {
            company: CompanyOut::for_app(std::sync::Arc::unwrap_or_clone(company)),
            external_id: wanted,
        }))
    }
}
