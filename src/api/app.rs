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
use crate::api::enums::RouteGroup;
use crate::api::input::{Text, CURSOR_MAX, HOST_MAX, SECRET_KIND_MAX, TOKEN_MAX};
use crate::api::rendered::{Rendered, RenderedCompanies};
use crate::api::statuses::{AppCheckErrors, AppListErrors, AppLookupErrors, AppSecretErrors};
use crate::api::time::ts;
use crate::api::usage::{usage_filter, UsageList};
use crate::api::users::{RoleDto, UserOut};
use crate::api::Tag;
use crate::domain::{page_size, AppPrincipal};
use crate::ids::CompanyId;
use crate::service::{app_access, hosts, usage, AppState};

pub struct AppApi {
    state: AppState,
    /// Each linked company's answer, rendered once per version of the company.
    companies: RenderedCompanies,
}

impl AppApi {
    pub fn new(state: AppState) -> Self {
        Self {
            state,
            companies: RenderedCompanies::default(),
        }
    }

    /// Counts a request for the usage report and for the metrics.
    /// Counts the request for usage reports; a path id that names nothing counts as none.
    fn count(&self, app: &AppPrincipal, company: Option<&CompanyId>, route_group: RouteGroup) {
        let company = company.filter(|c| CompanyId::parse(c.as_str()).is_some());
        self.state.usage.record(app, company, route_group.as_str());
        self.state.metrics.app_request(route_group.as_str());
    }
}

/// A company linked to the calling application, with the scopes it granted.
#[derive(Object)]
struct LinkedCompanyOut {
    company: CompanyOut,
    scopes: Vec<String>,
    /// The application's own id for the company, when it set one on its link.
    #[oai(skip_serializing_if_is_none)]
    external_id: Option<String>,
}

/// A page of linked companies, in id order.
#[derive(Object)]
struct LinkedCompanyList {
    items: Vec<LinkedCompanyOut>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    #[oai(skip_serializing_if_is_none)]
    next_cursor: Option<String>,
}

/// A user of a linked company, as an application sees them.
#[derive(Object)]
struct AppUserOut {
    #[oai(flatten)]
    user: UserOut,
    /// The keys of this application's roles the user holds, sorted (never another
    /// application's).
    app_roles: Vec<String>,
}

