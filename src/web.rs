//! The web UI: static files embedded in the binary, served from `/admin/`, `/portal/` and
//! `/static/<path>` (any file of `static/`). Pages use hash routing, so every page is one `index.html`.

use poem::http::{header, StatusCode};
use poem::web::{Path, Redirect};
use poem::{get, handler, Request, Response, Route};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "static/"]
pub struct Assets;

/// Serves `static/<path>`, with an ETag so browsers revalidate cheaply.
pub fn asset(req: &Request, path: &str) -> Response {
    let Some(file) = Assets::get(path) else {
        return Response::builder()
            .status(StatusCode::NOT_FOUND)
            .body("not found");
    };
    let etag = format!("\"{}\"", hex::encode(&file.metadata.sha256_hash()[..12]));
    if req.header(header::IF_NONE_MATCH) == Some(etag.as_str()) {
        return Response::builder()
            .status(StatusCode::NOT_MODIFIED)
            .header(header::ETAG, etag)
            .finish();
    }
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    Response::builder()
        .header(header::CONTENT_TYPE, mime.as_ref())
        .header(header::ETAG, etag)
        .body(file.data.into_owned())
}

fn area(req: &Request, area: &str, rest: &str) -> Response {
    let rest = rest.trim_start_matches('/');
    if rest.is_empty()
        || [
            "setup", "link", "reset", "invite", "magic", "verify", "email",
        ]
        .contains(&rest)
    {
        return asset(req, &format!("{area}/index.html"));
    }
    if rest.split('/').any(|seg| seg == ".." || seg.is_empty()) {
        return Response::builder()
            .status(StatusCode::NOT_FOUND)
            .body("not found");
    }
    asset(req, &format!("{area}/{rest}"))
}

#[handler]
fn root() -> Redirect {
    Redirect::see_other("/admin/")
}

#[handler]
fn admin_root() -> Redirect {
    Redirect::see_other("/admin/")
}

#[handler]
fn portal_root() -> Redirect {
    Redirect::see_other("/portal/")
}

#[handler]
fn admin(req: &Request, Path(rest): Path<String>) -> Response {
    area(req, "admin", &rest)
}

#[handler]
fn admin_index(req: &Request) -> Response {
    area(req, "admin", "")
}

#[handler]
fn portal(req: &Request, Path(rest): Path<String>) -> Response {
    area(req, "portal", &rest)
}

#[handler]
fn portal_index(req: &Request) -> Response {
    area(req, "portal", "")
}

#[handler]
fn signin_root() -> Redirect {
    Redirect::see_other("/signin/")
}

/// The hosted sign-in page of the OpenID provider.
#[handler]
fn signin_index(req: &Request) -> Response {
    asset(req, "signin/index.html")
}

#[handler]
fn shared(req: &Request, Path(rest): Path<String>) -> Response {
    if rest.split('/').any(|seg| seg == ".." || seg.is_empty()) {
        return Response::builder()
            .status(StatusCode::NOT_FOUND)
            .body("not found");
    }
    asset(req, &rest)
}

/// Pages and files answer GET and HEAD; any other method is a 405 (with `Allow`, added by
/// the middleware).
pub fn routes(route: Route) -> Route {
    route
        .at("/", get(root))
        .at("/admin", get(admin_root))
        .at("/portal", get(portal_root))
        .at("/admin/", get(admin_index))
        .at("/portal/", get(portal_index))
        .at("/admin/*rest", get(admin))
        .at("/portal/*rest", get(portal))
        .at("/signin", get(signin_root))
        .at("/signin/", get(signin_index))
        .at("/static/*rest", get(shared))
}
