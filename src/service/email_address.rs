//! A person's e-mail address, proven by reading it. A sign-up's admin gets a link at the
//! address they gave, and opening it marks the address verified (the owner sees which sign-ups
//! did). A signed-in person changes their address by giving their password and opening the link
//! sent to the new address; the old address then gets a notice without any link. Nothing about
//! whether the new address is taken is said before its link is opened.

use std::sync::Arc;

use serde_json::json;

use crate::clock::now_ms;
use crate::crypto::{token, Sealer, SecretString};
use crate::db::email_tokens::EmailLink;
use crate::db::Db;
use crate::db::{self, Store};
use crate::domain::audit::{Actor, AuditCtx, NewAuditEvent};
use crate::domain::language::Lang;
use crate::domain::user::{Role, User, UserStatus};
use crate::domain::UserPrincipal;
use crate::error::{DomainError, DomainResult};
use crate::mail::{self, address_letters, Mail};
use crate::service::auth::{self, SignIn};
use crate::service::brand;

/// How long the link that verifies a sign-up's address works: as long as a sign-up may wait
/// for review.
pub const VERIFY_TTL_MS: i64 = 7 * 24 * 3600 * 1000;
/// How long the link sent to a new address works.
pub const CHANGE_TTL_MS: i64 = 24 * 3600 * 1000;

/// What an address change touches: sign-in's handles (the password check and its lock-out
/// counters) and the outbox.
#[derive(Clone)]
pub struct Addresses {
    pub(crate) sign_in: SignIn,
    pub(crate) sealer: Arc<Sealer>,
    pub(crate) mail: Arc<Mail>,
}

/// Where a link for `user` opens: the dashboard for the owner, the portal for everyone else.
fn area(user: &User) -> &'static str {
    if user.role == Role::Owner {
        "admin"
    } else {
        "portal"
    }
}

/// Queues the verification link of a new sign-up's admin, inside the sign-up's transaction.
pub(crate) fn queue_verification(
    tx: &Db,
    (sealer, mail): (&Sealer, &Mail),
    user: &User,
    lang: Lang,
    now: i64,
) -> DomainResult<()> {
    let (link_token, hash) = token::generate(token::VERIFY_PREFIX);
    db::email_tokens::insert(
        tx,
        &hash,
        &user.id,
        &EmailLink::Verify,
        now + VERIFY_TTL_MS,
        now,
    )?;
    let link = format!(
        "{}/{}/verify#token={link_token}",
        mail.base_url(),
        area(user)
    );
    let mut letter = address_letters::verification(
        lang,
        &brand::of_user(tx, user)?,
        &user.email,
        &user.name,
        &link,
        VERIFY_TTL_MS / (24 * 3600 * 1000),
    );
    letter.company_id = user.company_id.as_ref().map(|c| c.to_string());
    mail::enqueue(tx, sealer, &mail.id_domain(), &letter, now)
}

fn invalid_link() -> DomainError {
    DomainError::invalid("token", "is invalid, used or expired")
}

/// Marks the address of a verification link's user as verified.
pub async fn verify(store: &Store, link_token: &str, ip: Option<String>) -> DomainResult<()> {
    let link_token = link_token.trim();
    if !token::well_formed(link_token, token::VERIFY_PREFIX) {
        return Err(invalid_link());
    }
    let hash = token::digest(link_token);
    store
        .write(move |tx| {
            let now = now_ms();
            let (user_id, _) =
                db::email_tokens::take(tx, &hash, false, now)?.ok_or_else(invalid_link)?;
            let user = db::users::get(tx, &user_id)?.ok_or_else(invalid_link)?;
            if user.status == UserStatus::Disabled {
                return Err(invalid_link());
            }
            db::users::mark_email_verified(tx, &user.id, now)?;
            let mut event = NewAuditEvent::new("user.email_verified")
                .target("user", &user.id)
                .details(json!({ "email": user.email }));
            event.company_id = user.company_id.clone();
            let ctx = AuditCtx {
                actor: Actor::User(user.id.clone()),
                ip: ip.clone(),
            };
            db::audit::insert(tx, &ctx, &event, now)
        })
        .await
}

