//! Users: the owner's view of everyone, and each company's users.

use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Enum, Object, OpenApi};

use crate::access::{Admin, CompanyScope, Member};
use serde::Deserialize;

use crate::api::auth::{Caller, UserAuth};
use crate::api::body::{present, JsonBody};
use crate::api::input::{Email, Text, CURSOR_MAX, PASSWORD_MAX, PERSON_NAME_MAX, SEARCH_MAX};
use crate::api::session::{CreatedResponse, NoContentResponse};
use crate::api::statuses::{ActionErrors, ChangeErrors, ListErrors, ReadOneErrors};
use crate::api::time::{opt_ts, ts};
use crate::api::Tag;
use crate::crypto::SecretString;
use crate::domain::page_size;
use crate::domain::user::{NewUser, Role, User, UserFilter, UserPatch, UserStatus};
use crate::ids::{CompanyId, UserId};
use crate::service::users::{self, UserAction};
use crate::service::AppState;

pub struct UsersApi {
    state: AppState,
}

impl UsersApi {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum RoleDto {
    Owner,
    CompanyAdmin,
    Member,
}

impl From<Role> for RoleDto {
    fn from(r: Role) -> Self {
        match r {
            Role::Owner => Self::Owner,
            Role::CompanyAdmin => Self::CompanyAdmin,
            Role::Member => Self::Member,
        }
    }
}

impl From<RoleDto> for Role {
    fn from(r: RoleDto) -> Self {
        match r {
            RoleDto::Owner => Self::Owner,
            RoleDto::CompanyAdmin => Self::CompanyAdmin,
            RoleDto::Member => Self::Member,
        }
    }
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "lowercase")]
pub enum UserStatusDto {
    Pending,
    Active,
    Disabled,
}

impl From<UserStatus> for UserStatusDto {
    fn from(s: UserStatus) -> Self {
        match s {
            UserStatus::Pending => Self::Pending,
            UserStatus::Active => Self::Active,
            UserStatus::Disabled => Self::Disabled,
        }
    }
}

impl From<UserStatusDto> for UserStatus {
    fn from(s: UserStatusDto) -> Self {
        match s {
            UserStatusDto::Pending => Self::Pending,
            UserStatusDto::Active => Self::Active,
            UserStatusDto::Disabled => Self::Disabled,
        }
    }
}

/// A user.
#[derive(Object)]
#[oai(rename = "User")]
pub struct UserOut {
    id: String,
    /// Absent for the platform owner.
    #[oai(skip_serializing_if_is_none)]
    company_id: Option<String>,
    email: String,
    name: String,
    role: RoleDto,
    status: UserStatusDto,
    /// Whether the user has shown they read their address: by the link a sign-up sends, an
    /// invitation, a password reset or a change of address.
    email_verified: bool,
    #[oai(skip_serializing_if_is_none)]
    last_login_at: Option<chrono::DateTime<chrono::Utc>>,
    created_at: chrono::DateTime<chrono::Utc>,
    updated_at: chrono::DateTime<chrono::Utc>,
    /// Signs in with a second factor.
    mfa_enabled: bool,
}

impl From<User> for UserOut {
    fn from(u: User) -> Self {
        Self {
            id: u.id.to_string(),
            company_id: u.company_id.map(|c| c.to_string()),
            email: u.email,
            name: u.name,
            role: u.role.into(),
            status: u.status.into(),
            email_verified: u.email_verified_at.is_some(),
            last_login_at: opt_ts(u.last_login_at),
            created_at: ts(u.created_at),
            updated_at: ts(u.updated_at),
            mfa_enabled: u.mfa_enabled,
        }
    }
}

/// A page of users.
#[derive(Object)]
pub struct UserList {
    items: Vec<UserOut>,
    #[oai(skip_serializing_if_is_none)]
    next_cursor: Option<String>,
}

#[derive(Enum, Clone, Copy, Deserialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub(crate) enum CompanyRoleDto {
    CompanyAdmin,
    Member,
}

/// A new user of a company, active at once.
#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
struct UserCreateIn {
    email: Email,
    name: Text<PERSON_NAME_MAX>,
    role: CompanyRoleDto,
    /// At least 10 characters.
    password: Text<PASSWORD_MAX>,
}

