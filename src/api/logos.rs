//! Company logos as images: lists and company answers carry a `logo_url` instead of the
//! inline `data:` URL, and the image is fetched (and cached) once.
//!
//! A logo is read like its company: `/api/v1/companies/{id}/logo` for its members and the
//! owner (another company's logo is a 404), `/api/v1/app/companies/{id}/logo` for an
//! application linked to it. The hosted sign-in page of an authorization request that names a
//! company shows that company's logo through the request (`/oauth2/requests/{id}/logo`); the
//! portal's own sign-in and sign-up pages show no company branding.
//!
//! These routes are links from the JSON answers, not operations of the OpenAPI document: an
//! image answer (`image/png`, `image/jpeg`, …) is not something the generated clients can
//! type, and the document describes the JSON API. The README documents them.

use poem::http::{header, StatusCode};
use poem::web::{Data, Path};
use poem::{handler, IntoResponse, Request, Response};

use crate::access::{AppCompanyScope, CompanyScope, Linked, Member};
use crate::api::auth::{Caller, SESSION_COOKIE};
use crate::api::statuses::ReadOneErrors;
use crate::domain::image::LogoImage;
use crate::error::{DomainError, DomainResult};
use crate::ids::CompanyId;
use crate::service::{app_access, auth, companies, AppState};

/// Private: the logo is behind a session or a key. A day is safe because the URL in answers
/// changes (`?v=`) whenever the company changes; the ETag makes a revalidation cheap.
const CACHE_CONTROL: &str = "private, max-age=86400";

/// Where a signed-in user fetches a company's logo, versioned by the company's last change.
pub fn user_logo_url(id: &CompanyId, version: i64) -> String {
    format!("/api/v1/companies/{id}/logo?v={version}")
}

/// Where an application fetches a linked company's logo.
pub fn app_logo_url(id: &CompanyId, version: i64) -> String {
    format!("/api/v1/app/companies/{id}/logo?v={version}")
}

/// The image with its own type, or 304 when the caller's copy (`If-None-Match`) is current.
pub(crate) fn answer(req: &Request, logo: DomainResult<LogoImage>) -> Response {
    let logo = match logo {
        Ok(logo) => logo,
        Err(e) => return ReadOneErrors::from(e).into_response(),
    };
    let fresh = req
        .header(header::IF_NONE_MATCH)
        .is_some_and(|tags| logo.matches(tags));
    let builder = Response::builder()
        .header(header::ETAG, logo.etag.as_str())
        .header(header::CACHE_CONTROL, CACHE_CONTROL);
    if fresh {
        return builder.status(StatusCode::NOT_MODIFIED).finish();
    }
    builder
        .header(header::CONTENT_TYPE, logo.content_type)
        .body(logo.bytes)
}

fn bearer(req: &Request) -> Option<&str> {
    req.header(header::AUTHORIZATION)?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

fn unauthorized(message: &str) -> DomainError {
    DomainError::Unauthorized(message.into())
}

/// A path id that cannot exist names nothing: not found, like the JSON routes.
fn company_id(raw: &str) -> DomainResult<CompanyId> {
    CompanyId::parse(raw).ok_or(DomainError::NotFound("company"))
}

async fn user_logo(
    req: &Request,
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> DomainResult<LogoImage> {
    let cookie = req.cookie().get(SESSION_COOKIE);
    let cookie = cookie.as_ref().map(|c| c.value_str().to_string());
    let token = bearer(req)
        .map(str::to_string)
        .or(cookie)
        .ok_or_else(|| unauthorized("sign in or send a valid bearer token"))?;
    let who = auth::authenticate(&state.store, &token, caller.ip.clone()).await?;
    let scope = CompanyScope::<Member>::check(&who, company_id(id)?)?;
    companies::logo(&state.store, &scope).await
}

async fn linked_logo(
    req: &Request,
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> DomainResult<LogoImage> {
    let key = bearer(req)
        .or_else(|| req.header("X-Api-Key"))
        .ok_or_else(|| unauthorized("the API key is invalid, revoked or expired"))?;
    let app = state.directory.authenticate(key, caller.ip.clone())?;
    let company = company_id(id)?;
    state.usage.record(&app, Some(&company), "companies");
    state.metrics.app_request("companies");
    let scope = AppCompanyScope::check(&app, company, Linked)?;
    app_access::logo(&state.store, &scope).await
}

/// `GET /api/v1/companies/{id}/logo`: a company's logo for its members and the owner.
#[handler]
pub async fn company_logo(
    req: &Request,
    Path(id): Path<String>,
    state: Data<&AppState>,
    caller: Caller,
) -> Response {
    answer(req, user_logo(req, &state, &caller, &id).await)
}

/// `GET /api/v1/app/companies/{id}/logo`: a linked company's logo for an application.
#[handler]
pub async fn app_company_logo(
    req: &Request,
    Path(id): Path<String>,
    state: Data<&AppState>,
    caller: Caller,
) -> Response {
    answer(req, linked_logo(req, &state, &caller, &id).await)
}
