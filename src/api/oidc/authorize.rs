//! The authorization endpoint and the hosted sign-in page's calls.

use poem::http::{header, StatusCode};
use poem::web::{Data, Json, Path, Query, Redirect};
use poem::{handler, IntoResponse, Request, Response};
use serde::Deserialize;
use serde_json::json;

use crate::api::auth::{Caller, SESSION_COOKIE};
use crate::api::statuses::ActionErrors;
use crate::error::DomainError;
use crate::oidc::scope;
use crate::service::oidc::authorize::{self as flow, AuthorizeParams, Begin, Completion};
use crate::service::{auth, hosts, AppState};

fn error_page(status: StatusCode, message: &str) -> Response {
    // The message is one of ours, never a parameter's value; escaped all the same.
    let escaped = message
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign-in error</title>\
         <meta name=\"viewport\" content=\"width=device-width\"></head><body>\
         <main><h1>The sign-in request cannot continue</h1><p>{escaped}</p>\
         <p>Return to the application and try again.</p></main></body></html>"
    );
    Response::builder()
        .status(status)
        .content_type("text/html; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-store")
        .body(html)
}

fn domain(e: DomainError) -> Response {
    ActionErrors::from(e).into_response()
}

/// `GET /oauth2/authorize`.
#[handler]
pub async fn authorize(
    req: &Request,
    Query(params): Query<AuthorizeParams>,
    state: Data<&AppState>,
) -> Response {
    let host = req
        .header(header::HOST)
        .map(|h| h.split(':').next().unwrap_or("").to_ascii_lowercase());
    let base = hosts::base_domain(&state.settings);
    let host_company = match host {
        Some(h) if !h.is_empty() => hosts::company_for_host(&state.store, base.as_ref(), h)
            .await
            .unwrap_or(None),
        _ => None,
    };
    match flow::begin(&state.store, state.oidc.issuer(), params, host_company).await {
        Ok(Begin::Page(message)) => error_page(StatusCode::BAD_REQUEST, message),
        Ok(Begin::Refuse { redirect }) => Redirect::see_other(redirect).into_response(),
        Ok(Begin::SignIn(id)) => Redirect::see_other(format!("/signin/#request={id}"))
            .with_header(header::CACHE_CONTROL, "no-store")
            .into_response(),
        Err(e) => domain(e),
    }
}

/// `GET /oauth2/requests/{id}`: what the hosted page shows.
#[handler]
pub async fn describe(Path(id): Path<String>, state: Data<&AppState>) -> Response {
    match flow::describe(&state.store, id).await {
        Ok(p) => {
            let company = p.company.map(|c| {
                json!({
                    "name": c.shown_name(),
                    "slug": c.slug,
                    "primary_color": c.primary_color,
                    "magic_link_sign_in": c.magic_link_sign_in,
                    "logo_url": c.has_logo.then(|| format!("/oauth2/requests/{}/logo?v={}", p.request.id, c.updated_at)),
                })
            });
            Json(json!({
                "application": { "name": p.application_name },
                "company": company,
                "login_hint": p.request.login_hint,
                "scopes": p.request.scope.split(' ').collect::<Vec<_>>(),
                "consent_scopes": scope::needs_consent(&p.request.scope, ""),
                "prompt_login": p.request.prompt.as_deref().is_some_and(|p| p.split(' ').any(|v| v == "login")),
                "expires_at": crate::api::time::ts(p.request.expires_at),
            }))
            .with_header(header::CACHE_CONTROL, "no-store")
            .into_response()
        }
        Err(e) => domain(e),
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct CompleteIn {
    #[serde(default)]
    consent: bool,
}

async fn session_user(
    req: &Request,
    state: &AppState,
    caller: &Caller,
) -> Result<crate::domain::UserPrincipal, DomainError> {
    let token = req
        .cookie()
        .get(SESSION_COOKIE)
        .map(|c| c.value_str().to_string())
        .ok_or_else(|| DomainError::Unauthorized("sign in first".into()))?;
    auth::authenticate(&state.store, &token, caller.ip.clone()).await
}

/// `POST /oauth2/requests/{id}/complete`: the signed-in user (session cookie, CSRF header)
/// finishes the request; the answer says where the browser goes next.
#[handler]
pub async fn complete(
    req: &Request,
    Path(id): Path<String>,
    body: Option<Json<CompleteIn>>,
    state: Data<&AppState>,
    caller: Caller,
) -> Response {
    let who = match session_user(req, &state, &caller).await {
        Ok(w) => w,
        Err(e) => return domain(e),
    };
    let consent = body.map(|b| b.0.consent).unwrap_or(false);
    let issuer = state.oidc.issuer().to_string();
    match flow::complete(&state.store, &state.metrics, issuer, id, who, consent).await {
        Ok(Completion::Redirect(to)) => Json(json!({ "redirect_to": to })).into_response(),
        Ok(Completion::ConsentRequired(scopes)) => (
            StatusCode::CONFLICT,
            Json(json!({
                "code": "consent_required",
                "message": "the application asks for more than your identity: agree to go on",
                "scopes": scopes,
            })),
        )
            .into_response(),
        Ok(Completion::Refused(r)) => domain(DomainError::Forbidden(r.message().into())),
        Err(e) => domain(e),
    }
}

/// `POST /oauth2/requests/{id}/deny`: back to the application with `access_denied`.
#[handler]
pub async fn deny(Path(id): Path<String>, state: Data<&AppState>) -> Response {
    let issuer = state.oidc.issuer().to_string();
    match flow::deny(&state.store, issuer, id).await {
        Ok(to) => Json(json!({ "redirect_to": to })).into_response(),
        Err(e) => domain(e),
    }
}

/// `GET /oauth2/requests/{id}/logo`: the logo of the company a pending request names, for the
/// hosted page before anyone signs in. Branding is not secret; the request id scopes it.
#[handler]
pub async fn logo(req: &Request, Path(id): Path<String>, state: Data<&AppState>) -> Response {
    let logo = async {
        let pending = flow::describe(&state.store, id).await?;
        let company = pending
            .request
            .company_id
            .ok_or(DomainError::NotFound("logo"))?;
        crate::service::companies::read_logo(&state.store, company).await
    }
    .await;
    crate::api::logos::answer(req, logo)
}
