//! A company's third-party credentials: written by users, never read back by them.

use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use serde::Deserialize;

use crate::access::Admin;

use crate::api::auth::{Caller, UserAuth};
use crate::api::body::JsonBody;
use crate::api::enums::KnownSecretKind;
use crate::api::input::{
    Fields, Text, CURSOR_MAX, SECRET_FIELDS_MAX, SECRET_KIND_MAX, SECRET_VALUE_MAX,
};
use crate::api::session::NoContentResponse;
use crate::api::statuses::{ActionErrors, ChangeErrors, ReadErrors, ReadOneErrors};
use crate::api::time::ts;
use crate::api::Tag;
use crate::db::secrets::SecretMeta;
use crate::domain::{page_size, secret_kind};
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

/// A page of secrets, in kind order.
#[derive(Object)]
struct SecretList {
    items: Vec<SecretInfoOut>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    #[oai(skip_serializing_if_is_none)]
    next_cursor: Option<String>,
}

/// The fields of a secret kind.
#[derive(Object)]
struct SecretKindOut {
    kind: KnownSecretKind,
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
    /// List the known kinds of secrets and their fields.
    ///
    /// Any signed-in user. A company may also store `custom_<name>` kinds, which take any fields.
    #[oai(
        path = "/secret-kinds",
        method = "get",
        operation_id = "list_secret_kinds"
    )]
    async fn kinds(
        &self,
        auth: UserAuth,
        caller: Caller,
    ) -> Result<Json<Vec<SecretKindOut>>, ReadErrors> {
        auth.user(&self.state, &caller).await?;
        Ok(Json(
            secret_kind::KNOWN
                .iter()
                .map(|k| SecretKindOut {
                    kind: KnownSecretKind::from_known(k.kind)
                        .expect("every known kind has an enum value (see api::enums tests)"),
                    fields: k.fields.iter().map(|f| f.to_string()).collect(),
                })
                .collect(),
        ))
    }

    /// List which secrets a company has set.
    ///
    /// A company admin or the owner. Each secret's kind, a hint of its last characters and when it
    /// changed; never the values.
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
        /// Page size, 1 to 200 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<u32>>,
        /// The `next_cursor` of the previous page, as given (cursors are opaque).
        cursor: Query<Option<Text<CURSOR_MAX>>>,
    ) -> Result<Json<SecretList>, ReadOneErrors> {
        let scope = auth.company::<Admin>(&self.state, &caller, id.0).await?;
        let limit = page_size(limit.0)?;
        let page =
            secrets::list(&self.state.store, &scope, cursor.0.map(Into::into), limit).await?;
        Ok(Json(SecretList {
            items: page.items.into_iter().map(Into::into).collect(),
            next_cursor: page.next_cursor,
        }))
    }

    /// Set or replace a company's secret.
    ///
    /// A company admin or the owner. The values are sealed at rest (AES-256-GCM) and never returned
    /// to users; applications with the matching scope read them. The fields depend on the kind (see
    /// `GET /secret-kinds`).
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
    ) -> Result<Json<SecretInfoOut>, ChangeErrors> {
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

    /// Remove a company's secret.
    ///
    /// A company admin or the owner. The change is audited.
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
    ) -> Result<NoContentResponse, ActionErrors> {
        let scope = auth.company::<Admin>(&self.state, &caller, id.0).await?;
        secrets::delete(&self.state.store, &scope, kind.0.into()).await?;
        Ok(NoContentResponse::Done)
    }
}
