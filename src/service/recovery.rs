//! Recovery from the server's console: `armario admin set-password` and
//! `armario admin login-link`, both audited as the operator, and signing in with such a link.

use serde_json::json;

use crate::access::Operator;
use crate::clock::now_ms;
use crate::crypto::Passwords;
use crate::crypto::{token, SecretString};
use crate::db;
use crate::db::Store;
use crate::domain::audit::NewAuditEvent;
use crate::domain::user::User;
use crate::error::{DomainError, DomainResult};
use crate::service::auth::SignIn;
use crate::service::auth::{self, SignInStep};

/// How long a sign-in link works.
pub const LOGIN_LINK_TTL_MS: i64 = 15 * 60 * 1000;

async fn find_user(store: &Store, email: &str) -> DomainResult<User> {
    let email = email.trim().to_lowercase();
    store
        .read(move |c| db::users::find_for_login(c, &email))
        .await?
        .map(|(u, _)| u)
        .ok_or(DomainError::NotFound("user"))
}

/// Sets a user's password and revokes every session of theirs.
pub async fn set_password_as_operator(
    operator: &Operator,
    store: &Store,
    passwords: &Passwords,
    email: &str,
    password: &SecretString,
) -> DomainResult<User> {
    crate::crypto::password::validate("password", password)?;
    let user = find_user(store, email).await?;
    let hash = passwords.hash(password).await?;
    let u = user.clone();
    let ctx = operator.audit();
    store
        .write(move |tx| {
            let now = now_ms();
            db::users::set_password_hash(tx, &u.id, &hash, now)?;
            let revoked = db::sessions::delete_for_user(tx, &u.id)?;
            let mut event = NewAuditEvent::new("user.password_set")
                .target("user", &u.id)
                .details(json!({ "sessions_revoked": revoked }));
            event.company_id = u.company_id.clone();
            db::audit::insert(tx, &ctx, &event, now)
        })
        .await?;
    Ok(user)
}

/// A one-time sign-in link's token for the user, valid [`LOGIN_LINK_TTL_MS`]; only its
/// digest is stored.
pub async fn issue_login_link(
    operator: &Operator,
    store: &Store,
    email: &str,
) -> DomainResult<(User, String)> {
    let user = find_user(store, email).await?;
    let (link_token, hash) = token::generate(token::LOGIN_LINK_PREFIX);
    let u = user.clone();
    let ctx = operator.audit();
    store
        .write(move |tx| {
            let now = now_ms();
            db::login_links::insert(tx, &hash, &u.id, now + LOGIN_LINK_TTL_MS, now)?;
            let mut event = NewAuditEvent::new("auth.login_link_issued")
                .target("user", &u.id)
                .details(json!({ "valid_minutes": LOGIN_LINK_TTL_MS / 60_000 }));
            event.company_id = u.company_id.clone();
            db::audit::insert(tx, &ctx, &event, now)
        })
        .await?;
    Ok((user, link_token))
}

/// Signs in with a link's token: it works once, before it expires, and only for a user who
/// may sign in.
pub async fn login_with_link(
    sign_in: &SignIn,
    link_token: &str,
    from: auth::Origin,
) -> DomainResult<SignInStep> {
    let invalid = || DomainError::Unauthorized("the link is invalid, used or expired".into());
    let link_token = link_token.trim();
    if !token::well_formed(link_token, token::LOGIN_LINK_PREFIX) {
        return Err(invalid());
    }
    let hash = token::digest(link_token);
    let user = sign_in
        .store
        .write(
            move |tx| match db::login_links::take(tx, &hash, now_ms())? {
                Some(id) => db::users::get(tx, &id),
                None => Ok(None),
            },
        )
        .await?
        .ok_or_else(invalid)?;
    auth::ensure_may_sign_in(&sign_in.store, &user).await?;
    auth::pass_first_factor(sign_in, user, from, "auth.login_link").await
}
