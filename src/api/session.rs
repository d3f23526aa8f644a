//! Signing in and out, the current user, password changes and the first owner's setup.

use poem::web::cookie::{Cookie, CookieJar, SameSite};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use crate::access::{CompanyScope, Member};
use serde::Deserialize;

use crate::api::auth::{Caller, UserAuth, CSRF_COOKIE, SESSION_COOKIE};
use crate::api::body::JsonBody;
use crate::api::companies::CompanyOut;
use crate::api::input::{Email, Text, PASSWORD_MAX, PERSON_NAME_MAX, TOKEN_MAX};
use crate::api::statuses::{
    PasswordErrors, PublicReadErrors, SetupErrors, SignInErrors, SignOutErrors, SignedInErrors,
};
use crate::api::time::ts;
use crate::api::users::UserOut;
use crate::api::Tag;
use crate::crypto::{token, SecretString};
use crate::service::{auth, companies, recovery, setup, AppState};

pub struct SessionApi {
    state: AppState,
}

impl SessionApi {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }

    fn set_cookies(&self, jar: &CookieJar, session_token: &str, max_age_secs: i64) {
        let secure = self.state.settings.cookie_secure;
        let mut session = Cookie::new_with_str(SESSION_COOKIE, session_token);
        session.set_http_only(true);
        session.set_same_site(SameSite::Strict);
        session.set_path("/");
        session.set_secure(secure);
        session.set_max_age(std::time::Duration::from_secs(max_age_secs.max(0) as u64));
        let mut csrf = Cookie::new_with_str(CSRF_COOKIE, token::csrf_for(session_token));
        csrf.set_same_site(SameSite::Strict);
        csrf.set_path("/");
        csrf.set_secure(secure);
        csrf.set_max_age(std::time::Duration::from_secs(max_age_secs.max(0) as u64));
        jar.add(session);
        jar.add(csrf);
    }

    /// A session, or the second step's challenge.
    pub(crate) fn answer(&self, jar: &CookieJar, step: auth::SignInStep) -> SignInAnswer {
        match step {
            auth::SignInStep::Session(out) => {
                SignInAnswer::SignedIn(Json(self.signed_in(jar, out)))
            }
            auth::SignInStep::SecondFactor(c) => {
                SignInAnswer::SecondFactor(Json(MfaChallengeOut {
                    mfa_required: true,
                    challenge: c.token,
                    expires_at: ts(c.expires_at),
                }))
            }
        }
    }

    pub(crate) fn signed_in(&self, jar: &CookieJar, out: auth::LoginOutcome) -> LoginOut {
        let ttl = (out.expires_at - crate::clock::now_ms()) / 1000;
        self.set_cookies(jar, &out.token, ttl);
        LoginOut {
            csrf_token: token::csrf_for(&out.token),
            token: out.token,
            expires_at: ts(out.expires_at),
            user: out.user.into(),
        }
    }
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginIn {
    /// E-mail address of the account.
    email: Text<{ Email::MAX }>,
    /// The account's password.
    password: Text<PASSWORD_MAX>,
}

/// A new session.
#[derive(Object)]
pub(crate) struct LoginOut {
    /// Bearer token (prefix `arm_sess_`). The same session is also set as an HttpOnly cookie.
    token: String,
    /// When the session expires.
    expires_at: chrono::DateTime<chrono::Utc>,
    /// Send this as `X-CSRF-Token` on state-changing requests made with the cookie.
    csrf_token: String,
    user: UserOut,
}

/// The first factor was right and the account has two-factor sign-in: no session yet. Send
/// `challenge` with a code to `POST /auth/mfa/verify` within five minutes.
#[derive(Object)]
pub(crate) struct MfaChallengeOut {
    /// Always true: a second factor is needed.
    mfa_required: bool,
    /// Single-use (prefix `arm_mfa_`).
    challenge: String,
    expires_at: chrono::DateTime<chrono::Utc>,
}

