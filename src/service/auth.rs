//! Sign-in, sessions, sign-out and password changes.

use serde_json::json;

use crate::clock::now_ms;
use crate::crypto::Passwords;
use crate::crypto::{token, SecretString};
use crate::db;
use crate::db::Store;
use crate::domain::audit::{Actor, AuditCtx, NewAuditEvent};
use crate::domain::company::CompanyStatus;
use crate::domain::session::needs_touch;
use crate::domain::user::{User, UserStatus};
use crate::domain::UserPrincipal;
use crate::error::{DomainError, DomainResult};
use crate::metrics::{Metrics, SignInFailure};
use crate::service::throttle::LoginThrottle;

/// What signing in touches, and nothing else: the store, password hashing, the lock-out
/// counters, the sign-in metrics and how long a session lasts. Nobody is signed in yet, so
/// there is no capability to take; the handles are the limit.
#[derive(Clone)]
pub struct SignIn {
    pub(crate) store: Store,
    pub(crate) passwords: Passwords,
    pub(crate) throttle: std::sync::Arc<LoginThrottle>,
    pub(crate) metrics: std::sync::Arc<Metrics>,
    pub(crate) session_ttl_secs: u64,
    /// Opens the sealed TOTP secrets.
    pub(crate) sealer: std::sync::Arc<crate::crypto::Sealer>,
    pub(crate) mfa_throttle: std::sync::Arc<crate::service::throttle::MfaThrottle>,
}

/// Where a sign-in comes from: the address and browser recorded with the session, and the
/// language the person uses, which their e-mail will then be written in.
#[derive(Clone, Debug, Default)]
pub struct Origin {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub language: Option<crate::domain::language::Lang>,
}

pub struct LoginOutcome {
    pub token: String,
    pub expires_at: i64,
    pub user: User,
}

/// Where a passed first factor leads: a session, or the second step when the user has a
/// second factor.
pub enum SignInStep {
    Session(LoginOutcome),
    SecondFactor(Challenge),
}

/// The second step's challenge: send it back with a code to `/auth/mfa/verify`.
pub struct Challenge {
    pub token: String,
    pub expires_at: i64,
}

/// How long the second step may take.
pub const CHALLENGE_TTL_MS: i64 = 5 * 60 * 1000;

const BAD_CREDENTIALS: &str = "invalid e-mail or password";

/// Signs in with e-mail and password, and counts the outcome for the metrics.
#[tracing::instrument(skip_all)]
pub async fn login(
    sign_in: &SignIn,
    email: &str,
    password: &SecretString,
    from: Origin,
) -> DomainResult<SignInStep> {
    let result = attempt_login(sign_in, email, password, from).await;
    match &result {
        Ok(_) => sign_in.metrics.sign_in_succeeded(),
        Err(e) => sign_in.metrics.sign_in_failed(match e {
            DomainError::Unauthorized(_) => SignInFailure::Credentials,
            DomainError::TooManyRequests { .. } => SignInFailure::Throttled,
            DomainError::Forbidden(_) => SignInFailure::Inactive,
            _ => SignInFailure::Error,
        }),
    }
    result
}

async fn attempt_login(
    sign_in: &SignIn,
    email: &str,
    password: &SecretString,
    from: Origin,
) -> DomainResult<SignInStep> {
    let ip = from.ip.clone();
    let email = email.trim().to_lowercase();
    throttle_gate(sign_in, &email, ip.as_deref()).await?;
    let lookup = email.clone();
    let found = sign_in
        .store
        .read(move |c| db::users::find_for_login(c, &lookup))
        .await?;
    let (user, hash) = match found {
        Some((u, h)) => (Some(u), Some(h)),
        None => (None, None),
    };
    let ok = sign_in.passwords.verify(password, hash).await;
    let Some(user) = user.filter(|_| ok) else {
        sign_in
            .throttle
            .record_failure(&email, ip.as_deref())
            .await?;
        let ctx = AuditCtx {
            actor: Actor::Anonymous,
            ip: ip.clone(),
        };
        sign_in
            .store
            .write(move |tx| {
                let event =
                    NewAuditEvent::new("auth.login_failed").details(json!({ "email": email }));
                db::audit::insert(tx, &ctx, &event, now_ms())
            })
            .await?;
        return Err(DomainError::Unauthorized(BAD_CREDENTIALS.into()));
    };
    // The password was right, so saying why the account cannot sign in reveals nothing new.
    ensure_may_sign_in(&sign_in.store, &user).await?;
    sign_in
        .throttle
        .record_success(&email, ip.as_deref())
        .await?;
    pass_first_factor(sign_in, user, from, "auth.login").await
}

