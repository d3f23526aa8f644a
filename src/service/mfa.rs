//! Two-factor sign-in for the signed-in person: enrol a TOTP authenticator, confirm it with a
//! first code (which gives ten recovery codes, shown once), see where it stands, turn it off,
//! and get new recovery codes. Resets by the owner, a company admin or the operator, the
//! policies, and checking a code all live in `mfa_admin` and `mfa_check`.

use crate::clock::now_ms;
use crate::crypto::{token, SealContext, SecretString};
use crate::db;
use crate::db::Db;
use crate::domain::audit::NewAuditEvent;
use crate::domain::mfa;
use crate::domain::user::{Role, User};
use crate::domain::UserPrincipal;
use crate::error::{DomainError, DomainResult};
use crate::ids::UserId;
use crate::service::auth::SignIn;

pub use crate::service::mfa_check::{check_code, SecondFactor};

/// Where a user's sealed TOTP secret lives; the associated data binds it to the user.
pub fn context(user: &str) -> SealContext<'_> {
    SealContext {
        table: "user_totp",
        column: "sealed",
        row: user,
    }
}

/// Where the person's second factor stands.
pub struct MfaStatus {
    pub enabled: bool,
    /// An enrolment was started and awaits its first code.
    pub pending: bool,
    pub recovery_codes_left: i64,
    /// A policy requires a second factor of this person.
    pub required: bool,
}

/// What a new enrolment shows once: the secret, as text, as a URI and as a QR code.
pub struct Enrolment {
    pub secret: SecretString,
    pub otpauth_uri: SecretString,
    pub qr_svg: String,
}

/// Whether a policy requires a second factor of this user (owners: the platform's policy;
/// others: their company's).
pub fn required(conn: &Db, user: &User) -> DomainResult<bool> {
    let policy = match user.role {
        Role::Owner => db::mfa::policy(conn, None)?,
        _ => db::mfa::policy(conn, user.company_id.as_ref())?,
    };
    Ok(match user.role {
        Role::Owner => policy != mfa::MfaPolicy::Off,
        role => policy.binds(role),
    })
}

pub async fn status(sign_in: &SignIn, who: &UserPrincipal) -> DomainResult<MfaStatus> {
    let id = who.user_id.clone();
    sign_in
        .store
        .read(move |c| {
            let user = db::users::get(c, &id)?.ok_or(DomainError::NotFound("user"))?;
            let row = db::mfa::totp(c, &id)?;
            Ok(MfaStatus {
                enabled: row.as_ref().is_some_and(|r| r.confirmed_at.is_some()),
                pending: row.as_ref().is_some_and(|r| r.confirmed_at.is_none()),
                recovery_codes_left: db::mfa::recovery_codes_left(c, &id)?,
                required: required(c, &user)?,
            })
        })
        .await
}

/// Starts an enrolment with a fresh secret, replacing an unconfirmed one. A confirmed second
/// factor must be turned off first (409), so a stolen session cannot swap it silently.
pub async fn start(sign_in: &SignIn, who: &UserPrincipal) -> DomainResult<Enrolment> {
    let secret = mfa::new_secret();
    let b32 = mfa::base32(&secret);
    let sealed = sign_in.sealer.seal(&secret, &context(who.user_id.as_str()));
    let who2 = who.clone();
    let email = sign_in
        .store
        .write(move |tx| {
            let user = db::users::get(tx, &who2.user_id)?.ok_or(DomainError::NotFound("user"))?;
            if db::mfa::enabled(tx, &who2.user_id)? {
                return Err(DomainError::conflict(
                    "mfa",
                    "two-factor sign-in is already on; turn it off first",
                ));
            }
            let now = now_ms();
            db::mfa::put_pending(tx, &who2.user_id, &sealed.bytes, &sealed.key_id, now)?;
            let mut event = NewAuditEvent::new("mfa.enrolment_started").target("user", &user.id);
            event.company_id = user.company_id.clone();
            db::audit::insert(tx, &who2.audit(), &event, now)?;
            Ok(user.email)
        })
        .await?;
    let uri = mfa::otpauth_uri("armario", &email, &b32);
    let qr_svg = mfa::qr_svg(&uri);
    Ok(Enrolment {
        secret: SecretString::new(b32),
        otpauth_uri: SecretString::new(uri),
        qr_svg,
    })
}

