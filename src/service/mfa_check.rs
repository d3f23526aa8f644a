//! Checking a second-factor code, shared by the sign-in's second step and the signed-in
//! person's own changes: throttled per user and IP, every wrong code audited (never the code
//! itself), a TOTP step accepted at most once, a recovery code used at most once.

use serde_json::json;

use crate::clock::now_ms;
use crate::crypto::token;
use crate::db;
use crate::domain::audit::{Actor, AuditCtx, NewAuditEvent};
use crate::domain::mfa;
use crate::error::{DomainError, DomainResult};
use crate::ids::UserId;
use crate::service::auth::SignIn;

/// What the person typed as their second factor.
#[derive(Clone, Copy)]
pub enum SecondFactor<'a> {
    Totp(&'a str),
    Recovery(&'a str),
}

impl SecondFactor<'_> {
    fn kind(&self) -> &'static str {
        match self {
            Self::Totp(_) => "totp",
            Self::Recovery(_) => "recovery_code",
        }
    }

    fn field(&self) -> &'static str {
        match self {
            Self::Totp(_) => "code",
            Self::Recovery(_) => "recovery_code",
        }
    }
}

/// Accepts the code or answers 400 naming the field (429 once throttled). `pending` allows
/// the unconfirmed secret of an enrolment being confirmed; otherwise only a confirmed one.
pub async fn check_code(
    sign_in: &SignIn,
    user: &UserId,
    ip: Option<&str>,
    factor: SecondFactor<'_>,
    pending: bool,
) -> DomainResult<()> {
    let key = user.to_string();
    if let Some(wait) = sign_in.mfa_throttle.check(&key, ip) {
        return Err(DomainError::TooManyRequests {
            retry_after_secs: wait,
        });
    }
    let ok = match factor {
        SecondFactor::Totp(code) => totp_ok(sign_in, user, code, pending).await?,
        SecondFactor::Recovery(code) => recovery_ok(sign_in, user, code).await?,
    };
    if ok {
        sign_in.mfa_throttle.record_success(&key, ip);
        return Ok(());
    }
    sign_in.mfa_throttle.record_failure(&key, ip);
    let ctx = AuditCtx {
        actor: Actor::Anonymous,
        ip: ip.map(str::to_string),
    };
    let (u, kind) = (user.clone(), factor.kind());
    sign_in
        .store
        .write(move |tx| {
            let company = db::users::get(tx, &u)?.and_then(|u| u.company_id);
            let mut event = NewAuditEvent::new("mfa.code_failed")
                .target("user", &u)
                .details(json!({ "kind": kind }));
            event.company_id = company;
            db::audit::insert(tx, &ctx, &event, now_ms())
        })
        .await?;
    Err(DomainError::invalid(
        factor.field(),
        "is not correct, or was already used",
    ))
}

async fn totp_ok(sign_in: &SignIn, user: &UserId, code: &str, pending: bool) -> DomainResult<bool> {
    let id = user.clone();
    let Some(row) = sign_in.store.read(move |c| db::mfa::totp(c, &id)).await? else {
        return Ok(false);
    };
    if row.confirmed_at.is_none() && !pending {
        return Ok(false);
    }
    let secret = sign_in.sealer.open(
        &row.sealed,
        &row.key_id,
        &crate::service::mfa::context(user.as_str()),
    )?;
    let now_secs = now_ms().div_euclid(1000);
    let Some(step) = mfa::matching_step(&secret, code, now_secs) else {
        return Ok(false);
    };
    // The store takes the step only if it is later than the last one used: a replayed code,
    // or the same code sent twice at once, gets false here.
    let id = user.clone();
    sign_in
        .store
        .write(move |tx| db::mfa::use_step(tx, &id, step))
        .await
}

async fn recovery_ok(sign_in: &SignIn, user: &UserId, code: &str) -> DomainResult<bool> {
    let normalized = mfa::normalize_recovery_code(code);
    if normalized.len() != 10 {
        return Ok(false);
    }
    let hash = token::digest(&normalized);
    let id = user.clone();
    sign_in
        .store
        .write(move |tx| {
            if !db::mfa::enabled(tx, &id)? {
                return Ok(false);
            }
            let now = now_ms();
            if !db::mfa::use_recovery_code(tx, &id, &hash, now)? {
                return Ok(false);
            }
            let left = db::mfa::recovery_codes_left(tx, &id)?;
            let company = db::users::get(tx, &id)?.and_then(|u| u.company_id);
            let ctx = AuditCtx {
                actor: Actor::User(id.clone()),
                ip: None,
            };
            let mut event = NewAuditEvent::new("mfa.recovery_code_used")
                .target("user", &id)
                .details(json!({ "left": left }));
            event.company_id = company;
            db::audit::insert(tx, &ctx, &event, now)?;
            Ok(true)
        })
        .await
}
