//! The authorization endpoint and the hosted sign-in page's steps: a checked request is kept
//! for ten minutes while its user signs in; completing it issues a single-use code valid for a
//! minute, bound to the client, the redirect URI, the PKCE challenge and the nonce.

use serde_json::json;

use crate::clock::now_ms;
use crate::crypto::token;
use crate::db;
use crate::db::oidc::{CodeRow, RequestRow};
use crate::db::Store;
use crate::domain::audit::{AuditCtx, NewAuditEvent};
use crate::domain::UserPrincipal;
use crate::error::{DomainError, DomainResult};
use crate::ids::{ApplicationId, CompanyId};
use crate::metrics::Metrics;
use crate::oidc::{pkce, scope};

use super::subject::{self, Refusal};

pub const REQUEST_TTL_MS: i64 = 10 * 60 * 1000;
pub const CODE_TTL_MS: i64 = 60 * 1000;
pub const CODE_PREFIX: &str = "arm_code_";
pub const REQUEST_PREFIX: &str = "arm_authz_";
const PARAM_MAX: usize = 2000;

/// The parameters of an authorization request, as received.
#[derive(Debug, Default, serde::Deserialize)]
pub struct AuthorizeParams {
    pub client_id: Option<String>,
    pub redirect_uri: Option<String>,
    pub response_type: Option<String>,
    pub scope: Option<String>,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub login_hint: Option<String>,
    pub prompt: Option<String>,
    /// A company's slug, to wear its branding.
    pub company: Option<String>,
    pub response_mode: Option<String>,
}