/// Confirms the enrolment with a first code; returns ten recovery codes, shown only now.
pub async fn confirm(
    sign_in: &SignIn,
    who: &UserPrincipal,
    code: &str,
) -> DomainResult<Vec<String>> {
    let id = who.user_id.clone();
    let row = sign_in.store.read(move |c| db::mfa::totp(c, &id)).await?;
    match row {
        None => {
            return Err(DomainError::conflict(
                "mfa",
                "start the set-up first: no enrolment is waiting",
            ))
        }
        Some(r) if r.confirmed_at.is_some() => {
            return Err(DomainError::conflict(
                "mfa",
                "two-factor sign-in is already on",
            ))
        }
        Some(_) => {}
    }
    check_code(
        sign_in,
        &who.user_id,
        who.ip.as_deref(),
        SecondFactor::Totp(code),
        true,
    )
    .await?;
    let codes = mfa::new_recovery_codes();
    let hashes = hash_codes(&codes);
    let who = who.clone();
    sign_in
        .store
        .write(move |tx| {
            let now = now_ms();
            db::mfa::confirm(tx, &who.user_id, now)?;
            db::mfa::replace_recovery_codes(tx, &who.user_id, &hashes)?;
            let mut event = NewAuditEvent::new("mfa.enabled").target("user", &who.user_id);
            event.company_id = who.company_id.clone();
            db::audit::insert(tx, &who.audit(), &event, now)
        })
        .await?;
    Ok(codes)
}

fn hash_codes(codes: &[String]) -> Vec<token::TokenHash> {
    codes
        .iter()
        .map(|c| token::digest(&mfa::normalize_recovery_code(c)))
        .collect()
}

/// Turns the second factor off, proved by a current code or the password.
pub async fn disable(
    sign_in: &SignIn,
    who: &UserPrincipal,
    code: Option<&str>,
    password: Option<&SecretString>,
) -> DomainResult<()> {
    ensure_enabled(sign_in, &who.user_id).await?;
    match (code, password) {
        (Some(code), _) => {
            check_code(
                sign_in,
                &who.user_id,
                who.ip.as_deref(),
                SecondFactor::Totp(code),
                false,
            )
            .await?
        }
        (None, Some(pw)) => check_password(sign_in, who, pw).await?,
        (None, None) => {
            return Err(DomainError::invalid(
                "code",
                "give a current code or your password",
            ))
        }
    }
    let who = who.clone();
    sign_in
        .store
        .write(move |tx| {
            db::mfa::remove(tx, &who.user_id)?;
            let mut event = NewAuditEvent::new("mfa.disabled").target("user", &who.user_id);
            event.company_id = who.company_id.clone();
            db::audit::insert(tx, &who.audit(), &event, now_ms())
        })
        .await
}

/// Replaces the recovery codes, proved by a current code; the old ones stop working.
pub async fn regenerate(
    sign_in: &SignIn,
    who: &UserPrincipal,
    code: &str,
) -> DomainResult<Vec<String>> {
    ensure_enabled(sign_in, &who.user_id).await?;
    check_code(
        sign_in,
        &who.user_id,
        who.ip.as_deref(),
        SecondFactor::Totp(code),
        false,
    )
    .await?;
    let codes = mfa::new_recovery_codes();
    let hashes = hash_codes(&codes);
    let who = who.clone();
    sign_in
        .store
        .write(move |tx| {
            db::mfa::replace_recovery_codes(tx, &who.user_id, &hashes)?;
            let mut event =
                NewAuditEvent::new("mfa.recovery_codes_regenerated").target("user", &who.user_id);
            event.company_id = who.company_id.clone();
            db::audit::insert(tx, &who.audit(), &event, now_ms())
        })
        .await?;
    Ok(codes)
}

async fn ensure_enabled(sign_in: &SignIn, user: &UserId) -> DomainResult<()> {
    let id = user.clone();
    if sign_in
        .store
        .read(move |c| db::mfa::enabled(c, &id))
        .await?
    {
        Ok(())
    } else {
        Err(DomainError::conflict("mfa", "two-factor sign-in is not on"))
    }
}

/// A wrong password counts against the second-factor throttle, like a wrong code.
async fn check_password(
    sign_in: &SignIn,
    who: &UserPrincipal,
    password: &SecretString,
) -> DomainResult<()> {
    let key = who.user_id.to_string();
    let ip = who.ip.as_deref();
    if let Some(wait) = sign_in.mfa_throttle.check(&key, ip) {
        return Err(DomainError::TooManyRequests {
            retry_after_secs: wait,
        });
    }
    let id = who.user_id.clone();
    let hash = sign_in
        .store
        .read(move |c| db::users::password_hash(c, &id))
        .await?;
    if sign_in.passwords.verify(password, hash).await {
        return Ok(());
    }
    sign_in.mfa_throttle.record_failure(&key, ip);
    Err(DomainError::invalid("password", "is not correct"))
}
