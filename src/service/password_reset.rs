//! Password reset by e-mail. Asking answers the same, and takes the same time, whether or not
//! the address belongs to anyone; a known, active account gets a single-use link valid
//! [`RESET_TTL_MS`], written to the outbox in the same transaction as the link itself. Using
//! the link sets the password and ends every session of the account.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::clock::now_ms;
use crate::crypto::{token, Passwords, Sealer, SecretString};
use crate::db::{self, Store};
use crate::domain::audit::{Actor, AuditCtx, NewAuditEvent};
use crate::domain::user::{Role, UserStatus};
use crate::error::{DomainError, DomainResult};
use crate::mail::{self, Mail};
use crate::service::brand;
use crate::service::throttle::ResetThrottle;

/// How long a reset link works.
pub const RESET_TTL_MS: i64 = 30 * 60 * 1000;
/// Every request takes at least this long, so the time of the answer says nothing about
/// whether a message was queued.
const ANSWER_FLOOR: Duration = Duration::from_millis(300);

/// What a password reset touches.
#[derive(Clone)]
pub struct Resets {
    pub(crate) store: Store,
    pub(crate) sealer: Arc<Sealer>,
    pub(crate) passwords: Passwords,
    pub(crate) mail: Arc<Mail>,
    pub(crate) throttle: Arc<ResetThrottle>,
}

/// Asks for a reset link for `email`. The answer is the same for every address.
pub async fn request(r: &Resets, email: &str, ip: Option<String>) -> DomainResult<()> {
    let started = Instant::now();
    let email = email.trim().to_lowercase();
    if let Some(wait) = r.throttle.try_acquire(&email, ip.as_deref()) {
        return Err(DomainError::TooManyRequests {
            retry_after_secs: wait,
        });
    }
    let sealer = r.sealer.clone();
    let (base, id_domain) = (r.mail.base_url().to_string(), r.mail.id_domain());
    let result = r
        .store
        .write(move |tx| {
            let now = now_ms();
            let user = db::users::find_for_login(tx, &email)?
                .map(|(u, _)| u)
                .filter(|u| u.status == UserStatus::Active);
            let mut event = NewAuditEvent::new("auth.password_reset_requested")
                .details(json!({ "email": email }));
            if let Some(user) = &user {
                let (link_token, hash) = token::generate(token::RESET_PREFIX);
                db::password_resets::insert(tx, &hash, &user.id, now + RESET_TTL_MS, now)?;
                let area = if user.role == Role::Owner {
                    "admin"
                } else {
                    "portal"
                };
                let link = format!("{base}/{area}/reset#token={link_token}");
                let mut letter = mail::letter::password_reset(
                    db::users::language(tx, &user.id)?,
                    &brand::of_user(tx, user)?,
                    &user.email,
                    &user.name,
                    &link,
                    RESET_TTL_MS / 60_000,
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
    r.mail.wake();
    tokio::time::sleep(ANSWER_FLOOR.saturating_sub(started.elapsed())).await;
    result
}

/// Sets a new password with a reset link's token, and ends every session of the account.
pub async fn confirm(
    r: &Resets,
    reset_token: &str,
    new_password: &SecretString,
    ip: Option<String>,
) -> DomainResult<()> {
    let invalid =
        || DomainError::invalid("token", "is invalid, used or expired; ask for a new link");
    let reset_token = reset_token.trim();
    if !token::well_formed(reset_token, token::RESET_PREFIX) {
        return Err(invalid());
    }
    crate::crypto::password::validate("new_password", new_password)?;
    let new_hash = r.passwords.hash(new_password).await?;
    let hash = token::digest(reset_token);
    r.store
        .write(move |tx| {
            let now = now_ms();
            let user_id = db::password_resets::take(tx, &hash, now)?.ok_or_else(invalid)?;
            let user = db::users::get(tx, &user_id)?.ok_or_else(invalid)?;
            if user.status != UserStatus::Active {
                return Err(invalid());
            }
            db::users::set_password_hash(tx, &user.id, &new_hash, now)?;
            // The link arrived at the address, so the person reads it.
            db::users::mark_email_verified(tx, &user.id, now)?;
            let revoked = db::sessions::delete_for_user(tx, &user.id)?;
            db::password_resets::delete_for_user(tx, &user.id)?;
            let mut event = NewAuditEvent::new("user.password_reset")
                .target("user", &user.id)
                .details(json!({ "sessions_revoked": revoked }));
            event.company_id = user.company_id.clone();
            let ctx = AuditCtx {
                actor: Actor::User(user.id.clone()),
                ip: ip.clone(),
            };
            db::audit::insert(tx, &ctx, &event, now)
        })
        .await
}
