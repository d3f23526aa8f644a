//! The interactive API docs at `/api/docs`, under the same kind of CSP as every other page:
//! no inline script or style. poem-openapi's own page inlines the Swagger UI bundle, its
//! stylesheet and a start-up script, which only `'unsafe-inline'` would let run. Its bundle and
//! stylesheet are served here as files instead, with a small start-up script of our own that
//! loads the document from `/api/openapi.json`.

use std::sync::OnceLock;

use poem::http::header;
use poem::{get, handler, Endpoint, Response, Route};

const PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>armario API</title>
<link rel="stylesheet" href="/api/docs/swagger-ui.css">
<script src="/api/docs/swagger-ui-bundle.js" defer></script>
<script src="/api/docs/init.js" defer></script>
</head>
<body>
<div id="ui"></div>
</body>
</html>
"#;

const INIT: &str = "// Starts Swagger UI on the published document.\n\
window.ui = SwaggerUIBundle({ dom_id: '#ui', url: '/api/openapi.json', deepLinking: true, filter: false });\n";

/// The text between `open` and the next `close` in `html`.
fn between<'a>(html: &'a str, open: &str, close: &str) -> &'a str {
    let start = html.find(open).map_or(html.len(), |i| i + open.len());
    let len = html[start..].find(close).unwrap_or(0);
    &html[start..start + len]
}

/// Swagger UI's bundle and stylesheet, taken out of poem-openapi's generated page the first time
/// the docs are asked for: a server whose docs nobody opens never holds them (about 1.4 MiB).
fn assets() -> &'static (bytes::Bytes, bytes::Bytes) {
    static ASSETS: OnceLock<(bytes::Bytes, bytes::Bytes)> = OnceLock::new();
    ASSETS.get_or_init(|| {
        // The page of an empty API: the bundle and stylesheet are the same for every API.
        let html = poem_openapi::OpenApiService::new((), "", "").swagger_ui_html();
        let js = between(&html, "<script charset=\"UTF-8\">", "</script>");
        let css = between(&html, "<style charset=\"UTF-8\">", "</style>");
        (
            bytes::Bytes::copy_from_slice(js.as_bytes()),
            bytes::Bytes::copy_from_slice(css.as_bytes()),
        )
    })
}

fn file(content_type: &'static str, body: fn() -> bytes::Bytes) -> impl Endpoint {
    get(poem::endpoint::make_sync(move |_| {
        Response::builder()
            .header(header::CONTENT_TYPE, content_type)
            .body(body())
    }))
}

#[handler]
fn page() -> Response {
    Response::builder()
        .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
        .body(PAGE)
}

/// The docs routes: the page, Swagger UI's bundle and stylesheet as files, and the start-up
/// script.
pub fn routes() -> Route {
    Route::new()
        .at("/", get(page))
        .at(
            "/swagger-ui-bundle.js",
            file("text/javascript; charset=utf-8", || assets().0.clone()),
        )
        .at(
            "/swagger-ui.css",
            file("text/css; charset=utf-8", || assets().1.clone()),
        )
        .at(
            "/init.js",
            file("text/javascript; charset=utf-8", || {
                bytes::Bytes::from_static(INIT.as_bytes())
            }),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_the_bundle_out_of_the_generated_page() {
        let html = "<style charset=\"UTF-8\">a{}</style><script charset=\"UTF-8\">var x;</script><script>inline()</script>";
        assert_eq!(
            between(html, "<style charset=\"UTF-8\">", "</style>"),
            "a{}"
        );
        assert_eq!(
            between(html, "<script charset=\"UTF-8\">", "</script>"),
            "var x;"
        );
        assert!(!PAGE.contains("<style") && !PAGE.contains("<script>"));
    }

    #[test]
    fn the_bundle_and_stylesheet_come_out_whole() {
        let (js, css) = assets();
        assert!(js.len() > 100_000 && std::str::from_utf8(js).unwrap().contains("SwaggerUIBundle"));
        assert!(css.len() > 10_000 && std::str::from_utf8(css).unwrap().contains(".swagger-ui"));
    }
}
