//! The OpenID provider's protocol endpoints. They speak OAuth 2.0 and OpenID Connect (form
//! bodies, `{error, error_description}` answers, redirects), so they sit beside the JSON API
//! rather than in its OpenAPI document: relying-party libraries find them through
//! `/.well-known/openid-configuration`. The client settings an owner edits are in the document
//! (`/api/v1/applications/{id}/oidc`).

mod authorize;
mod discovery;
mod logout;
mod token;

use poem::{get, post, Route};

/// Mounts the endpoints on `route`.
pub fn routes(route: Route) -> Route {
    route
        .at(
            "/.well-known/openid-configuration",
            get(discovery::configuration),
        )
        .at("/oauth2/jwks", get(discovery::jwks))
        .at("/oauth2/authorize", get(authorize::authorize))
        .at("/oauth2/requests/:id", get(authorize::describe))
        .at("/oauth2/requests/:id/logo", get(authorize::logo))
        .at("/oauth2/requests/:id/complete", post(authorize::complete))
        .at("/oauth2/requests/:id/deny", post(authorize::deny))
        .at("/oauth2/token", post(token::token_endpoint))
        .at("/oauth2/revoke", post(token::revoke))
        .at("/oauth2/introspect", post(token::introspect))
        .at(
            "/oauth2/userinfo",
            get(token::userinfo).post(token::userinfo),
        )
        .at("/oauth2/logout", get(logout::logout))
}

/// The paths above, for the metrics' route labels.
pub const PATHS: &[&str] = &[
    "/.well-known/openid-configuration",
    "/oauth2/jwks",
    "/oauth2/authorize",
    "/oauth2/requests/{id}",
    "/oauth2/requests/{id}/logo",
    "/oauth2/requests/{id}/complete",
    "/oauth2/requests/{id}/deny",
    "/oauth2/token",
    "/oauth2/revoke",
    "/oauth2/introspect",
    "/oauth2/userinfo",
    "/oauth2/logout",
];
