//! An application's settings as an OpenID client (owner only): where users may be sent back
//! after signing in and out, how long tokens live, and the public key for `private_key_jwt`.

use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use serde::{Deserialize, Serialize};

use crate::api::auth::{Caller, UserAuth};
use crate::api::body::JsonBody;
use crate::api::input::Text;
use crate::api::statuses::{ChangeErrors, ReadOneErrors};
use crate::api::Tag;
use crate::ids::ApplicationId;
use crate::oidc::client::ClientSettings;
use crate::service::oidc::clients;
use crate::service::AppState;

pub struct OidcClientsApi {
    state: AppState,
}

impl OidcClientsApi {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

/// A public key as a JSON Web Key (RFC 7517): EC (P-256, P-384), OKP (Ed25519) or RSA. A key
/// with a private part is refused.
#[derive(Object, Clone, Debug, Serialize, Deserialize)]
#[oai(rename = "PublicJwk")]
#[serde(deny_unknown_fields)]
pub struct JwkDto {
    /// `EC`, `OKP` or `RSA`.
    #[oai(validator(max_length = 8))]
    pub kty: String,
    #[oai(validator(max_length = 16), skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crv: Option<String>,
    #[oai(validator(max_length = 128), skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x: Option<String>,
    #[oai(validator(max_length = 128), skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub y: Option<String>,
    /// RSA modulus.
    #[oai(validator(max_length = 1024), skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n: Option<String>,
    /// RSA exponent.
    #[oai(validator(max_length = 16), skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub e: Option<String>,
    #[oai(validator(max_length = 128), skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    #[oai(validator(max_length = 16), skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    #[oai(validator(max_length = 8), skip_serializing_if_is_none, rename = "use")]
    #[serde(skip_serializing_if = "Option::is_none", rename = "use")]
    pub use_: Option<String>,
    /// What the key may do (`verify`), as WebCrypto exports it.
    #[oai(validator(max_items = 8), skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_ops: Option<Vec<KeyOp>>,
    /// Whether the key was extractable where it was made, as WebCrypto exports it.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ext: Option<bool>,
    /// A private key's part: present only to be refused with a clear message.
    #[oai(validator(max_length = 1024), skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub d: Option<String>,
}

/// A key operation (RFC 7517 §4.3).
#[derive(poem_openapi::Enum, Clone, Copy, Debug, Serialize, Deserialize)]
pub enum KeyOp {
    #[oai(rename = "sign")]
    #[serde(rename = "sign")]
    Sign,
    #[oai(rename = "verify")]
    #[serde(rename = "verify")]
    Verify,
    #[oai(rename = "encrypt")]
    #[serde(rename = "encrypt")]
    Encrypt,
    #[oai(rename = "decrypt")]
    #[serde(rename = "decrypt")]
    Decrypt,
    #[oai(rename = "wrapKey")]
    #[serde(rename = "wrapKey")]
    WrapKey,
    #[oai(rename = "unwrapKey")]
    #[serde(rename = "unwrapKey")]
    UnwrapKey,
    #[oai(rename = "deriveKey")]
    #[serde(rename = "deriveKey")]
    DeriveKey,
    #[oai(rename = "deriveBits")]
    #[serde(rename = "deriveBits")]
    DeriveBits,
}

/// What an owner sets.
#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcClientIn {
    /// Exact addresses users may return to with a code: `https`, or `http` on loopback only.
    #[oai(validator(max_items = 10))]
    pub redirect_uris: Vec<Text<2000>>,
    /// Exact addresses users may return to after signing out.
    #[oai(validator(max_items = 10))]
    #[serde(default)]
    pub post_logout_redirect_uris: Vec<Text<2000>>,
    /// Seconds an access token lives, 60 to 3600 (default 600).
    #[oai(validator(minimum(value = "60"), maximum(value = "3600")))]
    #[serde(default)]
    pub access_token_ttl: Option<i64>,
    /// Seconds an ID token lives, 60 to 3600 (default 600).
    #[oai(validator(minimum(value = "60"), maximum(value = "3600")))]
    #[serde(default)]
    pub id_token_ttl: Option<i64>,
    /// Seconds a refresh token lives unused, 3600 to 7776000 (90 days; default 30 days).
    #[oai(validator(minimum(value = "3600"), maximum(value = "7776000")))]
    #[serde(default)]
    pub refresh_token_ttl: Option<i64>,
    // The public key for `private_key_jwt`; absent to authenticate with a client secret only.
    #[oai(skip_serializing_if_is_none)]
    #[serde(default)]
    pub jwk: Option<JwkDto>,
}