/// Changes to a user; absent fields stay as they are.
#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
struct UserPatchIn {
    #[oai(nullable)]
    name: Option<Text<PERSON_NAME_MAX>>,
    #[oai(nullable)]
    email: Option<Email>,
    #[serde(default, deserialize_with = "present")]
    role: Option<CompanyRoleDto>,
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
struct PasswordSetIn {
    /// At least 10 characters.
    password: Text<PASSWORD_MAX>,
}

pub(crate) fn role_str(r: CompanyRoleDto) -> &'static str {
    match r {
        CompanyRoleDto::CompanyAdmin => "company_admin",
        CompanyRoleDto::Member => "member",
    }
}

pub fn list_out(page: crate::domain::Page<User>) -> Json<UserList> {
    Json(UserList {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    })
}

#[OpenApi(tag = "Tag::Users")]
impl UsersApi {
    /// List every user of the platform.
    ///
    /// Owner only. The approval queue is `status=pending`; search with `q`, filter by `role`; pages
    /// with `limit` and `cursor`.
    #[oai(path = "/users", method = "get", operation_id = "list_all_users")]
    #[allow(clippy::too_many_arguments)]
    async fn list_all(
        &self,
        auth: UserAuth,
        caller: Caller,
        /// Search in e-mail and name.
        q: Query<Option<Text<SEARCH_MAX>>>,
        status: Query<Option<UserStatusDto>>,
        role: Query<Option<RoleDto>>,
        /// Page size, 1 to 200 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<u32>>,
        /// The `next_cursor` of the previous page, as given (cursors are opaque).
        cursor: Query<Option<Text<CURSOR_MAX>>>,
    ) -> Result<Json<UserList>, ListErrors> {
        let owner = auth.owner(&self.state, &caller).await?;
        let limit = page_size(limit.0)?;
        let filter = UserFilter {
            search: crate::domain::text::query("q", q.0.map(Into::into))?,
            status: status.0.map(Into::into),
            role: role.0.map(Into::into),
            ..Default::default()
        };
        Ok(list_out(
            users::list_all(
                &self.state.store,
                &owner,
                filter,
                cursor.0.map(Into::into),
                limit,
            )
            .await?,
        ))
    }