/// A page of a linked company's users, in id order.
#[derive(Object)]
struct AppUserList {
    items: Vec<AppUserOut>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    #[oai(skip_serializing_if_is_none)]
    next_cursor: Option<String>,
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
    // company_admin or member. (No doc comment: it would wrap the $ref in an allOf.)
    #[oai(skip_serializing_if_is_none)]
    role: Option<RoleDto>,
    #[oai(skip_serializing_if_is_none)]
    expires_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[OpenApi(tag = "Tag::App")]
impl AppApi {
    /// List the companies linked to the calling application.
    ///
    /// Every company the application's links reach, with the scopes each link grants. Needs no
    /// scope: the link itself is the permission.
    #[oai(
        path = "/app/companies",
        method = "get",
        operation_id = "list_linked_companies"
    )]
    async fn companies(
        &self,
        auth: AppAuth,
        caller: Caller,
        /// Page size, 1 to 200 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<u32>>,
        /// The `next_cursor` of the previous page, as given (cursors are opaque).
        cursor: Query<Option<Text<CURSOR_MAX>>>,
    ) -> Result<Json<LinkedCompanyList>, AppListErrors> {
        let app = auth.app(&self.state, &caller)?;
        self.count(&app, None, RouteGroup::Companies);
        let limit = page_size(limit.0)?;
        let page =
            app_access::linked_companies(&self.state.store, &app, cursor.0.map(Into::into), limit)
                .await?;
        Ok(Json(LinkedCompanyList {
            items: page
                .items
                .into_iter()
                .map(|(c, scopes, external_id)| LinkedCompanyOut {
                    company: CompanyOut::for_app(c),
                    scopes,
                    external_id,
                })
                .collect(),
            next_cursor: page.next_cursor,
        }))
    }

    /// Read a linked company.
    ///
    /// Needs the scope `company:read` on the link. A company not linked to the application is a
    /// 404, as if it did not exist; a linked company that is not active is a 403.
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
    ) -> Result<Rendered<CompanyOut>, AppLookupErrors> {
        let app = auth.app(&self.state, &caller)?;
        self.count(&app, Some(&id.0), RouteGroup::Companies);
        let scope = AppCompanyScope::check(&app, id.0, CompanyRead)?;
        let company = app_access::company(&self.state.store, &scope).await?;
        Ok(self.companies.answer(company))
    }

    /// Read a linked company's secret, decrypted.
    ///
    /// Needs the scope `secrets:<kind>:read` on the link. Every read is written to the audit log,
    /// so the answer can be a 507 when the disk is full. The values are never logged.
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
    ) -> Result<Json<SecretValueOut>, AppSecretErrors> {
        let app = auth.app(&self.state, &caller)?;
        self.count(&app, Some(&id.0), RouteGroup::Secrets);
        let scope = AppCompanyScope::check(&app, id.0, SecretRead(kind.0.to_string()))?;
        let values = app_access::secret(&self.state.store, &self.state.sealer, &scope).await?;
        Ok(Json(SecretValueOut {
            kind: kind.0.into(),
            values,
        }))
    }

    /// List a linked company's users.
    ///
    /// Needs the scope `users:read`. Each user carries `app_roles`: the keys of this
    /// application's roles the company granted them. Pages with `limit` and `cursor`; pass the
    /// answer's `next_cursor` to get the next page.
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
    ) -> Result<Json<AppUserList>, AppLookupErrors> {
        let app = auth.app(&self.state, &caller)?;
        self.count(&app, Some(&id.0), RouteGroup::Users);
        let scope = AppCompanyScope::check(&app, id.0, UsersRead)?;
        let page = app_access::users(
            &self.state.store,
            &scope,
            cursor.0.map(Into::into),
            page_size(limit.0)?,
        )
        .await?;
        Ok(Json(AppUserList {
            items: page
                .items
                .into_iter()
                .map(|(user, app_roles)| AppUserOut {
                    user: user.into(),
                    app_roles,
                })
                .collect(),
            next_cursor: page.next_cursor,
        }))
    }

    /// Read this application's usage for a linked company.
    ///
    /// Needs the scope `usage:read`. Requests by day and route group between `from` and `to` (UTC
    /// days, inclusive; at most a year).
    #[oai(
        path = "/app/companies/:id/usage",
        method = "get",
        operation_id = "get_linked_company_usage"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn usage(
        &self,
        auth: AppAuth,
        caller: Caller,
        id: Path<CompanyId>,
        /// First day (UTC), inclusive; default 30 days ago.
        from: Query<Option<Day>>,
        /// Last day (UTC), inclusive; default today.
        to: Query<Option<Day>>,
        /// Page size, 1 to 200 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<u32>>,
        /// The `next_cursor` of the previous page, as given (cursors are opaque).
        cursor: Query<Option<Text<CURSOR_MAX>>>,
    ) -> Result<Json<UsageList>, AppLookupErrors> {
        let app = auth.app(&self.state, &caller)?;
        self.count(&app, Some(&id.0), RouteGroup::Usage);
        let scope = AppCompanyScope::check(&app, id.0, UsageRead)?;
        let filter = usage_filter(days(from.0), days(to.0))?;
        let limit = page_size(limit.0)?;
        let (recorder, store) = (&self.state.usage, &self.state.store);
        let report = usage::for_application(
            recorder,
            store,
            &scope,
            filter,
            cursor.0.map(Into::into),
            limit,
        )
        .await?;
        Ok(Json(UsageList::from_report(report)))
    }

    /// Check a user's session token in real time.
    ///
    /// The token is valid only for an active user of an active company linked to this application;
    /// anything else, including a malformed token, answers `valid: false` rather than an error, so
    /// an application learns nothing about other companies.
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
    ) -> Result<Json<ValidateOut>, AppCheckErrors> {
        let app = auth.app(&self.state, &caller)?;
        self.count(&app, None, RouteGroup::Sessions);
        let found =
            app_access::validate_session(&self.state.store, &app, body.0.token.trim()).await?;
        Ok(Json(match found {
            Some(s) => ValidateOut {
                valid: true,
                company_id: s.user.company_id.as_ref().map(|c| c.to_string()),
                role: Some(s.user.role.into()),
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

    /// Find the linked company a host name belongs to.
    ///
    /// Matches `<slug>.<base_domain>` or one of the company's custom domains, case-insensitively
    /// and ignoring a port or a trailing dot. A host of no linked company is a 404.
    #[oai(path = "/app/resolve", method = "get", operation_id = "resolve_host")]
    async fn resolve(
        &self,
        auth: AppAuth,
        caller: Caller,
        host: Query<Text<HOST_MAX>>,
    ) -> Result<Json<CompanyOut>, AppLookupErrors> {
        let app = auth.app(&self.state, &caller)?;
        self.count(&app, None, RouteGroup::Resolve);
        Ok(Json(
            app_access::resolve(
                &self.state.store,
                hosts::base_domain(&self.state.settings),
                &app,
                &host.0,
            )
            .await
            .map(CompanyOut::for_app)?,
        ))
    }
}