/// What a first factor answers.
#[derive(ApiResponse)]
pub(crate) enum SignInAnswer {
    /// Signed in.
    #[oai(status = 200)]
    SignedIn(Json<LoginOut>),
    /// A second factor is needed; no session was created.
    #[oai(status = 202)]
    SecondFactor(Json<MfaChallengeOut>),
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
struct MfaVerifyIn {
    /// The `challenge` of the sign-in's 202 answer.
    challenge: Text<TOKEN_MAX>,
    /// The 6-digit code the authenticator shows now; or give `recovery_code`.
    #[oai(skip_serializing_if_is_none)]
    code: Option<Text<{ crate::api::mfa::CODE_MAX }>>,
    /// One of the recovery codes; it works once.
    #[oai(skip_serializing_if_is_none)]
    recovery_code: Option<Text<{ crate::api::mfa::CODE_MAX }>>,
}

/// The signed-in user, and their company (absent for the platform owner).
#[derive(Object)]
struct MeOut {
    user: UserOut,
    // The user's company; absent for the platform owner. (A doc comment would wrap the
    // $ref in an allOf and make generators emit a copy of the Company model.)
    #[oai(skip_serializing_if_is_none)]
    company: Option<CompanyOut>,
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginLinkIn {
    /// The token of the link printed by `armario admin login-link` (prefix `arm_link_`).
    token: Text<TOKEN_MAX>,
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
struct PasswordChangeIn {
    current_password: Text<PASSWORD_MAX>,
    /// At least 10 characters.
    new_password: Text<PASSWORD_MAX>,
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
struct SetupIn {
    /// The token of the setup link printed at start.
    token: Text<TOKEN_MAX>,
    email: Email,
    name: Text<PERSON_NAME_MAX>,
    /// At least 10 characters.
    password: Text<PASSWORD_MAX>,
}

#[derive(Object)]
struct SetupStatus {
    /// True while no owner exists.
    needed: bool,
}

#[derive(ApiResponse)]
pub enum Created<T: poem_openapi::types::ToJSON> {
    /// Created.
    #[oai(status = 201)]
    Created(Json<T>),
}

#[derive(ApiResponse)]
pub enum NoContent {
    /// Done.
    #[oai(status = 204)]
    Done,
}

#[OpenApi(tag = "Tag::Auth")]
impl SessionApi {
    /// Sign in with e-mail and password.
    ///
    /// Returns a bearer token and sets the session cookie (HttpOnly) and the CSRF cookie. Throttled
    /// per account and per IP (429 with `Retry-After`); a wrong e-mail and a wrong password get the
    /// same answer. A pending or disabled account, or one of a company that is not active, is a
    /// 403. An account with two-factor sign-in gets a 202 with a challenge instead of a session:
    /// finish with `POST /auth/mfa/verify`.
    #[oai(path = "/auth/login", method = "post", operation_id = "login")]
    async fn login(
        &self,
        body: JsonBody<LoginIn>,
        caller: Caller,
        jar: &CookieJar,
    ) -> Result<SignInAnswer, SignInErrors> {
        let pw = SecretString::new(body.0.password);
        let out = auth::login(&self.state.sign_in(), &body.0.email, &pw, caller.into()).await?;
        Ok(self.answer(jar, out))
    }

    /// Finish a sign-in with the second factor.
    ///
    /// Takes the challenge of the first step's 202 and a current authenticator code or a
    /// recovery code; answers like a sign-in. A wrong code is a 400 naming the field and may be
    /// retried (throttled: 429 with `Retry-After`); a used or expired challenge is a 401.
    #[oai(
        path = "/auth/mfa/verify",
        method = "post",
        operation_id = "verify_mfa"
    )]
    async fn verify_mfa(
        &self,
        body: JsonBody<MfaVerifyIn>,
        caller: Caller,
        jar: &CookieJar,
    ) -> Result<Json<LoginOut>, SignInErrors> {
        use crate::service::mfa::SecondFactor;
        let b = body.0;
        let factor = match (b.code.as_deref(), b.recovery_code.as_deref()) {
            (Some(code), None) => SecondFactor::Totp(code),
            (None, Some(code)) => SecondFactor::Recovery(code),
            _ => {
                return Err(crate::error::DomainError::invalid(
                    "code",
                    "give either code or recovery_code",
                )
                .into())
            }
        };
        let out =
            auth::second_step(&self.state.sign_in(), &b.challenge, factor, caller.into()).await?;
        Ok(Json(self.signed_in(jar, out)))
    }

    /// Sign in with a one-time link.
    ///
    /// The link is printed by `armario admin login-link`; it works once, for a few minutes. The
    /// answer is the same as a sign-in's.
    #[oai(
        path = "/auth/login-link",
        method = "post",
        operation_id = "login_with_link"
    )]
    async fn login_link(
        &self,
        body: JsonBody<LoginLinkIn>,
        caller: Caller,
        jar: &CookieJar,
    ) -> Result<SignInAnswer, SignInErrors> {
        let sign_in = self.state.sign_in();
        let out = recovery::login_with_link(&sign_in, &body.0.token, caller.into()).await?;
        Ok(self.answer(jar, out))
    }