    /// List the users of a company.
    ///
    /// A company admin or the owner sees every user; a member only themself. Search with `q`,
    /// filter by `status`; pages with `limit` and `cursor`.
    #[oai(
        path = "/companies/:id/users",
        method = "get",
        operation_id = "list_company_users"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
        /// Search in e-mail and name.
        q: Query<Option<Text<SEARCH_MAX>>>,
        status: Query<Option<UserStatusDto>>,
        /// Page size, 1 to 200 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<u32>>,
        /// The `next_cursor` of the previous page, as given (cursors are opaque).
        cursor: Query<Option<Text<CURSOR_MAX>>>,
    ) -> Result<Json<UserList>, ReadOneErrors> {
        let who = auth.user(&self.state, &caller).await?;
        let limit = page_size(limit.0)?;
        let filter = UserFilter {
            search: crate::domain::text::query("q", q.0.map(Into::into))?,
            status: status.0.map(Into::into),
            ..Default::default()
        };
        Ok(list_out(
            users::list_in_company(
                &self.state.store,
                &CompanyScope::check(&who, id.0)?,
                filter,
                cursor.0.map(Into::into),
                limit,
            )
            .await?,
        ))
    }

    /// Add a user to a company.
    ///
    /// A company admin or the owner. Counts against the plan's user limit (409 `limit_exceeded`
    /// when reached); the e-mail is unique across the platform.
    #[oai(
        path = "/companies/:id/users",
        method = "post",
        operation_id = "create_user"
    )]
    async fn create(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
        body: JsonBody<UserCreateIn>,
    ) -> Result<CreatedResponse<UserOut>, ChangeErrors> {
        let scope = auth.company::<Admin>(&self.state, &caller, id.0).await?;
        let b = body.0;
        let role = Role::parse_company_role("role", role_str(b.role))?;
        let input = NewUser::validate(
            &b.email,
            &b.name,
            role,
            SecretString::new(b.password.into_inner()),
        )?;
        Ok(CreatedResponse::Created(Json(
            users::create(&self.state.store, &self.state.passwords, &scope, input)
                .await?
                .into(),
        )))
    }

    /// Read a user of a company.
    ///
    /// A company admin or the owner; a member only themself.
    #[oai(
        path = "/companies/:id/users/:user_id",
        method = "get",
        operation_id = "get_user"
    )]
    async fn get(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
        user_id: Path<UserId>,
    ) -> Result<Json<UserOut>, ReadOneErrors> {
        let scope = auth.company::<Member>(&self.state, &caller, id.0).await?;
        let u = users::get(&self.state.store, &scope, user_id.0).await?;
        Ok(Json(u.into()))
    }

    /// Edit a user's name, e-mail or role.
    ///
    /// A company admin or the owner edits anyone of the company; a member only their own name and
    /// e-mail.
    #[oai(
        path = "/companies/:id/users/:user_id",
        method = "patch",
        operation_id = "update_user"
    )]
    async fn update(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
        user_id: Path<UserId>,
        body: JsonBody<UserPatchIn>,
    ) -> Result<Json<UserOut>, ChangeErrors> {
        let who = auth.user(&self.state, &caller).await?;
        let b = body.0;
        let patch =
            UserPatch::validate(b.name.as_deref(), b.email.as_deref(), b.role.map(role_str))?;
        let scope = CompanyScope::<Member>::check(&who, id.0)?;
        let u = users::update(&self.state.store, &scope, user_id.0, patch).await?;
        Ok(Json(u.into()))
    }

    /// Delete a user.
    ///
    /// A company admin or the owner. The user's sessions end at once.
    #[oai(
        path = "/companies/:id/users/:user_id",
        method = "delete",
        operation_id = "delete_user"
    )]
    async fn delete(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
        user_id: Path<UserId>,
    ) -> Result<NoContentResponse, ActionErrors> {
        let scope = auth.company::<Admin>(&self.state, &caller, id.0).await?;
        users::delete(&self.state.store, &scope, user_id.0).await?;
        Ok(NoContentResponse::Done)
    }

    /// Approve a pending user.
    ///
    /// A company admin or the owner. The user may sign in from now on.
    #[oai(
        path = "/companies/:id/users/:user_id/approve",
        method = "post",
        operation_id = "approve_user"
    )]
    async fn approve(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
        user_id: Path<UserId>,
    ) -> Result<Json<UserOut>, ActionErrors> {
        self.status(auth, caller, id.0, user_id.0, UserAction::Approve)
            .await
    }

    /// Disable a user.
    ///
    /// A company admin or the owner. Their sessions are revoked and they cannot sign in.
    #[oai(
        path = "/companies/:id/users/:user_id/disable",
        method = "post",
        operation_id = "disable_user"
    )]
    async fn disable(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
        user_id: Path<UserId>,
    ) -> Result<Json<UserOut>, ActionErrors> {
        self.status(auth, caller, id.0, user_id.0, UserAction::Disable)
            .await
    }

    /// Enable a disabled user.
    ///
    /// A company admin or the owner. Counts against the plan's user limit again.
    #[oai(
        path = "/companies/:id/users/:user_id/enable",
        method = "post",
        operation_id = "enable_user"
    )]
    async fn enable(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
        user_id: Path<UserId>,
    ) -> Result<Json<UserOut>, ActionErrors> {
        self.status(auth, caller, id.0, user_id.0, UserAction::Enable)
            .await
    }

    /// Set a new password for a user.
    ///
    /// A company admin or the owner. At least 10 characters; the user's sessions are revoked.
    #[oai(
        path = "/companies/:id/users/:user_id/password",
        method = "post",
        operation_id = "set_user_password"
    )]
    async fn set_password(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
        user_id: Path<UserId>,
        body: JsonBody<PasswordSetIn>,
    ) -> Result<NoContentResponse, ChangeErrors> {
        let scope = auth.company::<Admin>(&self.state, &caller, id.0).await?;
        let pw = SecretString::new(body.0.password.into_inner());
        users::set_password(
            &self.state.store,
            &self.state.passwords,
            &scope,
            user_id.0,
            pw,
        )
        .await?;
        Ok(NoContentResponse::Done)
    }
}

impl UsersApi {
    async fn status(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: CompanyId,
        uid: UserId,
        action: UserAction,
    ) -> Result<Json<UserOut>, ActionErrors> {
        let scope = auth.company::<Admin>(&self.state, &caller, id).await?;
        let u = users::change_status(&self.state.store, &scope, uid, action).await?;
        Ok(Json(u.into()))
    }
}
