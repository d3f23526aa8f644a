//! A company's third-party credentials: written by users, never read back by them.

use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use crate::access::Admin;
use serde::Deserialize;

use crate::api::auth::{Caller, UserAuth};
use crate::api::body::JsonBody;
use crate::api::error::ApiResult;
use crate::api::input::{Fields, Text, SECRET_FIELDS_MAX, SECRET_KIND_MAX, SECRET_VALUE_MAX};
use crate::api::session::NoContentResponse;
use crate::api::time::ts;
use crate::api::Tag;
use crate::db::secrets::SecretMeta;
use crate::domain::secret_kind;
use crate::ids::CompanyId;
use crate::service::{secrets, AppState};

pub struct SecretsApi {
    state: AppState,
}

impl SecretsApi {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

/// A secret that is set: which kind, a hint and when it changed. Never the value.
#[derive(Object)]
#[oai(rename = "SecretInfo")]
pub struct SecretInfoOut {
    kind: String,
    /// The last 4 characters of the main field (`••••abcd`), or `••••` for short values.
    hint: String,
    /// Id of the key that sealed the value.
    key_id: String,
    updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<SecretMeta> for SecretInfoOut {
    fn from(m: SecretMeta) -> Self {
        Self {
            kind: m.kind,
            hint: m.hint,
            key_id: m.key_id,
            updated_at: ts(m.updated_at),
        }
    }
}

#[derive(Object)]
struct SecretList {
    items: Vec<SecretInfoOut>,
}

/// The fields of a secret kind.
#[derive(Object)]
struct SecretKindOut {
    kind: String,
    fields: Vec<String>,
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
struct SecretPutIn {
    /// Field name to value. omie: app_key, app_secret; asaas: api_key; evolution: base_url,
    /// instance, api_key; google_calendar: client_id, client_secret, refresh_token;
    /// custom_<name>: any fields. Values up to 4096 characters.
    values: Fields<Text<SECRET_VALUE_MAX>, SECRET_FIELDS_MAX>,
}

#[OpenApi(tag = "Tag::Secrets")]
impl SecretsApi {
    /// The known kinds of secrets and their fields (`custom_<name>` kinds take any fields).
    #[oai(
        path = "/secret-kinds",
        method = "get",
        operation_id = "list_secret_kinds"
    )]
    async fn kinds(&self, auth: UserAuth, caller: Caller) -> ApiResult<Json<Vec<SecretKindOut>>> {
        auth.user(&self.state, &caller).await?;
        Ok(Json(
            secret_kind::KNOWN
                .iter()
                .map(|k| SecretKindOut {
                    kind: k.kind.into(),
                    fields: k.fields.iter().map(|f| f.to_string()).collect(),
                })
                .collect(),
        ))
    }

    /// Which secrets a company has set (company admin or owner).
    #[oai(
        path = "/companies/:id/secrets",
        method = "get",
        operation_id = "list_company_secrets"
    )]
    async fn list(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
    ) -> ApiResult<Json<SecretList>> {
        let scope = auth.company::<Admin>(&self.state, &caller, id.0).await?;
        let items = secrets::list(&self.state.store, &scope).await?;
        Ok(Json(SecretList {
            items: items.into_iter().map(Into::into).collect(),
        }))
    }

    /// Set (or replace) a secret. It is sealed at rest and never returned to users.
    #[oai(
        path = "/companies/:id/secrets/:kind",
        method = "put",
        operation_id = "put_company_secret"
    )]
    async fn put(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
        kind: Path<Text<SECRET_KIND_MAX>>,
        body: JsonBody<SecretPutIn>,
    ) -> ApiResult<Json<SecretInfoOut>> {
        let scope = auth.company::<Admin>(&self.state, &caller, id.0).await?;
        let (store, sealer) = (&self.state.store, &self.state.sealer);
        let values = body
            .0
            .values
            .into_inner()
            .into_iter()
            .map(|(k, v)| (k, v.into()))
            .collect();
        let meta = secrets::put(store, sealer, &scope, kind.0.into(), values).await?;
        Ok(Json(meta.into()))
    }

    /// Remove a secret.
    #[oai(
        path = "/companies/:id/secrets/:kind",
        method = "delete",
        operation_id = "delete_company_secret"
    )]
    async fn delete(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
        kind: Path<Text<SECRET_KIND_MAX>>,
    ) -> ApiResult<NoContentResponse> {
        let scope = auth.company::<Admin>(&self.state, &caller, id.0).await?;
        secrets::delete(&self.state.store, &scope, kind.0.into()).await?;
        Ok(NoContentResponse::Done)
    }
}
