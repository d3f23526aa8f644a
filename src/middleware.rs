//! Cross-cutting HTTP concerns: request ids and logging, security headers, CSRF protection for
//! cookie-authenticated writes, and the JSON shape of errors raised outside the API handlers.

use std::time::Instant;

use poem::http::{header, HeaderValue, Method, StatusCode};
use poem::{Endpoint, IntoResponse, PathPattern, Request, Response};
use tracing::Instrument;

use crate::api::auth::{CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE};
use crate::api::error::{ErrorBody, ErrorCode};
use crate::api::routes::ApiRoutes;
use crate::crypto::token;
use crate::service::AppState;

pub const REQUEST_ID_HEADER: &str = "X-Request-Id";

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

pub fn json_error(status: StatusCode, body: ErrorBody) -> Response {
    let json = serde_json::json!({
        "code": body.code,
        "message": body.message,
    });
    let mut v = json;
    if let Some(f) = body.field {
        v["field"] = f.into();
    }
    if let Some(id) = body.error_id {
        v["error_id"] = id.into();
    }
    Response::builder()
        .status(status)
        .content_type("application/json; charset=utf-8")
        .body(v.to_string())
}

fn cookie<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A state-changing request that would be authenticated by the session cookie must carry the
/// CSRF token derived from that session. Requests with an Authorization header are not
/// affected: browsers never attach one cross-site on their own.
fn csrf_ok(req: &Request) -> bool {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return true;
    }
    if req.headers().contains_key(header::AUTHORIZATION) || req.headers().contains_key("X-Api-Key")
    {
        return true;
    }
    let Some(session) = cookie(req, SESSION_COOKIE).filter(|s| !s.is_empty()) else {
        return true;
    };
    let expected = token::csrf_for(session);
    let sent = req.header(CSRF_HEADER).unwrap_or("");
    token::constant_time_eq(sent.as_bytes(), expected.as_bytes())
}

fn secure_headers(path: &str, resp: &mut Response) {
    let h = resp.headers_mut();
    // The API docs page too: it loads Swagger UI from files (see `api::docs`).
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        "Cross-Origin-Opener-Policy",
        HeaderValue::from_static("same-origin"),
    );
    if h.contains_key(header::CACHE_CONTROL) {
        // A route that chose its own caching (company logos: private, with an ETag) keeps it.
    } else if path.starts_with("/api/") && path != "/api/openapi.json" || path == "/readyz" {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    } else {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
}

/// The longest `X-Request-Id` or `X-CSRF-Token` the API takes. A shorter request id that is not
/// safe to log is replaced by a fresh one; a longer value of either is refused, as the document
/// states.
pub const HEADER_VALUE_MAX: usize = 1024;

/// The documented header of an API request whose value is too long, if any.
fn over_long_header(req: &Request) -> Option<&'static str> {
    if !req.uri().path().starts_with("/api/") {
        return None;
    }
    [REQUEST_ID_HEADER, CSRF_HEADER].into_iter().find(|name| {
        req.headers()
            .get_all(*name)
            .iter()
            .any(|v| v.len() > HEADER_VALUE_MAX)
    })
}

/// The answer to a request holding a NUL (`nul_input`) at `field`.
fn nul_refused(field: String) -> Response {
    json_error(
        StatusCode::BAD_REQUEST,
        ErrorBody {
            message: format!("{field}: must not contain control characters"),
            field: Some(field),
            ..ErrorBody::new(ErrorCode::Invalid, "")
        },
    )
}

