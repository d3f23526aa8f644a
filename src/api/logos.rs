//! Company logos as images: lists and company answers carry a `logo_url` instead of the
//! inline `data:` URL, and the image is fetched (and cached) once. A logo is read like its
//! company: a member of another company gets 404, an application needs a link. The public
//! sign-in and sign-up pages show no company branding, so nothing here is unauthenticated.

use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Binary;
use poem_openapi::{ApiResponse, OpenApi};

use crate::access::Member;
use crate::api::auth::{Caller, UserAuth};
use crate::api::error::ApiResult;
use crate::api::Tag;
use crate::domain::image::LogoImage;
use crate::ids::CompanyId;
use crate::service::{companies, AppState};

/// Private: the logo is behind a session or a key. A day is safe because the URL in lists
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

#[derive(ApiResponse)]
pub enum LogoResponse {
    /// The logo: PNG, JPEG, WebP or GIF, as the `Content-Type` header says.
    #[oai(status = 200, content_type = "image/*")]
    Image(
        Binary<Vec<u8>>,
        #[oai(header = "ETag")] String,
        #[oai(header = "Cache-Control")] String,
    ),
    /// The logo has not changed since the `If-None-Match` tag.
    #[oai(status = 304)]
    NotModified(
        #[oai(header = "ETag")] String,
        #[oai(header = "Cache-Control")] String,
    ),
}

/// The image's own type replaces the documented `image/*`.
pub(crate) fn answer(
    logo: LogoImage,
    if_none_match: Option<String>,
) -> poem_openapi::payload::Response<LogoResponse> {
    let cache = CACHE_CONTROL.to_string();
    if if_none_match.is_some_and(|tags| logo.matches(&tags)) {
        return poem_openapi::payload::Response::new(LogoResponse::NotModified(logo.etag, cache));
    }
    let content_type = logo.content_type;
    poem_openapi::payload::Response::new(LogoResponse::Image(Binary(logo.bytes), logo.etag, cache))
        .header(poem::http::header::CONTENT_TYPE, content_type)
}

pub struct LogosApi {
    state: AppState,
}

impl LogosApi {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

#[OpenApi(tag = "Tag::Companies")]
impl LogosApi {
    /// A company's logo image (its members and the owner). Another company's logo, or a
    /// company without one, is 404.
    #[oai(
        path = "/companies/:id/logo",
        method = "get",
        operation_id = "get_company_logo"
    )]
    async fn company_logo(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
        /// Ignored: lists put the company's version here so a changed logo gets a new URL.
        #[oai(name = "v")]
        _version: Query<Option<String>>,
        /// The `ETag` of a copy already held; answered 304 when it still matches.
        #[oai(name = "If-None-Match")]
        if_none_match: Header<Option<String>>,
    ) -> ApiResult<poem_openapi::payload::Response<LogoResponse>> {
        let scope = auth.company::<Member>(&self.state, &caller, id.0).await?;
        let logo = companies::logo(&self.state.store, &scope).await?;
        Ok(answer(logo, if_none_match.0))
    }
}
