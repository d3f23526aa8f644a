//! RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): ends the user's armario
//! session and returns to a post-logout URI the application registered.
//!
//! The session cookie is `SameSite=Strict`, so a browser sent here from the application's site
//! does not carry it. The answer is then a page of ours whose script ends the session (its own
//! requests are same-site) and goes on to the checked URI. A request that carries the cookie
//! (same site, or a client that sends it) has the session ended at once and is redirected.

use poem::http::{header, StatusCode};
use poem::web::{Data, Query, Redirect};
use poem::{handler, IntoResponse, Request, Response};
use serde::Deserialize;

use crate::api::auth::{Caller, SESSION_COOKIE};
use crate::ids::ApplicationId;
use crate::service::oidc::authorize::redirect_with;
use crate::service::oidc::inspect;
use crate::service::{auth, AppState};

#[derive(Debug, Default, Deserialize)]
pub struct LogoutParams {
    id_token_hint: Option<String>,
    client_id: Option<String>,
    post_logout_redirect_uri: Option<String>,
    state: Option<String>,
}

fn page(status: StatusCode, to: Option<&str>, message: &str) -> Response {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('"', "&quot;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let to_attr = to
        .map(|t| format!(" data-to=\"{}\"", esc(t)))
        .unwrap_or_default();
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\"><title>Signing out</title></head>\
         <body><main id=\"logout\"{to_attr}><h1>{}</h1></main>\
         <script src=\"/static/signin/logout.js\"></script></body></html>",
        esc(message)
    );
    Response::builder()
        .status(status)
        .content_type("text/html; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-store")
        .body(html)
}

/// `GET /oauth2/logout`.
#[handler]
pub async fn logout(
    req: &Request,
    Query(p): Query<LogoutParams>,
    state: Data<&AppState>,
    caller: Caller,
) -> Response {
    let hinted = p
        .id_token_hint
        .as_deref()
        .and_then(|h| inspect::id_token_hint(&state.oidc, h));
    if p.id_token_hint.is_some() && hinted.is_none() {
        return page(
            StatusCode::BAD_REQUEST,
            None,
            "The id_token_hint is not one of ours.",
        );
    }
    let client = match (&hinted, &p.client_id) {
        (Some((_, aud)), Some(id)) if aud != id => {
            return page(
                StatusCode::BAD_REQUEST,
                None,
                "client_id does not match the id_token_hint.",
            )
        }
        (Some((_, aud)), _) => Some(aud.clone()),
        (None, Some(id)) => Some(id.clone()),
        (None, None) => None,
    };
    let mut to = None;
    if let Some(uri) = &p.post_logout_redirect_uri {
        let Some(app) = client.as_deref().and_then(ApplicationId::parse) else {
            return page(
                StatusCode::BAD_REQUEST,
                None,
                "A post_logout_redirect_uri needs an id_token_hint or a client_id.",
            );
        };
        let settings = state
            .store
            .read(move |c| crate::db::oidc::client(c, &app))
            .await
            .ok()
            .flatten();
        if !settings.is_some_and(|s| s.logout_allowed(uri)) {
            return page(
                StatusCode::BAD_REQUEST,
                None,
                "The post_logout_redirect_uri is not registered for this application.",
            );
        }
        let mut params = Vec::new();
        if let Some(s) = p.state.as_deref() {
            params.push(("state", s));
        }
        to = Some(redirect_with(uri, &params));
    }
    if let Some(token) = req.cookie().get(SESSION_COOKIE) {
        if let Ok(who) =
            auth::authenticate(&state.store, token.value_str(), caller.ip.clone()).await
        {
            let hinted_other = hinted
                .as_ref()
                .is_some_and(|(sub, _)| *sub != who.user_id.to_string());
            if !hinted_other {
                let _ = auth::logout(&state.store, &who).await;
            }
        }
        if let Some(to) = to {
            return Redirect::see_other(to).into_response();
        }
        return page(StatusCode::OK, None, "You are signed out.");
    }
    page(StatusCode::OK, to.as_deref(), "Signing out…")
}
