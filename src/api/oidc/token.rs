//! The token, revocation, introspection and userinfo endpoints.

use base64::Engine;
use poem::http::{header, StatusCode};
use poem::web::{Data, Form, Json};
use poem::{handler, IntoResponse, Request, Response};
use serde::Deserialize;
use serde_json::json;

use crate::api::auth::Caller;
use crate::service::oidc::client_auth::{self, Client, Presented};
use crate::service::oidc::grants::{self, OAuthError, TokenParams};
use crate::service::oidc::inspect;
use crate::service::AppState;

/// Tokens and what is said about them are never cached (RFC 6749 §5.1).
fn no_store(mut resp: Response) -> Response {
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    resp
}

/// An OAuth error answer (RFC 6749 §5.2), never cached.
fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let mut resp = no_store(
        (
            status,
            Json(json!({ "error": error, "error_description": description })),
        )
            .into_response(),
    );
    if status == StatusCode::UNAUTHORIZED {
        resp.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            "Basic realm=\"armario\"".parse().expect("a header value"),
        );
    }
    resp
}

fn server_error(e: crate::error::DomainError) -> Response {
    crate::api::statuses::ActionErrors::from(e).into_response()
}

/// `Authorization: Basic` with the id and secret form-urlencoded, as RFC 6749 §2.3.1 says.
fn basic(req: &Request) -> Option<(String, String)> {
    let raw = req.header(header::AUTHORIZATION)?.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(raw.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    let un = |s: &str| {
        url::form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
    };
    Some((un(id)?, un(secret)?))
}

/// The form fields every client-authenticated endpoint takes.
#[derive(Debug, Default, Deserialize)]
pub struct ClientForm {
    client_id: Option<String>,
    client_secret: Option<String>,
    client_assertion_type: Option<String>,
    client_assertion: Option<String>,
}

async fn client(
    req: &Request,
    state: &AppState,
    caller: &Caller,
    form: &ClientForm,
) -> Result<Client, Response> {
    let presented = Presented {
        basic: basic(req),
        client_id: form.client_id.clone(),
        client_secret: form.client_secret.clone(),
        assertion_type: form.client_assertion_type.clone(),
        assertion: form.client_assertion.clone(),
    };
    let endpoint = state.oidc.endpoint("/oauth2/token");
    match client_auth::authenticate(
        &state.store,
        &state.directory,
        &endpoint,
        state.oidc.issuer(),
        caller.ip.clone(),
        presented,
    )
    .await
    {
        Ok(Ok(c)) => Ok(c),
        Ok(Err(refused)) => Err(oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            refused.0,
        )),
        Err(e) => Err(server_error(e)),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct TokenForm {
    #[serde(flatten)]
    client: ClientForm,
    #[serde(flatten)]
    grant: TokenParams,
}

fn answer(
    result: crate::error::DomainResult<Result<grants::TokenResponse, OAuthError>>,
) -> Response {
    match result {
        Ok(Ok(t)) => no_store(Json(t).into_response()),
        Ok(Err(e)) => oauth_error(StatusCode::BAD_REQUEST, e.error, &e.description),
        Err(e) => server_error(e),
    }
}

/// `POST /oauth2/token`.
#[handler]
pub async fn token_endpoint(
    req: &Request,
    form: Result<Form<TokenForm>, poem::Error>,
    state: Data<&AppState>,
    caller: Caller,
) -> Response {
    let Ok(Form(form)) = form else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "the body must be application/x-www-form-urlencoded",
        );
    };
    let client = match client(req, &state, &caller, &form.client).await {
        Ok(c) => c,
        Err(resp) => return resp,
    };
    let (oidc, metrics) = (&state.oidc, &state.metrics);
    match form.grant.grant_type.as_deref() {
        Some("authorization_code") => answer(
            grants::authorization_code(&state.store, oidc, metrics, client, form.grant).await,
        ),
        Some("refresh_token") => {
            answer(grants::refresh_token(&state.store, oidc, metrics, client, form.grant).await)
        }
        Some("client_credentials") => answer(grants::client_credentials(oidc, metrics, &client)),
        Some(_) => oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "grant_type must be authorization_code, refresh_token or client_credentials",
        ),
        None => oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "grant_type is required",
        ),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct TokenOnlyForm {
    #[serde(flatten)]
    client: ClientForm,
    token: Option<String>,
    #[allow(dead_code)]
    token_type_hint: Option<String>,
}

async fn token_form(
    req: &Request,
    form: Result<Form<TokenOnlyForm>, poem::Error>,
    state: &AppState,
    caller: &Caller,
) -> Result<(Client, String), Response> {
    let Ok(Form(form)) = form else {
        return Err(oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "the body must be application/x-www-form-urlencoded",
        ));
    };
    let client = client(req, state, caller, &form.client).await?;
    match form.token.filter(|t| !t.is_empty() && t.len() <= 8192) {
        Some(t) => Ok((client, t)),
        None => Err(oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "token is required",
        )),
    }
}

/// `POST /oauth2/revoke` (RFC 7009): 200 whatever the token was.
#[handler]
pub async fn revoke(
    req: &Request,
    form: Result<Form<TokenOnlyForm>, poem::Error>,
    state: Data<&AppState>,
    caller: Caller,
) -> Response {
    let (client, token) = match token_form(req, form, &state, &caller).await {
        Ok(v) => v,
        Err(resp) => return resp,
    };
    match inspect::revoke(&state.store, &state.oidc, &state.metrics, &client, &token).await {
        Ok(()) => StatusCode::OK.into_response(),
        Err(e) => server_error(e),
    }
}

/// `POST /oauth2/introspect` (RFC 7662).
#[handler]
pub async fn introspect(
    req: &Request,
    form: Result<Form<TokenOnlyForm>, poem::Error>,
    state: Data<&AppState>,
    caller: Caller,
) -> Response {
    let (client, token) = match token_form(req, form, &state, &caller).await {
        Ok(v) => v,
        Err(resp) => return resp,
    };
    match inspect::introspect(&state.store, &state.oidc, &client, &token).await {
        Ok(v) => no_store(Json(v).into_response()),
        Err(e) => server_error(e),
    }
}

/// `GET|POST /oauth2/userinfo` with the access token as a bearer.
#[handler]
pub async fn userinfo(req: &Request, state: Data<&AppState>) -> Response {
    let bearer = req
        .header(header::AUTHORIZATION)
        .and_then(|h| h.strip_prefix("Bearer "))
        .map(str::trim);
    let Some(jwt) = bearer else {
        return invalid_token("send the access token as a bearer");
    };
    match inspect::userinfo(&state.store, &state.oidc, jwt).await {
        Ok(v) => Json(v).into_response(),
        Err(crate::error::DomainError::Unauthorized(m)) => invalid_token(&m),
        Err(e) => server_error(e),
    }
}

/// RFC 6750 §3: the reason in `WWW-Authenticate`.
fn invalid_token(description: &str) -> Response {
    let value = format!(
        "Bearer error=\"invalid_token\", error_description=\"{}\"",
        description.replace('"', "'")
    );
    let mut resp = (
        StatusCode::UNAUTHORIZED,
        Json(json!({ "error": "invalid_token", "error_description": description })),
    )
        .into_response();
    if let Ok(v) = value.parse() {
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    resp
}
