//! Magic-link sign-in, for companies that switch it on. Asking answers the same, and takes the
//! same time, whatever the address; a known, active user of an active company that allows it
//! gets a single-use link valid [`MAGIC_LINK_TTL_MS`], written to the outbox in the same
//! transaction as the link. The link is bound to the browser that asked: its row keeps the
//! digest of a random nonce that only that browser holds (an HttpOnly cookie), so a link read
//! from a mailbox, a log or a shoulder signs nobody else in. A try from another browser leaves
//! the link working for the right one: the nonce cannot be guessed, and burning the link would
//! let anyone who saw it spoil it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::clock::now_ms;
use crate::crypto::{token, Sealer};
use crate::db::Db;
use crate::db::{self, Store};
use crate::domain::audit::{Actor, AuditCtx, NewAuditEvent};
use crate::domain::company::CompanyStatus;
use crate::domain::user::{User, UserStatus};
use crate::error::{DomainError, DomainResult};
use crate::mail::{self, Mail};
use crate::service::auth::{self, Origin, SignIn, SignInStep};
use crate::service::brand;
use crate::service::throttle::ResetThrottle;

/// How long a magic link works.
pub const MAGIC_LINK_TTL_MS: i64 = 15 * 60 * 1000;
/// Every request takes at least this long, so the time of the answer says nothing about
/// whether a message was queued.
const ANSWER_FLOOR: Duration = Duration::from_millis(300);

/// What magic links touch.
#[derive(Clone)]
pub struct MagicLinks {
    pub(crate) store: Store,
    pub(crate) sealer: Arc<Sealer>,
    pub(crate) mail: Arc<Mail>,
    pub(crate) throttle: Arc<ResetThrottle>,
}

/// A new browser nonce: the value for the cookie.
pub fn new_nonce() -> String {
    token::generate(token::MAGIC_NONCE_PREFIX).0
}

/// The nonce a cookie holds, if it is one of ours.
pub fn nonce_from_cookie(value: Option<&str>) -> Option<String> {
    value
        .filter(|v| token::well_formed(v, token::MAGIC_NONCE_PREFIX))
        .map(str::to_string)
}

/// Whether `user` may sign in by link now: active, in an active company that allows it. The
/// platform owner belongs to no company and never does.
fn allowed(tx: &Db, user: &User) -> DomainResult<bool> {
    if user.status != UserStatus::Active {
        return Ok(false);
    }
    let Some(company) = &user.company_id else {
        return Ok(false);
    };
    Ok(db::companies::get(tx, company)?
        .is_some_and(|c| c.status == CompanyStatus::Active && c.magic_link_sign_in))
}

/// Asks for a sign-in link for `email`, bound to the browser holding `nonce`. The answer is
/// the same for every address.
pub async fn request(
    m: &MagicLinks,
    email: &str,
    nonce: &str,
    ip: Option<String>,
) -> DomainResult<()> {
    let started = Instant::now();
    let email = email.trim().to_lowercase();
    if let Some(wait) = m.throttle.try_acquire(&email, ip.as_deref()) {
        return Err(DomainError::TooManyRequests {
            retry_after_secs: wait,
        });
    }
    let nonce_hash = token::digest(nonce);
    let sealer = m.sealer.clone();
    let (base, id_domain) = (m.mail.base_url().to_string(), m.mail.id_domain());
    let result = m
        .store
        .write(move |tx| {
            let now = now_ms();
            let mut user = db::users::find_for_login(tx, &email)?.map(|(u, _)| u);
            if let Some(u) = &user {
                if !allowed(tx, u)? {
                    user = None;
                }
            }
            let mut event =
                NewAuditEvent::new("auth.magic_link_requested").details(json!({ "email": email }));
            if let Some(user) = &user {
                let (link_token, hash) = token::generate(token::MAGIC_LINK_PREFIX);
                let row = db::magic_links::NewMagicLink {
                    hash: &hash,
                    user_id: &user.id,
                    nonce_hash: &nonce_hash,
                    expires_at: now + MAGIC_LINK_TTL_MS,
                };
                db::magic_links::insert(tx, &row, now)?;
                let link = format!("{base}/portal/magic#token={link_token}");
                let mut letter = mail::magic_letter::magic_link(
                    db::users::language(tx, &user.id)?,
                    &brand::of_user(tx, user)?,
                    &user.email,
                    &user.name,
                    &link,
                    MAGIC_LINK_TTL_MS / 60_000,
                );
                letter.company_id = user.company_id.as_ref().map(|c| c.to_string());
                mail::enqueue(tx, &sealer, &id_domain, &letter, now)?;
                event = event.target("user", &user.id);
                event.company_id = user.company_id.clone();
            }
            let ctx = AuditCtx {
                actor: Actor::Anonymous,
                ip: ip.clone(),
            };
            db::audit::insert(tx, &ctx, &event, now)
        })
        .await;
    m.mail.wake();
    tokio::time::sleep(ANSWER_FLOOR.saturating_sub(started.elapsed())).await;
    result
}

