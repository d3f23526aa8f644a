//! Magic-link sign-in from the portal's sign-in page: ask for a link by e-mail in one browser,
//! then sign in with it in that same browser.

use poem::web::cookie::{Cookie, CookieJar, SameSite};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::Deserialize;

use crate::api::auth::Caller;
use crate::api::body::JsonBody;
use crate::api::enums::ResetState;
use crate::api::input::{Email, Text, TOKEN_MAX};
use crate::api::language::Lang;
use crate::api::messages;
use crate::api::session::{SessionApi, SignInAnswer};
use crate::api::statuses::{MagicLinkRedeemErrors, MagicLinkRequestErrors};
use crate::api::Tag;
use crate::domain::validate;
use crate::service::magic_link::{self, MAGIC_LINK_TTL_MS};
use crate::service::AppState;

/// The cookie that binds a link to the browser that asked for it. HttpOnly, and sent only to
/// the magic-link routes.
pub const NONCE_COOKIE: &str = "armario_magic";
const NONCE_PATH: &str = "/api/v1/auth/magic-link";

pub struct MagicLinkApi {
    state: AppState,
}

impl MagicLinkApi {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }

    fn set_nonce(&self, jar: &CookieJar, value: &str, max_age_ms: i64) {
        let mut c = Cookie::new_with_str(NONCE_COOKIE, value);
        c.set_http_only(true);
        c.set_same_site(SameSite::Strict);
        c.set_path(NONCE_PATH);
        c.set_secure(self.state.settings.cookie_secure);
        c.set_max_age(std::time::Duration::from_millis(max_age_ms.max(0) as u64));
        jar.add(c);
    }
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
struct MagicLinkRequestIn {
    /// The account's e-mail address.
    email: Text<{ Email::MAX }>,
}

/// The request was taken. The answer is the same whether or not a message goes out.
#[derive(Object)]
struct MagicLinkRequested {
    status: ResetState,
    /// What happens next, for a person.
    message: String,
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
struct MagicLinkRedeemIn {
    /// The token from the link in the message (after `#token=`, prefix `arm_magic_`).
    token: Text<TOKEN_MAX>,
}

/// What a person reads after asking for a link, in the language the request asks for.
const MAGIC_REQUESTED: &str = "if the address may sign in by link, a message with a link is on \
                               its way; open it in this same browser: it works once, for 15 minutes";

#[derive(ApiResponse)]
enum MagicLinkRequestResponse {
    /// Taken; a message goes out if the address may sign in by link.
    #[oai(status = 202)]
    Accepted(Json<MagicLinkRequested>),
}

#[OpenApi(tag = "Tag::Auth")]
impl MagicLinkApi {
    /// Ask for a sign-in link by e-mail.
    ///
    /// For an active user of an active company that switched magic links on, a message with a
    /// single-use link valid 15 minutes is sent. The link signs in only the browser that asked:
    /// this answer sets the HttpOnly cookie `armario_magic` that redeeming needs. The answer,
    /// and the time it takes, are the same for any address. The platform owner never signs in
    /// by link. Throttled per address and per IP (429 with `Retry-After`).
    #[oai(
        path = "/auth/magic-link",
        method = "post",
        operation_id = "request_magic_link"
    )]
    async fn request(
        &self,
        body: JsonBody<MagicLinkRequestIn>,
        caller: Caller,
        jar: &CookieJar,
    ) -> Result<MagicLinkRequestResponse, MagicLinkRequestErrors> {
        let email = validate::email("email", &body.0.email)?;
        let lang = caller.language.unwrap_or(Lang::En);
        // The browser keeps one nonce, so every link it asked for works in it.
        let nonce =
            magic_link::nonce_from_cookie(jar.get(NONCE_COOKIE).as_ref().map(|c| c.value_str()))
                .unwrap_or_else(magic_link::new_nonce);
        self.set_nonce(jar, &nonce, MAGIC_LINK_TTL_MS);
        magic_link::request(&self.state.magic_links(), &email, &nonce, caller.ip).await?;
        Ok(MagicLinkRequestResponse::Accepted(Json(
            MagicLinkRequested {
                status: ResetState::SentIfKnown,
                message: messages::localize(MAGIC_REQUESTED, lang),
            },
        )))
    }

    /// Sign in with a magic link's token.
    ///
    /// Works once, within 15 minutes, and only with the `armario_magic` cookie of the browser
    /// that asked for the link. A used, expired or unknown token, or one from another browser,
    /// is a 400 naming `token` and changes nothing (a try from another browser leaves the link
    /// working in the right one). The answer is the same as a sign-in's: a session with the
    /// same cookies, or, for an account with two-factor sign-in, a 202 with the challenge for
    /// `POST /auth/mfa/verify`.
    #[oai(
        path = "/auth/magic-link/redeem",
        method = "post",
        operation_id = "redeem_magic_link"
    )]
    async fn redeem(
        &self,
        body: JsonBody<MagicLinkRedeemIn>,
        caller: Caller,
        jar: &CookieJar,
    ) -> Result<SignInAnswer, MagicLinkRedeemErrors> {
        let nonce =
            magic_link::nonce_from_cookie(jar.get(NONCE_COOKIE).as_ref().map(|c| c.value_str()));
        let step = magic_link::redeem(
            &self.state.magic_links(),
            &self.state.sign_in(),
            &body.0.token,
            nonce.as_deref(),
            caller.into(),
        )
        .await?;
        self.set_nonce(jar, "", 0);
        Ok(SessionApi::new(self.state.clone()).answer(jar, step))
    }
}
