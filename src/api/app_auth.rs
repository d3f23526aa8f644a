//! How applications prove who they are: an API key (prefix `arm_live_`) as
//! `Authorization: Bearer …` or in the `X-Api-Key` header.

use poem_openapi::auth::{ApiKey, Bearer};
use poem_openapi::SecurityScheme;

use crate::api::auth::Caller;
use crate::api::error::ApiResult;
use crate::domain::AppPrincipal;
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

    /// Resolves the key to its application, or answers 401 (unknown, revoked, expired) or
    /// 403 (application disabled). Touches no database.
    pub fn app(&self, state: &AppState, caller: &Caller) -> ApiResult<AppPrincipal> {
        Ok(state
            .directory
            .authenticate(self.key(), caller.ip.clone())?)
    }
}
