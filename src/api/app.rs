//! The API applications live on: the companies linked to them and, with the right scopes,
//! those companies' data and decrypted secrets.

use std::collections::BTreeMap;

use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use crate::access::{AppCompanyScope, CompanyRead, SecretRead, UsageRead, UsersRead};
use serde::Deserialize;

use crate::api::app_auth::AppAuth;
use crate::api::auth::Caller;
use crate::api::body::JsonBody;
use crate::api::companies::CompanyOut;
use crate::api::day::{days, Day};
use crate::api::error::ApiResult;
use crate::api::input::{Text, CURSOR_MAX, HOST_MAX, SECRET_KIND_MAX, TOKEN_MAX};
use crate::api::time::ts;
use crate::api::usage::{usage_filter, UsageList};
use crate::api::users::{UserList, UserOut};
use crate::api::Tag;
use crate::domain::{page_size, AppPrincipal};
use crate::ids::CompanyId;
use crate::service::{app_access, hosts, usage, AppState};

pub struct AppApi {
    state: AppState,
}

impl AppApi {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }

    /// Counts a request for the usage report and for the metrics.
    /// Counts the request for usage reports; a path id that names nothing counts as none.
    fn count(&self, app: &AppPrincipal, company: Option<&CompanyId>, route_group: &'static str) {
        let company = company.filter(|c| CompanyId::parse(c.as_str()).is_some());
        self.state.usage.record(app, company, route_group);
        self.state.metrics.app_request(route_group);
    }
}

/// A company linked to the calling application, with the scopes it granted.
#[derive(Object)]
struct LinkedCompanyOut {
    company: CompanyOut,
    scopes: Vec<String>,
}

#[derive(Object)]
struct LinkedCompanyList {
    items: Vec<LinkedCompanyOut>,
}

/// A decrypted secret.
#[derive(Object)]
struct SecretValueOut {
    kind: String,
    values: BTreeMap<String, String>,
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
struct ValidateIn {
    /// A user's session token (`arm_sess_…`).
    token: Text<TOKEN_MAX>,
}

/// The answer about a session token.
#[derive(Object)]
struct ValidateOut {
    valid: bool,
    #[oai(skip_serializing_if_is_none)]
    user: Option<UserOut>,
    #[oai(skip_serializing_if_is_none)]
    company_id: Option<String>,
    /// company_admin or member.
    #[oai(skip_serializing_if_is_none)]
    role: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    expires_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[OpenApi(tag = "Tag::Applications")]
impl AppApi {
    /// The companies linked to the calling application.
    #[oai(
        path = "/app/companies",
        method = "get",
        operation_id = "list_linked_companies"
    )]
    async fn companies(&self, auth: AppAuth, caller: Caller) -> ApiResult<Json<LinkedCompanyList>> {
        let app = auth.app(&self.state, &caller)?;
        self.count(&app, None, "companies");
        let items = app_access::linked_companies(&self.state.store, &app).await?;
        Ok(Json(LinkedCompanyList {
            items: items
                .into_iter()
                .map(|(c, scopes)| LinkedCompanyOut {
                    company: c.into(),
                    scopes,
                })
                .collect(),
        }))
    }