/// Every first factor (password, console link, and any added later) ends here, never in
/// `start_session` directly: a user with a confirmed second factor gets a challenge instead of
/// a session, and only `second_step` turns that into a session.
pub(crate) async fn pass_first_factor(
    sign_in: &SignIn,
    user: User,
    from: Origin,
    action: &'static str,
) -> DomainResult<SignInStep> {
    let id = user.id.clone();
    if !sign_in
        .store
        .read(move |c| db::mfa::enabled(c, &id))
        .await?
    {
        return Ok(SignInStep::Session(
            start_session(sign_in, user, from, action).await?,
        ));
    }
    let (challenge, hash) = token::generate(token::MFA_PREFIX);
    let now = now_ms();
    let expires_at = now + CHALLENGE_TTL_MS;
    let ctx = AuditCtx {
        actor: Actor::User(user.id.clone()),
        ip: from.ip,
    };
    sign_in
        .store
        .write(move |tx| {
            db::mfa::insert_challenge(tx, &hash, &user.id, action, expires_at, now)?;
            let mut event = NewAuditEvent::new("auth.mfa_challenged")
                .target("user", &user.id)
                .details(json!({ "first_factor": action }));
            event.company_id = user.company_id.clone();
            db::audit::insert(tx, &ctx, &event, now)
        })
        .await?;
    Ok(SignInStep::SecondFactor(Challenge {
        token: challenge,
        expires_at,
    }))
}

/// The second step: a live challenge and a right code (TOTP or recovery) open the session the
/// first factor asked for. A wrong code leaves the challenge for another try (throttled); a
/// right one uses it up.
pub async fn second_step(
    sign_in: &SignIn,
    challenge: &str,
    factor: crate::service::mfa::SecondFactor<'_>,
    from: Origin,
) -> DomainResult<LoginOutcome> {
    let invalid = || {
        DomainError::Unauthorized(
            "the sign-in challenge is invalid, used or expired; sign in again".into(),
        )
    };
    let challenge = challenge.trim();
    if !token::well_formed(challenge, token::MFA_PREFIX) {
        return Err(invalid());
    }
    let hash = token::digest(challenge);
    let (user_id, action) = sign_in
        .store
        .read(move |c| db::mfa::find_challenge(c, &hash, now_ms()))
        .await?
        .ok_or_else(invalid)?;
    crate::service::mfa::check_code(sign_in, &user_id, from.ip.as_deref(), factor, false).await?;
    let hash = token::digest(challenge);
    let id = user_id.clone();
    let user = sign_in
        .store
        .write(move |tx| {
            if !db::mfa::take_challenge(tx, &hash)? {
                return Ok(None);
            }
            db::users::get(tx, &id)
        })
        .await?
        .ok_or_else(invalid)?;
    // The account may have been disabled while the code was being typed.
    ensure_may_sign_in(&sign_in.store, &user).await?;
    let action = FIRST_FACTORS
        .iter()
        .find(|a| **a == action)
        .copied()
        .unwrap_or("auth.login");
    start_session(sign_in, user, from, action).await
}

/// The audit actions of the first factors, as stored with a challenge.
const FIRST_FACTORS: &[&str] = &["auth.login", "auth.login_link"];