/// Why a link did not sign anyone in, for the audit log.
enum Refusal {
    UnknownOrExpired,
    OtherBrowser(User),
    NotAllowed(User),
}

/// Signs in with a magic link's token, from the browser holding `nonce`. The link is used up
/// only by a successful sign-in; every refusal is the same 400 naming `token`, is audited as
/// `auth.magic_link_failed`, and changes nothing else.
pub async fn redeem(
    m: &MagicLinks,
    sign_in: &SignIn,
    link_token: &str,
    nonce: Option<&str>,
    from: Origin,
) -> DomainResult<SignInStep> {
    let link_token = link_token.trim();
    let hash = well_formed_hash(link_token);
    let nonce_hash = nonce.map(token::digest);
    let ip = from.ip.clone();
    let outcome = m
        .store
        .write(move |tx| {
            let now = now_ms();
            let refusal = match check(tx, hash.as_ref(), nonce_hash.as_ref(), now)? {
                Ok(user) => {
                    db::magic_links::delete(tx, hash.as_ref().expect("a found link has a hash"))?;
                    return Ok(Ok(user));
                }
                Err(refusal) => refusal,
            };
            let (reason, user) = match &refusal {
                Refusal::UnknownOrExpired => ("unknown_or_expired", None),
                Refusal::OtherBrowser(u) => ("other_browser", Some(u)),
                Refusal::NotAllowed(u) => ("not_allowed", Some(u)),
            };
            let mut event =
                NewAuditEvent::new("auth.magic_link_failed").details(json!({ "reason": reason }));
            if let Some(u) = user {
                event = event.target("user", &u.id);
                event.company_id = u.company_id.clone();
            }
            let ctx = AuditCtx {
                actor: Actor::Anonymous,
                ip: ip.clone(),
            };
            db::audit::insert(tx, &ctx, &event, now)?;
            Ok(Err(()))
        })
        .await?;
    match outcome {
        // The link is a first factor: an account with a second factor still needs its code.
        Ok(user) => auth::pass_first_factor(sign_in, user, from, "auth.magic_link").await,
        Err(()) => Err(DomainError::invalid(
            "token",
            "is invalid, used, expired or was asked for in another browser; ask for a new link in this browser",
        )),
    }
}

fn well_formed_hash(link_token: &str) -> Option<token::TokenHash> {
    token::well_formed(link_token, token::MAGIC_LINK_PREFIX).then(|| token::digest(link_token))
}

/// The link's user when it is live, this browser asked for it and the user may sign in by
/// link; otherwise why not.
fn check(
    tx: &Db,
    hash: Option<&token::TokenHash>,
    nonce_hash: Option<&token::TokenHash>,
    now: i64,
) -> DomainResult<Result<User, Refusal>> {
    let Some(hash) = hash else {
        return Ok(Err(Refusal::UnknownOrExpired));
    };
    let Some(link) = db::magic_links::find_live(tx, hash, now)? else {
        return Ok(Err(Refusal::UnknownOrExpired));
    };
    let Some(user) = db::users::get(tx, &link.user_id)? else {
        return Ok(Err(Refusal::UnknownOrExpired));
    };
    let same_browser =
        nonce_hash.is_some_and(|n| token::constant_time_eq(&link.nonce_hash, &n[..]));
    if !same_browser {
        return Ok(Err(Refusal::OtherBrowser(user)));
    }
    if !allowed(tx, &user)? {
        return Ok(Err(Refusal::NotAllowed(user)));
    }
    Ok(Ok(user))
}
