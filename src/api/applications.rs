//! Applications and their credentials (owner only).

use chrono::{DateTime, Utc};
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Enum, Object, OpenApi};

use serde::Deserialize;

use crate::api::auth::{Caller, UserAuth};
use crate::api::body::{present, JsonBody};
use crate::api::error::ApiResult;
use crate::api::input::{Email, Text, Timestamp, APP_NAME_MAX, DESCRIPTION_MAX, LABEL_MAX};
use crate::api::session::{CreatedResponse, NoContentResponse};
use crate::api::time::{opt_ts, ts};
use crate::api::Tag;
use crate::domain::application::{
    AppStatus, Application, ApplicationPatch, Credential, NewApplication,
};
use crate::error::DomainError;
use crate::ids::{ApplicationId, CredentialId};
use crate::service::{applications, AppState};

pub struct ApplicationsApi {
    state: AppState,
}

impl ApplicationsApi {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

pub fn application_id(raw: &str) -> Result<ApplicationId, DomainError> {
    ApplicationId::parse(raw).ok_or(DomainError::NotFound("application"))
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[oai(rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum AppStatusDto {
    Active,
    Disabled,
}

impl From<AppStatusDto> for AppStatus {
    fn from(s: AppStatusDto) -> Self {
        match s {
            AppStatusDto::Active => Self::Active,
            AppStatusDto::Disabled => Self::Disabled,
        }
    }
}

impl From<AppStatus> for AppStatusDto {
    fn from(s: AppStatus) -> Self {
        match s {
            AppStatus::Active => Self::Active,
            AppStatus::Disabled => Self::Disabled,
        }
    }
}

/// An application that calls the API.
#[derive(Object)]
#[oai(rename = "Application")]
pub struct ApplicationOut {
    id: String,
    name: String,
    #[oai(skip_serializing_if_is_none)]
    description: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    contact_email: Option<String>,
    status: AppStatusDto,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<Application> for ApplicationOut {
    fn from(a: Application) -> Self {
        Self {
            id: a.id.to_string(),
            name: a.name,
            description: a.description,
            contact_email: a.contact_email,
            status: a.status.into(),
            created_at: ts(a.created_at),
            updated_at: ts(a.updated_at),
        }
    }
}

#[derive(Object)]
struct ApplicationList {
    items: Vec<ApplicationOut>,
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
struct ApplicationCreateIn {
    /// Up to 120 characters.
    name: Text<APP_NAME_MAX>,
    #[oai(nullable)]
    description: Option<Text<DESCRIPTION_MAX>>,
    #[oai(nullable)]
    contact_email: Option<Email>,
}

/// Changes to an application; absent fields stay, an empty string clears an optional one.
/// Setting `status` to `disabled` stops every key of the application at once.
#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
struct ApplicationPatchIn {
    #[oai(nullable)]
    name: Option<Text<APP_NAME_MAX>>,
    #[oai(nullable)]
    description: Option<Text<DESCRIPTION_MAX>>,
    #[oai(nullable)]
    contact_email: Option<Email>,
    // No doc comment here: poem-openapi would wrap the enum's $ref in an allOf, which client
    // generators reject ("cannot take allOf a non-object").
    #[serde(default, deserialize_with = "present")]
    status: Option<AppStatusDto>,
}

/// A credential of an application. Its secret is never shown again after creation.
#[derive(Object)]
#[oai(rename = "Credential")]
pub struct CredentialOut {
    id: String,
    label: String,
    /// The first characters of the key, to tell keys apart.
    prefix: String,
    #[oai(skip_serializing_if_is_none)]
    expires_at: Option<DateTime<Utc>>,
    #[oai(skip_serializing_if_is_none)]
    revoked_at: Option<DateTime<Utc>>,
    #[oai(skip_serializing_if_is_none)]
    last_used_at: Option<DateTime<Utc>>,
    #[oai(skip_serializing_if_is_none)]
    last_used_ip: Option<String>,
    created_at: DateTime<Utc>,
}

impl From<Credential> for CredentialOut {
    fn from(c: Credential) -> Self {
        Self {
            id: c.id.to_string(),
            label: c.label,
            prefix: c.key_prefix,
            expires_at: opt_ts(c.expires_at),
            revoked_at: opt_ts(c.revoked_at),
            last_used_at: opt_ts(c.last_used_at),
            last_used_ip: c.last_used_ip,
            created_at: ts(c.created_at),
        }
    }
}

#[derive(Object)]
struct CredentialList {
    items: Vec<CredentialOut>,
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
struct CredentialCreateIn {
    /// What the key is for, e.g. "production 2026".
    label: Text<LABEL_MAX>,
    /// When the key stops working; never when absent.
    #[oai(nullable)]
    expires_at: Option<Timestamp>,
}

/// A new credential with its secret, shown this once.
#[derive(Object)]
struct IssuedCredentialOut {
    credential: CredentialOut,
    /// The API key (`arm_live_…`). Store it now: only its digest is kept.
    secret: String,
}

#[OpenApi(tag = "Tag::Applications")]
impl ApplicationsApi {
    /// Every application (owner only).
    #[oai(
        path = "/applications",
        method = "get",
        operation_id = "list_applications"
    )]
    async fn list(&self, auth: UserAuth, caller: Caller) -> ApiResult<Json<ApplicationList>> {
        let owner = auth.owner(&self.state, &caller).await?;
        let items = applications::list(&self.state.store, &owner).await?;
        Ok(Json(ApplicationList {
            items: items.into_iter().map(Into::into).collect(),
        }))
    }

    /// Register an application (owner only).
    #[oai(
        path = "/applications",
        method = "post",
        operation_id = "create_application"
    )]
    async fn create(
        &self,
        auth: UserAuth,
        caller: Caller,
        body: JsonBody<ApplicationCreateIn>,
    ) -> ApiResult<CreatedResponse<ApplicationOut>> {
        let owner = auth.owner(&self.state, &caller).await?;
        let b = body.0;
        let input = NewApplication::validate(
            &b.name,
            b.description.as_deref(),
            b.contact_email.as_deref(),
        )?;
        Ok(CreatedResponse::Created(Json(
            applications::create(&self.state.key_writer(), &owner, input)
                .await?
                .into(),
        )))
    }

    /// Read an application (owner only).
    #[oai(
        path = "/applications/:id",
        method = "get",
        operation_id = "get_application"
    )]
    async fn get(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<ApplicationId>,
    ) -> ApiResult<Json<ApplicationOut>> {
        let owner = auth.owner(&self.state, &caller).await?;
        Ok(Json(
            applications::get(&self.state.store, &owner, id.0)
                .await?
                .into(),
        ))
    }

    /// Edit, disable or re-enable an application (owner only).
    #[oai(
        path = "/applications/:id",
        method = "patch",
        operation_id = "update_application"
    )]
    async fn update(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<ApplicationId>,
        body: JsonBody<ApplicationPatchIn>,
    ) -> ApiResult<Json<ApplicationOut>> {
        let owner = auth.owner(&self.state, &caller).await?;
        let b = body.0;
        let patch = ApplicationPatch::validate(
            b.name.as_deref(),
            b.description.as_deref(),
            b.contact_email.as_deref(),
            b.status.map(Into::into),
        )?;
        Ok(Json(
            applications::update(&self.state.key_writer(), &owner, id.0, patch)
                .await?
                .into(),
        ))
    }

    /// Delete an application with its credentials and links (owner only).
    #[oai(
        path = "/applications/:id",
        method = "delete",
        operation_id = "delete_application"
    )]
    async fn delete(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<ApplicationId>,
    ) -> ApiResult<NoContentResponse> {
        let owner = auth.owner(&self.state, &caller).await?;
        applications::delete(&self.state.key_writer(), &owner, id.0).await?;
        Ok(NoContentResponse::Done)
    }

    /// An application's credentials, with when and from where each was last used.
    #[oai(
        path = "/applications/:id/credentials",
        method = "get",
        operation_id = "list_credentials"
    )]
    async fn credentials(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<ApplicationId>,
    ) -> ApiResult<Json<CredentialList>> {
        let owner = auth.owner(&self.state, &caller).await?;
        let items =
            applications::credentials(&self.state.store, &self.state.usage, &owner, id.0).await?;
        Ok(Json(CredentialList {
            items: items.into_iter().map(Into::into).collect(),
        }))
    }

    /// Generate a credential. The secret is in this answer only. Several may be live at once,
    /// so a key can be rotated with overlap and the old one revoked afterwards.
    #[oai(
        path = "/applications/:id/credentials",
        method = "post",
        operation_id = "issue_credential"
    )]
    async fn issue(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<ApplicationId>,
        body: JsonBody<CredentialCreateIn>,
    ) -> ApiResult<CreatedResponse<IssuedCredentialOut>> {
        let owner = auth.owner(&self.state, &caller).await?;
        let b = body.0;
        let issued = applications::issue_credential(
            &self.state.key_writer(),
            &owner,
            id.0,
            &b.label,
            b.expires_at.map(|t| t.0.timestamp_millis()),
        )
        .await?;
        Ok(CreatedResponse::Created(Json(IssuedCredentialOut {
            credential: issued.credential.into(),
            secret: issued.secret,
        })))
    }

    /// Revoke a credential: it stops working at once.
    #[oai(
        path = "/applications/:id/credentials/:credential_id",
        method = "delete",
        operation_id = "revoke_credential"
    )]
    async fn revoke(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<ApplicationId>,
        credential_id: Path<CredentialId>,
    ) -> ApiResult<NoContentResponse> {
        let owner = auth.owner(&self.state, &caller).await?;
        applications::revoke_credential(&self.state.key_writer(), &owner, id.0, credential_id.0)
            .await?;
        Ok(NoContentResponse::Done)
    }
}