/// Asks to move the caller to `new_email`: checks their password (a wrong one counts as a
/// failed sign-in), then mails a link to the new address. Whether the address is taken is only
/// checked when the link is opened, so the answer says nothing about other people's addresses.
pub async fn request_change(
    a: &Addresses,
    who: &UserPrincipal,
    new_email: String,
    password: &SecretString,
) -> DomainResult<()> {
    let user = auth::me(&a.sign_in.store, who).await?;
    if user.email.eq_ignore_ascii_case(&new_email) {
        return Err(DomainError::invalid(
            "new_email",
            "is already the e-mail of your account",
        ));
    }
    auth::check_own_password(&a.sign_in, who, &user, "password", password).await?;
    let (sealer, mail) = (a.sealer.clone(), a.mail.clone());
    let audit = who.audit();
    a.sign_in
        .store
        .write(move |tx| {
            let now = now_ms();
            let (link_token, hash) = token::generate(token::EMAIL_CHANGE_PREFIX);
            let link = EmailLink::Change(new_email.clone());
            db::email_tokens::insert(tx, &hash, &user.id, &link, now + CHANGE_TTL_MS, now)?;
            let url = format!(
                "{}/{}/email#token={link_token}",
                mail.base_url(),
                area(&user)
            );
            let mut letter = address_letters::change_confirmation(
                db::users::language(tx, &user.id)?,
                &brand::of_user(tx, &user)?,
                &new_email,
                &user.name,
                &url,
                CHANGE_TTL_MS / 3_600_000,
            );
            letter.company_id = user.company_id.as_ref().map(|c| c.to_string());
            mail::enqueue(tx, &sealer, &mail.id_domain(), &letter, now)?;
            let mut event = NewAuditEvent::new("user.email_change_requested")
                .target("user", &user.id)
                .details(json!({ "email": user.email, "new_email": new_email }));
            event.company_id = user.company_id.clone();
            db::audit::insert(tx, &audit, &event, now)
        })
        .await?;
    a.mail.wake();
    Ok(())
}

/// Moves the link's user to the new address it was sent to, and tells the old address. A new
/// address that meanwhile belongs to someone else is a 409 naming `email`, and changes
/// nothing.
pub async fn confirm_change(
    a: &Addresses,
    link_token: &str,
    ip: Option<String>,
) -> DomainResult<User> {
    let link_token = link_token.trim();
    if !token::well_formed(link_token, token::EMAIL_CHANGE_PREFIX) {
        return Err(invalid_link());
    }
    let hash = token::digest(link_token);
    let (sealer, mail) = (a.sealer.clone(), a.mail.clone());
    let user = a
        .sign_in
        .store
        .write(move |tx| {
            let now = now_ms();
            let (user_id, link) =
                db::email_tokens::take(tx, &hash, true, now)?.ok_or_else(invalid_link)?;
            let EmailLink::Change(new_email) = link else {
                return Err(invalid_link());
            };
            let user = db::users::get(tx, &user_id)?.ok_or_else(invalid_link)?;
            if user.status == UserStatus::Disabled {
                return Err(invalid_link());
            }
            if db::users::email_live(tx, &new_email)? {
                return Err(DomainError::conflict(
                    "email",
                    "already belongs to another account; ask for a change to another address",
                ));
            }
            db::users::set_verified_email(tx, &user.id, &new_email, now)?;
            // A reset link mailed to the old address must not open the account any more.
            db::password_resets::delete_for_user(tx, &user.id)?;
            let mut notice = address_letters::changed_notice(
                db::users::language(tx, &user.id)?,
                &brand::of_user(tx, &user)?,
                &user.email,
                &user.name,
                &new_email,
            );
            notice.company_id = user.company_id.as_ref().map(|c| c.to_string());
            mail::enqueue(tx, &sealer, &mail.id_domain(), &notice, now)?;
            let mut event = NewAuditEvent::new("user.email_changed")
                .target("user", &user.id)
                .details(json!({ "email": user.email, "new_email": new_email }));
            event.company_id = user.company_id.clone();
            let ctx = AuditCtx {
                actor: Actor::User(user.id.clone()),
                ip: ip.clone(),
            };
            db::audit::insert(tx, &ctx, &event, now)?;
            db::users::get(tx, &user.id)?.ok_or_else(invalid_link)
        })
        .await;
    a.mail.wake();
    user
}
