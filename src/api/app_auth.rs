//! How applications prove who they are: an API key (prefix `arm_live_`) as
//! `Authorization: Bearer …` or in the `X-Api-Key` header, or an access token from the OpenID
//! provider's client-credentials grant as `Authorization: Bearer …`.

use poem_openapi::auth::{ApiKey, Bearer};
use poem_openapi::SecurityScheme;

use crate::api::auth::Caller;
use crate::api::error::ApiResult;
use crate::domain::AppPrincipal;
use crate::error::DomainError;
use crate::ids::{ApplicationId, CredentialId};
use crate::service::AppState;

/// An application's API key in the Authorization header.
#[derive(SecurityScheme)]
#[oai(ty = "bearer")]
pub struct AppBearer(pub Bearer);

/// An application's API key in the X-Api-Key header.
#[derive(SecurityScheme)]
#[oai(ty = "api_key", key_name = "X-Api-Key", key_in = "header")]
pub struct AppApiKey(pub ApiKey);

/// An application, by API key.
#[derive(SecurityScheme)]
pub enum AppAuth {
    Bearer(AppBearer),
    ApiKey(AppApiKey),
}

impl AppAuth {
    fn key(&self) -> &str {
        match self {
            Self::Bearer(b) => &b.0.token,
            Self::ApiKey(k) => &k.0.key,
        }
    }

    /// Resolves the key or token to its application, or answers 401 (unknown, revoked,
    /// expired) or 403 (application disabled). Touches no database.
    pub fn app(&self, state: &AppState, caller: &Caller) -> ApiResult<AppPrincipal> {
        let key = self.key();
        if matches!(self, Self::Bearer(_)) && looks_like_jwt(key) {
            let claims = crate::service::oidc::inspect::app_token(&state.oidc, key)
                .map_err(|e| DomainError::Unauthorized(format!("the access token: {e}")))?;
            let app = ApplicationId::parse(&claims.sub).ok_or_else(|| {
                DomainError::Unauthorized("the access token names no application".into())
            })?;
            let credential = claims
                .cred
                .as_deref()
                .and_then(CredentialId::parse)
                .unwrap_or_else(|| CredentialId::from_db(PRIVATE_KEY_JWT.into()));
            return Ok(state
                .directory
                .principal(&app, credential, caller.ip.clone())?);
        }
        Ok(state.directory.authenticate(key, caller.ip.clone())?)
    }
}

/// The credential recorded for a token obtained with `private_key_jwt` rather than an API key.
const PRIVATE_KEY_JWT: &str = "crd_private_key_jwt";

fn looks_like_jwt(token: &str) -> bool {
    token.starts_with("eyJ") && token.matches('.').count() == 2
}
