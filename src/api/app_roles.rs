//! Application roles: declared by the owner or by the application itself, granted to a
//! company's users by the company's admin. Thin handlers over `service::app_roles` and
//! `service::app_role_grants`.

use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use serde::Deserialize;

use crate::access::{Admin, Member};
use crate::api::app_auth::AppAuth;
use crate::api::auth::{Caller, UserAuth};
use crate::api::body::JsonBody;
use crate::api::input::{List, Text};
use crate::api::statuses::{AppChangeErrors, AppReadErrors, ReadOneErrors, ReplaceErrors};
use crate::api::time::ts;
use crate::api::Tag;
use crate::domain::app_role::{AppRole, DESCRIPTION_MAX, KEY_MAX, MAX_ROLES, NAME_MAX};
use crate::ids::{ApplicationId, CompanyId, UserId};
use crate::service::app_role_grants::{self, Catalog, Held};
use crate::service::app_roles::{self, Declarer};
use crate::service::AppState;

pub struct AppRolesApi {
    state: AppState,
}

impl AppRolesApi {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

/// A role an application declares.
#[derive(Object)]
struct AppRoleOut {
    /// Lower-case letters, digits and underscores; what tokens carry.
    key: String,
    name: String,
    #[oai(skip_serializing_if_is_none)]
    description: Option<String>,
    created_at: chrono::DateTime<chrono::Utc>,
    updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<AppRole> for AppRoleOut {
    fn from(r: AppRole) -> Self {
        Self {
            key: r.key,
            name: r.name,
            description: r.description,
            created_at: ts(r.created_at),
            updated_at: ts(r.updated_at),
        }
    }
}

/// An application's declared roles, in key order.
#[derive(Object)]
struct AppRoleList {
    roles: Vec<AppRoleOut>,
}

fn role_list(roles: Vec<AppRole>) -> Json<AppRoleList> {
    Json(AppRoleList {
        roles: roles.into_iter().map(Into::into).collect(),
    })
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
struct AppRoleIn {
    /// `^[a-z][a-z0-9_]{0,39}$`, unique in the list.
    key: Text<KEY_MAX>,
    name: Text<NAME_MAX>,
    #[oai(nullable)]
    #[serde(default)]
    description: Option<Text<DESCRIPTION_MAX>>,
}

/// The whole list of an application's roles: roles left out are removed with their grants.
#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
struct AppRolesPutIn {
    roles: List<AppRoleIn, MAX_ROLES>,
}

fn declaration(body: AppRolesPutIn) -> Vec<(String, String, Option<String>)> {
    body.roles
        .into_inner()
        .into_iter()
        .map(|r| (r.key.into(), r.name.into(), r.description.map(Into::into)))
        .collect()
}

/// An application linked to the company, with the roles it declares.
#[derive(Object)]
struct CompanyAppRolesOut {
    application_id: String,
    application_name: String,
    roles: Vec<AppRoleOut>,
}

/// The applications linked to the company and their roles.
#[derive(Object)]
struct CompanyAppRolesList {
    items: Vec<CompanyAppRolesOut>,
}

impl From<Catalog> for CompanyAppRolesOut {
    fn from(c: Catalog) -> Self {
        Self {
            application_id: c.application_id.to_string(),
            application_name: c.application_name,
            roles: c.roles.into_iter().map(Into::into).collect(),
        }
    }
}

/// The roles a user holds in one linked application.
#[derive(Object)]
struct UserAppRolesOut {
    application_id: String,
    application_name: String,
    /// Role keys, sorted.
    roles: Vec<String>,
}

/// The roles a user holds, per application linked to their company.
#[derive(Object)]
struct UserAppRolesList {
    items: Vec<UserAppRolesOut>,
}

impl From<Held> for UserAppRolesOut {
    fn from(h: Held) -> Self {
        Self {
            application_id: h.application_id.to_string(),
            application_name: h.application_name,
            roles: h.roles,
        }
    }
}

/// The roles a user is to hold in one application; the others are revoked.
#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
struct UserAppRolesPutIn {
    /// Keys the application declares.
    roles: List<Text<KEY_MAX>, MAX_ROLES>,
}

/// The roles a user now holds in one application.
#[derive(Object)]
struct GrantedRolesOut {
    /// Role keys, sorted.
    roles: Vec<String>,
}

#[OpenApi]
impl AppRolesApi {
    /// List an application's roles.
    ///
    /// Owner only. The roles the application declares, in key order; a company's admin grants
    /// them to the company's users, and tokens carry them as `roles`.
    #[oai(
        path = "/applications/:id/roles",
        method = "get",
        operation_id = "list_application_roles",
        tag = "Tag::Applications"
    )]
    async fn list(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<ApplicationId>,
    ) -> Result<Json<AppRoleList>, ReadOneErrors> {
        let owner = auth.owner(&self.state, &caller).await?;
        let who = Declarer::Owner(&owner, id.0);
        Ok(role_list(
            app_roles::declared(&self.state.store, who).await?,
        ))
    }