/// Refuses a pending or disabled user, or one whose company is not active.
pub(crate) async fn ensure_may_sign_in(store: &Store, user: &User) -> DomainResult<()> {
    match user.status {
        UserStatus::Active => {}
        UserStatus::Pending => {
            return Err(DomainError::Forbidden(
                "this account is waiting for approval".into(),
            ))
        }
        UserStatus::Disabled => {
            return Err(DomainError::Forbidden("this account is disabled".into()))
        }
    }
    if let Some(company_id) = user.company_id.clone() {
        let company = store
            .read(move |c| db::companies::get(c, &company_id))
            .await?
            .ok_or(DomainError::NotFound("company"))?;
        match company.status {
            CompanyStatus::Active => {}
            CompanyStatus::Pending => {
                return Err(DomainError::Forbidden(
                    "your company is waiting for approval".into(),
                ))
            }
            _ => {
                return Err(DomainError::Forbidden(
                    "your company's access is suspended".into(),
                ))
            }
        }
    }
    Ok(())
}

/// Refuses a throttled (account, IP) pair or IP with 429; otherwise waits the account's
/// bounded backoff, so failures from elsewhere slow the account down but never shut it out.
async fn throttle_gate(sign_in: &SignIn, email: &str, ip: Option<&str>) -> DomainResult<()> {
    match sign_in.throttle.check(email, ip).await? {
        Err(wait) => Err(DomainError::TooManyRequests {
            retry_after_secs: wait,
        }),
        Ok(delay) if !delay.is_zero() => {
            tokio::time::sleep(delay).await;
            Ok(())
        }
        Ok(_) => Ok(()),
    }
}

/// Opens a session for a user who proved who they are, audited as `action`. Private: first
/// factors go through [`pass_first_factor`].
async fn start_session(
    sign_in: &SignIn,
    user: User,
    from: Origin,
    action: &'static str,
) -> DomainResult<LoginOutcome> {
    let Origin {
        ip,
        user_agent,
        language,
    } = from;
    let (session_token, hash) = token::generate(token::SESSION_PREFIX);
    let now = now_ms();
    let expires_at = now + sign_in.session_ttl_secs as i64 * 1000;
    let ctx = AuditCtx {
        actor: Actor::User(user.id.clone()),
        ip: ip.clone(),
    };
    let u = user.clone();
    sign_in
        .store
        .write(move |tx| {
            db::sessions::insert(
                tx,
                &db::sessions::NewSession {
                    id: &crate::ids::SessionId::generate(),
                    hash: &hash,
                    user_id: &u.id,
                    expires_at,
                    ip: ip.as_deref(),
                    user_agent: user_agent.as_deref(),
                },
                now,
            )?;
            db::users::touch_last_login(tx, &u.id, now)?;
            if let Some(language) = language {
                db::users::set_language(tx, &u.id, language)?;
            }
            let mut event = NewAuditEvent::new(action).target("user", &u.id);
            event.company_id = u.company_id.clone();
            db::audit::insert(tx, &ctx, &event, now)
        })
        .await?;
    let mut user = user;
    user.last_login_at = Some(now);
    Ok(LoginOutcome {
        token: session_token,
        expires_at,
        user,
    })
}

/// Resolves a session token to its user, or `Unauthorized`; a user whom a policy requires to
/// enrol a second factor, and who has none yet, gets `MfaEnrollmentRequired` (403).
pub async fn authenticate(
    store: &Store,
    session_token: &str,
    ip: Option<String>,
) -> DomainResult<UserPrincipal> {
    let (who, must_enrol) = resolve(store, session_token, ip).await?;
    if must_enrol {
        return Err(DomainError::MfaEnrollmentRequired);
    }
    Ok(who)
}

/// Like [`authenticate`], but lets a user who must enrol through: only for reading oneself,
/// signing out and setting up the second factor.
pub async fn authenticate_enrolling(
    store: &Store,
    session_token: &str,
    ip: Option<String>,
) -> DomainResult<UserPrincipal> {
    Ok(resolve(store, session_token, ip).await?.0)
}

