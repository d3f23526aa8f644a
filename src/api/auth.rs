//! How callers prove who they are: a session token as `Authorization: Bearer …` or the
//! `armario_session` cookie set at sign-in (the web UI). Handlers turn these into a domain
//! principal with [`UserAuth::user`].

use poem::{FromRequest, Request, RequestBody};
use poem_openapi::auth::{ApiKey, Bearer};
use poem_openapi::SecurityScheme;

use crate::access::{CompanyScope, Level, Owner};
use crate::api::error::ApiResult;
use crate::domain::UserPrincipal;
use crate::ids::CompanyId;
use crate::service::{auth, AppState};

pub const SESSION_COOKIE: &str = "armario_session";
pub const CSRF_COOKIE: &str = "armario_csrf";
pub const CSRF_HEADER: &str = "X-CSRF-Token";

/// A session token in the Authorization header.
#[derive(SecurityScheme)]
#[oai(ty = "bearer")]
pub struct SessionBearer(pub Bearer);

/// The session cookie set by sign-in. State-changing requests that use it must send the
/// `X-CSRF-Token` header with the value of the `armario_csrf` cookie.
#[derive(SecurityScheme)]
#[oai(ty = "api_key", key_name = "armario_session", key_in = "cookie")]
pub struct SessionCookie(pub ApiKey);

/// A signed-in user, by bearer token or session cookie.
#[derive(SecurityScheme)]
pub enum UserAuth {
    Bearer(SessionBearer),
    Cookie(SessionCookie),
}

impl UserAuth {
    pub fn token(&self) -> &str {
        match self {
            Self::Bearer(b) => &b.0.token,
            Self::Cookie(c) => &c.0.key,
        }
    }

    /// Resolves the session to its user, or answers 401.
    pub async fn user(&self, state: &AppState, caller: &Caller) -> ApiResult<UserPrincipal> {
        Ok(auth::authenticate(&state.store, self.token(), caller.ip.clone()).await?)
    }

    /// Like [`Self::user`], but also for a user whom a policy requires to set up two-factor
    /// sign-in and who has not yet: only for reading oneself, signing out and the set-up.
    pub async fn user_enrolling(
        &self,
        state: &AppState,
        caller: &Caller,
    ) -> ApiResult<UserPrincipal> {
        Ok(auth::authenticate_enrolling(&state.store, self.token(), caller.ip.clone()).await?)
    }

    /// Resolves the session and proves that it may act on `company` at level `L`: another
    /// company is 404, a role below `L` on one's own company 403.
    pub async fn company<L: Level>(
        &self,
        state: &AppState,
        caller: &Caller,
        company: CompanyId,
    ) -> ApiResult<CompanyScope<L>> {
        Ok(CompanyScope::check(
            &self.user(state, caller).await?,
            company,
        )?)
    }

    /// Resolves the session to the platform owner: 401 without a session, 403 for anyone else.
    pub async fn owner(&self, state: &AppState, caller: &Caller) -> ApiResult<Owner> {
        Ok(Owner::check(&self.user(state, caller).await?)?)
    }
}

/// Facts about the request that services record: the client's IP and user agent.
#[derive(Clone, Debug, Default)]
pub struct Caller {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The language `Accept-Language` names, if it names pt-BR or English.
    pub language: Option<crate::domain::language::Lang>,
}

impl From<Caller> for crate::service::auth::Origin {
    fn from(c: Caller) -> Self {
        Self {
            ip: c.ip,
            user_agent: c.user_agent,
            language: c.language,
        }
    }
}

/// Set on the request by the server when proxy headers are trusted.
#[derive(Clone, Copy)]
pub struct TrustProxy(pub bool);

impl<'a> FromRequest<'a> for Caller {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        let trust_proxy = req.data::<TrustProxy>().is_some_and(|t| t.0);
        let forwarded = trust_proxy
            .then(|| req.header("X-Forwarded-For"))
            .flatten()
            .and_then(|v| v.rsplit(',').next())
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty());
        let ip = forwarded.or_else(|| {
            req.remote_addr()
                .as_socket_addr()
                .map(|a| a.ip().to_string())
        });
        let user_agent = req
            .header("User-Agent")
            .map(|v| v.chars().take(256).collect());
        let language = crate::api::language::named(req.header(poem::http::header::ACCEPT_LANGUAGE));
        Ok(Self {
            ip,
            user_agent,
            language,
        })
    }
}