    /// Replace an application's roles.
    ///
    /// Owner only. The body is the whole list (at most 50): new keys are added, names and
    /// descriptions updated, and roles left out removed together with their grants. Audited as
    /// `application.roles_changed`, and each grant removed as `role.revoked`.
    #[oai(
        path = "/applications/:id/roles",
        method = "put",
        operation_id = "set_application_roles",
        tag = "Tag::Applications"
    )]
    async fn set(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<ApplicationId>,
        body: JsonBody<AppRolesPutIn>,
    ) -> Result<Json<AppRoleList>, ReplaceErrors> {
        let owner = auth.owner(&self.state, &caller).await?;
        let who = Declarer::Owner(&owner, id.0);
        let roles = app_roles::declare(&self.state.store, who, declaration(body.0)).await?;
        Ok(role_list(roles))
    }

    /// List the calling application's roles.
    ///
    /// The roles this application declares, in key order.
    #[oai(
        path = "/app/roles",
        method = "get",
        operation_id = "list_own_roles",
        tag = "Tag::App"
    )]
    async fn own(&self, auth: AppAuth, caller: Caller) -> Result<Json<AppRoleList>, AppReadErrors> {
        let app = auth.app(&self.state, &caller)?;
        let who = Declarer::App(&app);
        Ok(role_list(
            app_roles::declared(&self.state.store, who).await?,
        ))
    }

    /// Replace the calling application's roles.
    ///
    /// The same as the owner's `PUT /applications/{id}/roles`, for the application itself: the
    /// whole list, roles left out removed with their grants, audited with the application as
    /// the actor.
    #[oai(
        path = "/app/roles",
        method = "put",
        operation_id = "set_own_roles",
        tag = "Tag::App"
    )]
    async fn set_own(
        &self,
        auth: AppAuth,
        caller: Caller,
        body: JsonBody<AppRolesPutIn>,
    ) -> Result<Json<AppRoleList>, AppChangeErrors> {
        let app = auth.app(&self.state, &caller)?;
        let who = Declarer::App(&app);
        let roles = app_roles::declare(&self.state.store, who, declaration(body.0)).await?;
        Ok(role_list(roles))
    }

    /// List the roles of the applications linked to a company.
    ///
    /// Any user of the company, or the owner. Each linked application with the roles it
    /// declares: what a company admin may grant.
    #[oai(
        path = "/companies/:id/app-roles",
        method = "get",
        operation_id = "list_company_app_roles",
        tag = "Tag::Users"
    )]
    async fn company(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
    ) -> Result<Json<CompanyAppRolesList>, ReadOneErrors> {
        let scope = auth.company::<Member>(&self.state, &caller, id.0).await?;
        let items = app_role_grants::catalog(&self.state.store, &scope).await?;
        Ok(Json(CompanyAppRolesList {
            items: items.into_iter().map(Into::into).collect(),
        }))
    }

    /// List the application roles a user holds.
    ///
    /// A company admin or the owner, or a member for themselves. The roles granted, per
    /// application linked to the company.
    #[oai(
        path = "/companies/:id/users/:user_id/app-roles",
        method = "get",
        operation_id = "list_user_app_roles",
        tag = "Tag::Users"
    )]
    async fn held(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
        user_id: Path<UserId>,
    ) -> Result<Json<UserAppRolesList>, ReadOneErrors> {
        let scope = auth.company::<Member>(&self.state, &caller, id.0).await?;
        let items = app_role_grants::held(&self.state.store, &scope, user_id.0).await?;
        Ok(Json(UserAppRolesList {
            items: items.into_iter().map(Into::into).collect(),
        }))
    }

    /// Set a user's roles in one application.
    ///
    /// A company admin or the owner. The user holds exactly the roles given afterwards; each
    /// grant is audited as `role.granted` and each removal as `role.revoked`. The application
    /// must be linked to the company (else 404) and declare every key (else 400 naming
    /// `roles[i]`).
    #[oai(
        path = "/companies/:id/users/:user_id/app-roles/:application_id",
        method = "put",
        operation_id = "set_user_app_roles",
        tag = "Tag::Users"
    )]
    async fn grant(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
        user_id: Path<UserId>,
        application_id: Path<ApplicationId>,
        body: JsonBody<UserAppRolesPutIn>,
    ) -> Result<Json<GrantedRolesOut>, ReplaceErrors> {
        let scope = auth.company::<Admin>(&self.state, &caller, id.0).await?;
        let keys = body
            .0
            .roles
            .into_inner()
            .into_iter()
            .map(Into::into)
            .collect();
        let roles =
            app_role_grants::set(&self.state.store, &scope, user_id.0, application_id.0, keys)
                .await?;
        Ok(Json(GrantedRolesOut { roles }))
    }
}