    /// Sign out.
    ///
    /// Revokes the session server-side and clears the cookies.
    #[oai(path = "/auth/logout", method = "post", operation_id = "logout")]
    async fn logout(
        &self,
        auth: UserAuth,
        caller: Caller,
        jar: &CookieJar,
    ) -> Result<NoContent, SignOutErrors> {
        let who = auth.user_enrolling(&self.state, &caller).await?;
        auth::logout(&self.state.store, &who).await?;
        self.set_cookies(jar, "", 0);
        Ok(NoContent::Done)
    }

    /// Read the signed-in user and their company.
    ///
    /// The company is absent for the platform owner. Answers also while a policy requires the
    /// user to set up two-factor sign-in first (every other route then answers 403
    /// `mfa_enrollment_required`; `user.mfa_enabled` says whether it is set up).
    #[oai(path = "/auth/me", method = "get", operation_id = "get_me")]
    async fn me(&self, auth: UserAuth, caller: Caller) -> Result<Json<MeOut>, SignedInErrors> {
        let who = auth.user_enrolling(&self.state, &caller).await?;
        let user = auth::me(&self.state.store, &who).await?;
        let company = match who.company_id.clone() {
            Some(id) => {
                let scope = CompanyScope::<Member>::check(&who, id)?;
                Some(companies::get(&self.state.store, &scope).await?.into())
            }
            None => None,
        };
        Ok(Json(MeOut {
            user: user.into(),
            company,
        }))
    }

    /// Change your own password.
    ///
    /// Needs the current password (throttled like a sign-in). Every session of the account is
    /// revoked, this one included: sign in again.
    #[oai(
        path = "/auth/password",
        method = "post",
        operation_id = "change_password"
    )]
    async fn change_password(
        &self,
        auth: UserAuth,
        caller: Caller,
        body: JsonBody<PasswordChangeIn>,
    ) -> Result<NoContent, PasswordErrors> {
        let who = auth.user(&self.state, &caller).await?;
        let current = SecretString::new(body.0.current_password);
        let new = SecretString::new(body.0.new_password);
        auth::change_password(&self.state.sign_in(), &who, &current, &new).await?;
        Ok(NoContent::Done)
    }

    /// Tell whether the first owner still has to be created.
    ///
    /// Public. The setup page uses it to choose between setup and sign-in.
    #[oai(path = "/setup", method = "get", operation_id = "get_setup_status")]
    async fn setup_status(&self) -> Result<Json<SetupStatus>, PublicReadErrors> {
        Ok(Json(SetupStatus {
            needed: !setup::owner_exists(&self.state.store).await?,
        }))
    }

    /// Create the first owner.
    ///
    /// Public, with the one-time token of the setup link printed at start. 409 once an owner
    /// exists.
    #[oai(path = "/setup", method = "post", operation_id = "create_first_owner")]
    async fn setup(
        &self,
        body: JsonBody<SetupIn>,
        caller: Caller,
    ) -> Result<Created<UserOut>, SetupErrors> {
        let b = body.0;
        let input = setup::new_owner(&b.email, &b.name, SecretString::new(b.password))?;
        let user = setup::create_first_owner(
            &self.state.store,
            &self.state.passwords,
            &b.token,
            input,
            caller.ip,
        )
        .await?;
        Ok(Created::Created(Json(user.into())))
    }
}

/// For other modules' `201 Created` and `204 No Content` answers.
pub use self::{Created as CreatedResponse, NoContent as NoContentResponse};
