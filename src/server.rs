//! Builds the application from its state and serves it until shutdown.

use std::future::Future;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use poem::endpoint::make_sync;
use poem::listener::{Acceptor, TcpAcceptor};
use poem::middleware::{CatchPanic, CookieJarManager};
use poem::{get, EndpointExt, Route, Server};

use crate::api;
use crate::api::auth::TrustProxy;
use crate::service::AppState;

/// The whole HTTP application.
pub fn app(state: AppState) -> impl poem::Endpoint {
    let api_service = api::service(&state);
    let docs = api::docs::routes();
    let trust_proxy = state.settings.trust_proxy;
    let max_body = state.settings.max_body_bytes;
    let routes = api::routes::ApiRoutes::new("/api/v1");
    // The document is made the first time it is asked for (about 1.3 MiB, and the time to
    // generate it twice at every start), then served from memory.
    let spec_text = Arc::new(OnceLock::<bytes::Bytes>::new());
    let spec_state = state.clone();
    let spec_endpoint = get(make_sync(move |_| {
        let text = spec_text.get_or_init(|| bytes::Bytes::from(api::spec_json(&spec_state)));
        poem::Response::builder()
            .content_type("application/json; charset=utf-8")
            .body(text.clone())
    }));
    let route = Route::new()
        .at("/healthz", get(api::health::healthz))
        .at("/readyz", get(api::health::readyz))
        .at("/metrics", get(api::metrics::scrape))
        .at("/api/openapi.json", spec_endpoint)
        // Images linked from the JSON answers, beside the API rather than in its document.
        .at("/api/v1/companies/:id/logo", get(api::logos::company_logo))
        .at(
            "/api/v1/app/companies/:id/logo",
            get(api::logos::app_company_logo),
        )
        .nest("/api/docs", docs)
        .nest("/api/v1", api_service);
    let route = api::oidc::routes(route);
    crate::web::routes(route)
        .with(CookieJarManager::new())
        .with(CatchPanic::new().with_handler(crate::middleware::panic_response))
        .around(crate::middleware::around)
        .around(api::language::localize_errors)
        .data(crate::metrics::RouteNames::from_templates(
            routes.templates().chain(api::oidc::PATHS.iter().copied()),
        ))
        .data(routes)
        .data(crate::middleware::MaxBody(max_body))
        .data(TrustProxy(trust_proxy))
        .data(state)
}

/// Serves on an already-bound listener until `shutdown` resolves, then lets in-flight
/// requests finish (up to 30 s).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    let acceptor = TcpAcceptor::from_tokio(listener)?;
    let addr = acceptor.local_addr();
    tracing::debug!(?addr, "serving");
    Server::new_with_acceptor(acceptor)
        .run_with_graceful_shutdown(app(state), shutdown, Some(Duration::from_secs(30)))
        .await
}
