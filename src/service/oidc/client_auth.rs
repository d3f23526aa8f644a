//! How an application proves itself at the token, revocation and introspection endpoints: its
//! existing API key as the client secret (`client_secret_basic` or `client_secret_post`), or a
//! JWT signed with the key it registered (`private_key_jwt`).

use crate::clock::now_ms;
use crate::db;
use crate::db::Store;
use crate::error::DomainResult;
use crate::ids::{ApplicationId, CredentialId};
use crate::oidc::assertion;
use crate::oidc::client::ClientSettings;
use crate::service::directory::AppDirectory;

pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// What the request carried to authenticate the client.
#[derive(Default)]
pub struct Presented {
    /// From `Authorization: Basic`.
    pub basic: Option<(String, String)>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub assertion_type: Option<String>,
    pub assertion: Option<String>,
}

/// An authenticated client.
pub struct Client {
    pub app: ApplicationId,
    /// The credential used, when a secret was.
    pub credential: Option<CredentialId>,
    pub settings: ClientSettings,
}

/// Why client authentication failed: always `invalid_client`; the text is for the log and
/// the `error_description`, and never quotes what was presented.
pub struct ClientRefused(pub &'static str);

pub async fn authenticate(
    store: &Store,
    directory: &AppDirectory,
    token_endpoint: &str,
    issuer: &str,
    ip: Option<String>,
    p: Presented,
) -> DomainResult<Result<Client, ClientRefused>> {
    let methods =
        p.basic.is_some() as u8 + p.client_secret.is_some() as u8 + p.assertion.is_some() as u8;
    if methods != 1 {
        return Ok(Err(ClientRefused(
            "authenticate the client with exactly one method",
        )));
    }
    if let Some(assertion_jwt) = p.assertion {
        if p.assertion_type.as_deref() != Some(JWT_BEARER) {
            return Ok(Err(ClientRefused(
                "client_assertion_type must be jwt-bearer",
            )));
        }
        let claimed = p
            .client_id
            .clone()
            .or_else(|| unverified_issuer(&assertion_jwt));
        let Some(app) = claimed.as_deref().and_then(ApplicationId::parse) else {
            return Ok(Err(ClientRefused("unknown client")));
        };
        let app2 = app.clone();
        let Some(settings) = store.read(move |c| db::oidc::client(c, &app2)).await? else {
            return Ok(Err(ClientRefused("unknown client")));
        };
        let Some(jwk) = settings.jwk.clone() else {
            return Ok(Err(ClientRefused(
                "the client has registered no public key",
            )));
        };
        if !directory.active(&app) {
            return Ok(Err(ClientRefused("the application is disabled")));
        }
        let now = now_ms() / 1000;
        let claims = match assertion::verify(
            &assertion_jwt,
            &jwk,
            app.as_str(),
            &[token_endpoint, issuer],
            now,
        ) {
            Ok(c) => c,
            Err(why) => return Ok(Err(ClientRefused(why))),
        };
        let fresh = store
            .write(move |tx| {
                db::oidc::first_assertion(tx, &claims.jti, claims.exp * 1000 + 60_000, now_ms())
            })
            .await?;
        if !fresh {
            return Ok(Err(ClientRefused("the assertion was already used")));
        }
        return Ok(Ok(Client {
            app,
            credential: None,
            settings,
        }));
    }
    let (id, secret) = match (p.basic, p.client_id, p.client_secret) {
        (Some((id, secret)), _, _) => (id, secret),
        (None, Some(id), Some(secret)) => (id, secret),
        _ => return Ok(Err(ClientRefused("client_id is required"))),
    };
    let principal = match directory.authenticate(&secret, ip) {
        Ok(p) => p,
        Err(_) => return Ok(Err(ClientRefused("the client secret is invalid"))),
    };
    if principal.application_id.as_str() != id {
        return Ok(Err(ClientRefused("the client secret is invalid")));
    }
    let app = principal.application_id.clone();
    let app2 = app.clone();
    // An application without client settings may still use the client-credentials grant.
    let settings = store
        .read(move |c| db::oidc::client(c, &app2))
        .await?
        .unwrap_or_default();
    Ok(Ok(Client {
        app,
        credential: Some(principal.credential_id),
        settings,
    }))
}

/// The `iss` of an assertion before its signature is checked: only to find whose key checks it.
fn unverified_issuer(jwt: &str) -> Option<String> {
    use base64::Engine;
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    v.get("iss")?.as_str().map(String::from)
}