/// An application's client settings, with what a relying party needs to be configured.
#[derive(Object)]
#[oai(rename = "OidcClient")]
pub struct OidcClientOut {
    /// The client id: the application's id.
    pub client_id: String,
    /// The issuer; its discovery document is at `{issuer}/.well-known/openid-configuration`.
    pub issuer: String,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub access_token_ttl: i64,
    pub id_token_ttl: i64,
    pub refresh_token_ttl: i64,
    // The registered public key, if any.
    #[oai(skip_serializing_if_is_none)]
    pub jwk: Option<JwkDto>,
}

fn out(state: &AppState, app: &ApplicationId, s: ClientSettings) -> OidcClientOut {
    OidcClientOut {
        client_id: app.to_string(),
        issuer: state.oidc.issuer().to_string(),
        redirect_uris: s.redirect_uris,
        post_logout_redirect_uris: s.post_logout_redirect_uris,
        access_token_ttl: s.access_token_ttl,
        id_token_ttl: s.id_token_ttl,
        refresh_token_ttl: s.refresh_token_ttl,
        jwk: s.jwk.and_then(|j| serde_json::from_value(j).ok()),
    }
}

#[OpenApi(tag = "Tag::Applications")]
impl OidcClientsApi {
    /// Read an application's OpenID client settings.
    ///
    /// Owner only. An application that was never set up answers the defaults with no redirect
    /// URI: nobody can sign in to it through armario yet.
    #[oai(
        path = "/applications/:id/oidc",
        method = "get",
        operation_id = "get_oidc_client"
    )]
    async fn get(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<ApplicationId>,
    ) -> Result<Json<OidcClientOut>, ReadOneErrors> {
        let owner = auth.owner(&self.state, &caller).await?;
        let s = clients::get(&self.state.store, &owner, id.0.clone()).await?;
        Ok(Json(out(&self.state, &id.0, s)))
    }

    /// Set an application's OpenID client settings.
    ///
    /// Owner only. Replaces them whole; lifetimes left out take their defaults. Redirect URIs
    /// are compared exactly at sign-in, so list each one the application uses.
    #[oai(
        path = "/applications/:id/oidc",
        method = "put",
        operation_id = "put_oidc_client"
    )]
    async fn put(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<ApplicationId>,
        body: JsonBody<OidcClientIn>,
    ) -> Result<Json<OidcClientOut>, ChangeErrors> {
        let owner = auth.owner(&self.state, &caller).await?;
        let b = body.0;
        let defaults = ClientSettings::default();
        let settings = ClientSettings {
            redirect_uris: b.redirect_uris.into_iter().map(Into::into).collect(),
            post_logout_redirect_uris: b
                .post_logout_redirect_uris
                .into_iter()
                .map(Into::into)
                .collect(),
            access_token_ttl: b.access_token_ttl.unwrap_or(defaults.access_token_ttl),
            id_token_ttl: b.id_token_ttl.unwrap_or(defaults.id_token_ttl),
            refresh_token_ttl: b.refresh_token_ttl.unwrap_or(defaults.refresh_token_ttl),
            jwk: b.jwk.map(|j| serde_json::to_value(j).unwrap_or_default()),
        };
        let s = clients::put(&self.state.store, &owner, id.0.clone(), settings).await?;
        Ok(Json(out(&self.state, &id.0, s)))
    }
}