/// What the authorization endpoint answers.
pub enum Begin {
    /// Shown on armario's own error page: the client or redirect URI cannot be trusted with a
    /// redirect (RFC 6749 §4.1.2.1).
    Page(&'static str),
    /// Back to the client with an error.
    Refuse { redirect: String },
    /// On to the hosted sign-in page with this request id.
    SignIn(String),
}

/// Builds `uri?code=…&state=…` (or error parameters), keeping a query the URI already has.
pub fn redirect_with(uri: &str, params: &[(&str, &str)]) -> String {
    let mut url = match url::Url::parse(uri) {
        Ok(u) => u,
        Err(_) => return uri.to_string(),
    };
    {
        let mut q = url.query_pairs_mut();
        for (k, v) in params {
            q.append_pair(k, v);
        }
    }
    url.to_string()
}

fn refuse(uri: &str, error: &str, description: &str, state: Option<&str>, iss: &str) -> Begin {
    let mut params = vec![
        ("error", error),
        ("error_description", description),
        ("iss", iss),
    ];
    if let Some(s) = state {
        params.push(("state", s));
    }
    Begin::Refuse {
        redirect: redirect_with(uri, &params),
    }
}

/// Checks an authorization request and keeps it for the hosted page.
pub async fn begin(
    store: &Store,
    issuer: &str,
    p: AuthorizeParams,
    host_company: Option<CompanyId>,
) -> DomainResult<Begin> {
    let too_long = [
        &p.client_id,
        &p.redirect_uri,
        &p.scope,
        &p.state,
        &p.nonce,
        &p.code_challenge,
        &p.login_hint,
        &p.prompt,
        &p.company,
    ]
    .iter()
    .any(|v| v.as_ref().is_some_and(|s| s.len() > PARAM_MAX));
    if too_long {
        return Ok(Begin::Page("a parameter is too long"));
    }
    let Some(app) = p.client_id.as_deref().and_then(ApplicationId::parse) else {
        return Ok(Begin::Page("unknown client_id"));
    };
    let app2 = app.clone();
    let client = store
        .read(move |c| {
            let Some(a) = db::applications::get(c, &app2)? else {
                return Ok(None);
            };
            Ok(Some((a, db::oidc::client(c, &app2)?)))
        })
        .await?;
    let Some((application, client)) = client else {
        return Ok(Begin::Page("unknown client_id"));
    };
    let Some(client) = client else {
        return Ok(Begin::Page("the application has no OpenID client settings"));
    };
    let Some(redirect_uri) = p.redirect_uri.clone() else {
        return Ok(Begin::Page("redirect_uri is required"));
    };
    if !client.redirect_allowed(&redirect_uri) {
        return Ok(Begin::Page(
            "redirect_uri is not registered for this client",
        ));
    }
    let state = p.state.as_deref();
    if application.status != crate::domain::application::AppStatus::Active {
        return Ok(refuse(
            &redirect_uri,
            "unauthorized_client",
            "the application is disabled",
            state,
            issuer,
        ));
    }
    if p.response_type.as_deref() != Some("code") {
        return Ok(refuse(
            &redirect_uri,
            "unsupported_response_type",
            "response_type must be code",
            state,
            issuer,
        ));
    }
    if p.response_mode.as_deref().is_some_and(|m| m != "query") {
        return Ok(refuse(
            &redirect_uri,
            "invalid_request",
            "response_mode must be query",
            state,
            issuer,
        ));
    }
    let scopes = match scope::parse(p.scope.as_deref().unwrap_or("")) {
        Ok(s) => s.join(" "),
        Err(e) => return Ok(refuse(&redirect_uri, "invalid_scope", &e, state, issuer)),
    };
    let challenge = match pkce::check_challenge(
        p.code_challenge.as_deref(),
        p.code_challenge_method.as_deref(),
    ) {
        Ok(c) => c,
        Err(e) => return Ok(refuse(&redirect_uri, "invalid_request", &e, state, issuer)),
    };
    if p.prompt.as_deref() == Some("none") {
        return Ok(refuse(
            &redirect_uri,
            "login_required",
            "the user must sign in on the hosted page",
            state,
            issuer,
        ));
    }
    // The company whose branding the page wears: named outright, by the hinted address's
    // account, or by the host the request came to.
    let slug = p.company.clone();
    // Addresses are stored lowercased and found by their keyed index, which matches exact bytes.
    let hint = p.login_hint.as_deref().map(str::to_lowercase);
    let company = store
        .read(move |c| {
            if let Some(slug) = slug {
                return db::links::company_by_slug(c, &slug);
            }
            if let Some(hint) = hint {
                if let Some((user, _)) = db::users::find_for_login(c, &hint)? {
                    return Ok(user.company_id);
                }
            }
            Ok(host_company)
        })
        .await?;
    let (id, _) = token::generate(REQUEST_PREFIX);
    let now = now_ms();
    let row = RequestRow {
        id: id.clone(),
        application_id: app,
        redirect_uri,
        scope: scopes,
        state: p.state,
        nonce: p.nonce,
        code_challenge: challenge,
        company_id: company,
        login_hint: p.login_hint,
        prompt: p.prompt,
        expires_at: now + REQUEST_TTL_MS,
    };
    store
        .write(move |tx| db::oidc::insert_request(tx, &row, now))
        .await?;
    Ok(Begin::SignIn(id))
}

/// What the hosted page shows about a pending request.
pub struct Pending {
    pub request: RequestRow,
    pub application_name: String,
    pub company: Option<crate::domain::company::Company>,
}

pub async fn describe(store: &Store, id: String) -> DomainResult<Pending> {
    store
        .read(move |c| {
            let request = db::oidc::request(c, &id, now_ms())?
                .ok_or(DomainError::NotFound("authorization request"))?;
            let app = db::applications::get(c, &request.application_id)?
                .ok_or(DomainError::NotFound("authorization request"))?;
            let company = match &request.company_id {
                Some(cid) => db::companies::get(c, cid)?,
                None => None,
            };
            Ok(Pending {
                request,
                application_name: app.name,
                company,
            })
        })
        .await
}

/// The outcome of completing a request for the signed-in user.
pub enum Completion {
    /// Back to the application with a code.
    Redirect(String),
    /// The user must first agree to these scopes.
    ConsentRequired(Vec<String>),
    /// The user may not sign in to this application.
    Refused(Refusal),
}

/// Issues the code for a signed-in user, once their tenancy and consent are in order.
pub async fn complete(
    store: &Store,
    metrics: &Metrics,
    issuer: String,
    id: String,
    who: UserPrincipal,
    consent: bool,
) -> DomainResult<Completion> {
    let ctx = AuditCtx {
        actor: crate::domain::audit::Actor::User(who.user_id.clone()),
        ip: who.ip.clone(),
    };
    let (code, hash) = token::generate(CODE_PREFIX);
    let out = store
        .write(move |tx| {
            let now = now_ms();
            let request = db::oidc::request(tx, &id, now)?
                .ok_or(DomainError::NotFound("authorization request"))?;
            let app = request.application_id.clone();
            let subject = match subject::check(tx, &who.user_id, &app)? {
                Ok(s) => s,
                Err(refusal) => {
                    let event = NewAuditEvent::new("oidc.sign_in_refused")
                        .target("application", &app)
                        .details(json!({ "reason": refusal.as_str() }));
                    let event = match &who.company_id {
                        Some(c) => event.company(c),
                        None => event,
                    };
                    db::audit::insert(tx, &ctx, &event, now)?;
                    return Ok(Completion::Refused(refusal));
                }
            };
            if request
                .company_id
                .as_ref()
                .is_some_and(|c| *c != subject.company_id)
            {
                return Err(DomainError::Forbidden(
                    "this sign-in is for another company: sign in with an account of that company"
                        .into(),
                ));
            }
            let granted = db::oidc::consent(tx, &who.user_id, &app)?;
            let missing: Vec<String> = scope::needs_consent(&request.scope, &granted)
                .into_iter()
                .map(String::from)
                .collect();
            if !missing.is_empty() {
                if !consent {
                    return Ok(Completion::ConsentRequired(missing));
                }
                let mut all: Vec<&str> = granted.split(' ').filter(|s| !s.is_empty()).collect();
                all.extend(missing.iter().map(String::as_str));
                db::oidc::put_consent(tx, &who.user_id, &app, &all.join(" "), now)?;
            }
            let row = CodeRow {
                application_id: app.clone(),
                user_id: who.user_id.clone(),
                company_id: subject.company_id.clone(),
                redirect_uri: request.redirect_uri.clone(),
                scope: request.scope.clone(),
                nonce: request.nonce.clone(),
                code_challenge: request.code_challenge.clone(),
                auth_time: now / 1000,
                expires_at: now + CODE_TTL_MS,
                used_at: None,
                family_id: None,
                access: None,
            };
            db::oidc::insert_code(tx, &hash, &row, now)?;
            db::oidc::delete_request(tx, &request.id)?;
            let event = NewAuditEvent::new("oidc.sign_in")
                .company(&subject.company_id)
                .target("application", &app)
                .details(json!({ "scope": request.scope }));
            db::audit::insert(tx, &ctx, &event, now)?;
            let mut params = vec![("code", code.as_str()), ("iss", issuer.as_str())];
            if let Some(s) = request.state.as_deref() {
                params.push(("state", s));
            }
            Ok(Completion::Redirect(redirect_with(
                &request.redirect_uri,
                &params,
            )))
        })
        .await?;
    match &out {
        Completion::Redirect(_) => metrics.oidc("sign_in"),
        Completion::Refused(_) => metrics.oidc("sign_in_refused"),
        Completion::ConsentRequired(_) => {}
    }
    Ok(out)
}

/// The user said no: back to the application with `access_denied`.
pub async fn deny(store: &Store, issuer: String, id: String) -> DomainResult<String> {
    store
        .write(move |tx| {
            let request = db::oidc::request(tx, &id, now_ms())?
                .ok_or(DomainError::NotFound("authorization request"))?;
            db::oidc::delete_request(tx, &request.id)?;
            let mut params = vec![
                ("error", "access_denied"),
                ("error_description", "the user declined"),
                ("iss", issuer.as_str()),
            ];
            if let Some(s) = request.state.as_deref() {
                params.push(("state", s));
            }
            Ok(redirect_with(&request.redirect_uri, &params))
        })
        .await
}
