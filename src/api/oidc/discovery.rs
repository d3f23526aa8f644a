//! Provider metadata (OpenID Connect Discovery 1.0) and the JSON Web Key Set.

use poem::http::header;
use poem::web::{Data, Json};
use poem::{handler, IntoResponse, Response};
use serde_json::json;

use crate::oidc::scope::SUPPORTED;
use crate::oidc::signing::ALG;
use crate::service::AppState;

#[handler]
pub fn configuration(state: Data<&AppState>) -> Response {
    let o = &state.oidc;
    let body = json!({
        "issuer": o.issuer(),
        "authorization_endpoint": o.endpoint("/oauth2/authorize"),
        "token_endpoint": o.endpoint("/oauth2/token"),
        "userinfo_endpoint": o.endpoint("/oauth2/userinfo"),
        "jwks_uri": o.endpoint("/oauth2/jwks"),
        "revocation_endpoint": o.endpoint("/oauth2/revoke"),
        "introspection_endpoint": o.endpoint("/oauth2/introspect"),
        "end_session_endpoint": o.endpoint("/oauth2/logout"),
        "scopes_supported": SUPPORTED,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": [ALG],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported":
            ["client_secret_basic", "client_secret_post", "private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": ["ES256", "ES384", "EdDSA", "RS256"],
        "revocation_endpoint_auth_methods_supported":
            ["client_secret_basic", "client_secret_post", "private_key_jwt"],
        "introspection_endpoint_auth_methods_supported":
            ["client_secret_basic", "client_secret_post", "private_key_jwt"],
        "authorization_response_iss_parameter_supported": true,
        "claims_supported": [
            "sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "azp", "email",
            "email_verified", "name", "company_id", "company_slug", "role", "roles"
        ],
        "ui_locales_supported": ["pt-BR", "en"],
        "prompt_values_supported": ["none", "login", "consent"],
    });
    Json(body)
        .with_header(header::CACHE_CONTROL, "public, max-age=300")
        .into_response()
}

/// Every key whose tokens may still be alive. Cached briefly, so a client that meets a new
/// key's id after a rotation finds it on its next fetch.
#[handler]
pub fn jwks(state: Data<&AppState>) -> Response {
    Json(state.oidc.keys.jwks())
        .with_header(header::CACHE_CONTROL, "public, max-age=60")
        .into_response()
}