async fn resolve(
    store: &Store,
    session_token: &str,
    ip: Option<String>,
) -> DomainResult<(UserPrincipal, bool)> {
    let unauthorized =
        || DomainError::Unauthorized("the session is missing, expired or revoked".into());
    if !token::well_formed(session_token, token::SESSION_PREFIX) {
        return Err(unauthorized());
    }
    let hash = token::digest(session_token);
    let now = now_ms();
    // The session, its user and the policy in one statement, on the calling task rather than
    // through the blocking pool, as every signed-in request starts here.
    let found = store
        .read_point(move |c| db::users::by_session(c, &hash, now))
        .await?;
    let (row, user, policy) = found.ok_or_else(unauthorized)?;
    let must_enrol = policy.binds(user.role) && !user.mfa_enabled;
    if !token::constant_time_eq(&row.hash, &hash) {
        return Err(unauthorized());
    }
    if needs_touch(row.last_seen_at, now) {
        super::session_touch::record(store, hash, now);
    }
    let who = UserPrincipal {
        user_id: user.id,
        role: user.role,
        company_id: user.company_id,
        session: hash,
        ip,
    };
    Ok((who, must_enrol))
}

pub async fn logout(store: &Store, who: &UserPrincipal) -> DomainResult<()> {
    let who = who.clone();
    store
        .write(move |tx| {
            db::sessions::delete(tx, &who.session)?;
            let mut event = NewAuditEvent::new("auth.logout").target("user", &who.user_id);
            event.company_id = who.company_id.clone();
            db::audit::insert(tx, &who.audit(), &event, now_ms())
        })
        .await
}

pub async fn me(store: &Store, who: &UserPrincipal) -> DomainResult<User> {
    let id = who.user_id.clone();
    store
        .read(move |c| db::users::get(c, &id))
        .await?
        .ok_or(DomainError::NotFound("user"))
}

/// Checks the caller's own password before a change that needs it. A wrong one counts as a
/// failed sign-in, so a stolen session cannot guess it at leisure; it is a 400 naming `field`.
pub(crate) async fn check_own_password(
    sign_in: &SignIn,
    who: &UserPrincipal,
    user: &User,
    field: &str,
    password: &SecretString,
) -> DomainResult<()> {
    let id = who.user_id.clone();
    let hash = sign_in
        .store
        .read(move |c| db::users::password_hash(c, &id))
        .await?;
    let email = user.email.to_lowercase();
    let ip = who.ip.clone();
    throttle_gate(sign_in, &email, ip.as_deref()).await?;
    if !sign_in.passwords.verify(password, hash).await {
        sign_in
            .throttle
            .record_failure(&email, ip.as_deref())
            .await?;
        return Err(DomainError::invalid(field, "is not correct"));
    }
    sign_in
        .throttle
        .record_success(&email, ip.as_deref())
        .await?;
    Ok(())
}

/// Changes the caller's own password and revokes all of their sessions.
pub async fn change_password(
    sign_in: &SignIn,
    who: &UserPrincipal,
    current: &SecretString,
    new: &SecretString,
) -> DomainResult<()> {
    crate::crypto::password::validate("new_password", new)?;
    let user = me(&sign_in.store, who).await?;
    check_own_password(sign_in, who, &user, "current_password", current).await?;
    let new_hash = sign_in.passwords.hash(new).await?;
    let who = who.clone();
    sign_in
        .store
        .write(move |tx| {
            let now = now_ms();
            db::users::set_password_hash(tx, &who.user_id, &new_hash, now)?;
            let revoked = db::sessions::delete_for_user(tx, &who.user_id)?;
            let mut event = NewAuditEvent::new("user.password_changed")
                .target("user", &who.user_id)
                .details(json!({ "sessions_revoked": revoked }));
            event.company_id = who.company_id.clone();
            db::audit::insert(tx, &who.audit(), &event, now)
        })
        .await
}