    /// A linked company (scope `company:read`).
    #[oai(
        path = "/app/companies/:id",
        method = "get",
        operation_id = "get_linked_company"
    )]
    async fn company(
        &self,
        auth: AppAuth,
        caller: Caller,
        id: Path<CompanyId>,
    ) -> ApiResult<Json<CompanyOut>> {
        let app = auth.app(&self.state, &caller)?;
        self.count(&app, Some(&id.0), "companies");
        let scope = AppCompanyScope::check(&app, id.0, CompanyRead)?;
        Ok(Json(
            app_access::company(&self.state.store, &scope).await?.into(),
        ))
    }

    /// A linked company's secret, decrypted (scope `secrets:<kind>:read`). Every read is audited.
    #[oai(
        path = "/app/companies/:id/secrets/:kind",
        method = "get",
        operation_id = "read_company_secret"
    )]
    async fn secret(
        &self,
        auth: AppAuth,
        caller: Caller,
        id: Path<CompanyId>,
        kind: Path<Text<SECRET_KIND_MAX>>,
    ) -> ApiResult<Json<SecretValueOut>> {
        let app = auth.app(&self.state, &caller)?;
        self.count(&app, Some(&id.0), "secrets");
        let scope = AppCompanyScope::check(&app, id.0, SecretRead(kind.0.to_string()))?;
        let values = app_access::secret(&self.state.store, &self.state.sealer, &scope).await?;
        Ok(Json(SecretValueOut {
            kind: kind.0.into(),
            values,
        }))
    }

    /// A linked company's users (scope `users:read`).
    #[oai(
        path = "/app/companies/:id/users",
        method = "get",
        operation_id = "list_linked_company_users"
    )]
    async fn users(
        &self,
        auth: AppAuth,
        caller: Caller,
        id: Path<CompanyId>,
        /// Page size, 1 to 200 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<u32>>,
        /// The `next_cursor` of the previous page, as given (cursors are opaque).
        cursor: Query<Option<Text<CURSOR_MAX>>>,
    ) -> ApiResult<Json<UserList>> {
        let app = auth.app(&self.state, &caller)?;
        self.count(&app, Some(&id.0), "users");
        let scope = AppCompanyScope::check(&app, id.0, UsersRead)?;
        let page = app_access::users(
            &self.state.store,
            &scope,
            cursor.0.map(Into::into),
            page_size(limit.0)?,
        )
        .await?;
        Ok(crate::api::users::list_out(page))
    }

    /// This application's usage for a linked company (scope `usage:read`).
    #[oai(
        path = "/app/companies/:id/usage",
        method = "get",
        operation_id = "get_linked_company_usage"
    )]
    async fn usage(
        &self,
        auth: AppAuth,
        caller: Caller,
        id: Path<CompanyId>,
        /// First day (UTC), inclusive; default 30 days ago.
        from: Query<Option<Day>>,
        /// Last day (UTC), inclusive; default today.
        to: Query<Option<Day>>,
    ) -> ApiResult<Json<UsageList>> {
        let app = auth.app(&self.state, &caller)?;
        self.count(&app, Some(&id.0), "usage");
        let scope = AppCompanyScope::check(&app, id.0, UsageRead)?;
        let filter = usage_filter(days(from.0), days(to.0))?;
        let (recorder, store) = (&self.state.usage, &self.state.store);
        let rows = usage::for_application(recorder, store, &scope, filter, 10_000).await?;
        Ok(Json(UsageList::from_rows(rows)))
    }

    /// Checks a user's session token in real time. Valid only for an active user of an
    /// active company linked to this application; anything else answers `valid: false`.
    #[oai(
        path = "/app/sessions/validate",
        method = "post",
        operation_id = "validate_session"
    )]
    async fn validate(
        &self,
        auth: AppAuth,
        caller: Caller,
        body: JsonBody<ValidateIn>,
    ) -> ApiResult<Json<ValidateOut>> {
        let app = auth.app(&self.state, &caller)?;
        self.count(&app, None, "sessions");
        let found =
            app_access::validate_session(&self.state.store, &app, body.0.token.trim()).await?;
        Ok(Json(match found {
            Some(s) => ValidateOut {
                valid: true,
                company_id: s.user.company_id.as_ref().map(|c| c.to_string()),
                role: Some(s.user.role.as_str().to_string()),
                expires_at: Some(ts(s.expires_at)),
                user: Some(s.user.into()),
            },
            None => ValidateOut {
                valid: false,
                user: None,
                company_id: None,
                role: None,
                expires_at: None,
            },
        }))
    }

    /// Finds the linked company a host name belongs to: `<slug>.<base_domain>` or one of the
    /// company's custom domains.
    #[oai(path = "/app/resolve", method = "get", operation_id = "resolve_host")]
    async fn resolve(
        &self,
        auth: AppAuth,
        caller: Caller,
        host: Query<Text<HOST_MAX>>,
    ) -> ApiResult<Json<CompanyOut>> {
        let app = auth.app(&self.state, &caller)?;
        self.count(&app, None, "resolve");
        Ok(Json(
            app_access::resolve(
                &self.state.store,
                hosts::base_domain(&self.state),
                &app,
                &host.0,
            )
            .await?
            .into(),
        ))
    }
}