/// Wraps the whole app.
pub async fn around<E: Endpoint>(next: E, req: Request) -> poem::Result<Response> {
    let request_id = req
        .header(REQUEST_ID_HEADER)
        .filter(|v| {
            (1..=64).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let span =
        tracing::info_span!("request", request_id = %request_id, method = %method, path = %path);
    let metrics = req.data::<AppState>().map(|s| s.metrics.clone());
    let routes = req.data::<ApiRoutes>().cloned();
    let started = Instant::now();
    // The route that matched (its pattern, not the raw path), for the metrics.
    let mut pattern: Option<PathPattern> = None;
    let mut resp = async {
        if let Some(name) = over_long_header(&req) {
            return json_error(
                StatusCode::BAD_REQUEST,
                ErrorBody {
                    message: format!("{name}: must have at most {HEADER_VALUE_MAX} characters"),
                    field: Some(name.into()),
                    ..ErrorBody::new(ErrorCode::Invalid, "")
                },
            );
        }
        if let Some(field) = crate::nul_input::in_url(req.uri().path(), req.uri().query()) {
            return nul_refused(field);
        }
        if !csrf_ok(&req) {
            return json_error(
                StatusCode::FORBIDDEN,
                ErrorBody::new(ErrorCode::Csrf, format!("missing or wrong {CSRF_HEADER} header; read it from the {CSRF_COOKIE} cookie")),
            );
        }
        let req = match limit_body(req).await {
            Ok(req) => req,
            Err(resp) => return resp,
        };
        let resp = match next.call(req).await {
            Ok(r) => r.into_response(),
            Err(e) if e.is_from_response() => e.into_response(),
            Err(e) => {
                pattern = e.data::<PathPattern>().cloned();
                error_response(e)
            }
        };
        if pattern.is_none() {
            pattern = resp.data::<PathPattern>().cloned();
        }
        resp
    }
    .instrument(span.clone())
    .await;
    if let Some(replaced) = normalize_errors(&resp, &path) {
        resp = replaced;
    }
    if resp.status() == StatusCode::METHOD_NOT_ALLOWED
        && !resp.headers().contains_key(header::ALLOW)
    {
        // Routes outside the API document (pages, static files, the spec, the docs, company
        // logos) answer only reads.
        let allow = match routes {
            Some(r) if path.starts_with("/api/v1/") => r
                .allowed_methods(&path)
                .or_else(|| Some("GET, HEAD".to_string())),
            _ => Some("GET, HEAD".to_string()),
        };
        if let Some(v) = allow.and_then(|a| HeaderValue::from_str(&a).ok()) {
            resp.headers_mut().insert(header::ALLOW, v);
        }
    }
    secure_headers(&path, &mut resp);
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        resp.headers_mut().insert(REQUEST_ID_HEADER, v);
    }
    let status = resp.status().as_u16();
    let elapsed = started.elapsed();
    if let Some(m) = metrics {
        m.observe_request(pattern.map(|p| p.0), &method, status, elapsed);
    }
    let elapsed_ms = elapsed.as_secs_f64() * 1000.0;
    span.in_scope(|| tracing::info!(status, elapsed_ms = format!("{elapsed_ms:.2}"), "handled"));
    Ok(resp)
}

/// Bare 404/405 answers from the router get the JSON error shape under `/api`, and 405s get
/// an `Allow` header.
fn normalize_errors(resp: &Response, path: &str) -> Option<Response> {
    let status = resp.status();
    let bare = resp
        .content_type()
        .is_none_or(|ct| !ct.starts_with("application/json"));
    if !path.starts_with("/api/") || !bare {
        return None;
    }
    match status {
        StatusCode::NOT_FOUND => Some(json_error(
            status,
            ErrorBody::new(ErrorCode::NotFound, "no such route"),
        )),
        StatusCode::METHOD_NOT_ALLOWED => {
            let mut r = json_error(
                status,
                ErrorBody::new(
                    ErrorCode::MethodNotAllowed,
                    "method not allowed on this route",
                ),
            );
            if let Some(allow) = resp.headers().get(header::ALLOW) {
                r.headers_mut().insert(header::ALLOW, allow.clone());
            }
            Some(r)
        }
        _ => None,
    }
}

fn error_response(e: poem::Error) -> Response {
    let status = e.status();
    let body = match status.as_u16() {
        s if s >= 500 => crate::api::error::internal_body(&e.to_string()),
        401 => ErrorBody::new(
            ErrorCode::Unauthorized,
            "sign in or send a valid bearer token",
        ),
        404 => ErrorBody::new(ErrorCode::NotFound, "not found"),
        405 => ErrorBody::new(
            ErrorCode::MethodNotAllowed,
            "method not allowed on this route",
        ),
        413 => ErrorBody::new(ErrorCode::PayloadTooLarge, "the request body is too large"),
        // A body without `Content-Type: application/json` is bad input like any other, and
        // answers the documented 400 rather than a 415 no operation lists.
        415 => {
            let mut body = ErrorBody::new(
                ErrorCode::Invalid,
                format!(
                    "Content-Type: {e}; send the body as JSON with Content-Type: application/json"
                ),
            );
            body.field = Some("Content-Type".into());
            return json_error(StatusCode::BAD_REQUEST, body);
        }
        // Bad input refused before an operation's own handler (see `api::error`), named by
        // the error's type.
        _ => crate::api::error::input_error_body(&e),
    };
    json_error(status, body)
}

/// Refuses bodies over the configured size: at once when `Content-Length` says so, and while
/// reading a body sent without one.
/// Bodies are small (a few hundred KiB at most), so they are read here once.
async fn limit_body(mut req: Request) -> Result<Request, Response> {
    let max = req.data::<MaxBody>().map_or(usize::MAX, |m| m.0);
    let too_large = || {
        let mut resp = json_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorBody::new(
                ErrorCode::PayloadTooLarge,
                format!("the request body is larger than {max} bytes"),
            ),
        );
        // The rest of the body stays unread, so this connection cannot carry another request.
        // Say so; a client that reuses it would otherwise see its next request cut off.
        resp.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        resp
    };
    let declared = req
        .header(header::CONTENT_LENGTH)
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > max) {
        return Err(too_large());
    }
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(req);
    }
    let body = req
        .take_body()
        .into_bytes_limit(max)
        .await
        .map_err(|_| too_large())?;
    let form = req
        .content_type()
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    let nul = match form {
        true => crate::nul_input::in_form(&body),
        false => crate::nul_input::in_json(&body),
    };
    if let Some(field) = nul {
        return Err(nul_refused(field));
    }
    req.set_body(body);
    Ok(req)
}

/// The largest request body accepted, in bytes.
#[derive(Clone, Copy, Debug)]
pub struct MaxBody(pub usize);

/// A panic in a handler becomes a 500 with an error id, like any unexpected error.
pub fn panic_response(err: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let detail = err
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| err.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".into());
    json_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        crate::api::error::internal_body(&format!("panic: {detail}")),
    )
}
