//! Invitations: a company admin (or the owner) invites an address with a role; the message
//! with a single-use link valid 7 days is written to the outbox in the same transaction. The
//! invitee opens the link and chooses a name and password, which creates the active user.
//! A pending invitation holds a seat of the plan's user limit; resending gives a new link and
//! kills the old one; revoking kills it for good.

use std::sync::Arc;

use serde_json::json;

use crate::access::{Admin, CompanyScope};
use crate::clock::now_ms;
use crate::crypto::{token, Passwords, Sealer, SecretString};
use crate::db::invitations::InsertInvitation;
use crate::db::users::InsertUser;
use crate::db::Db;
use crate::db::{self, Store};
use crate::domain::audit::{Actor, AuditCtx, NewAuditEvent};
use crate::domain::invitation::{Invitation, InvitationState, INVITATION_TTL_MS};
use crate::domain::language::Lang;
use crate::domain::{validate, Page, Role, User, UserStatus};
use crate::error::{DomainError, DomainResult};
use crate::ids::{CompanyId, InvitationId, UserId};
use crate::mail::{self, Mail};
use crate::service::brand;
use crate::service::change::{in_company, Change};
use crate::service::throttle::AcceptThrottle;
use crate::service::users::{ensure_seat, ensure_seat_holding};

/// What sending an invitation touches.
#[derive(Clone)]
pub struct Invites {
    pub(crate) store: Store,
    pub(crate) sealer: Arc<Sealer>,
    pub(crate) passwords: Passwords,
    pub(crate) mail: Arc<Mail>,
    pub(crate) throttle: Arc<AcceptThrottle>,
}

fn load(tx: &Db, company: &CompanyId, id: &InvitationId) -> DomainResult<Invitation> {
    db::invitations::get_in_company(tx, company, id)?.ok_or(DomainError::NotFound("invitation"))
}

/// The address is free: no live user and no other pending invitation has it.
fn ensure_email_free(
    tx: &Db,
    email: &str,
    except: Option<&InvitationId>,
    now: i64,
) -> DomainResult<()> {
    if db::users::email_live(tx, email)? {
        return Err(DomainError::conflict("email", "already belongs to a user"));
    }
    if db::invitations::pending_email_taken(tx, email, except, now)? {
        return Err(DomainError::conflict(
            "email",
            "already has a pending invitation; resend it instead",
        ));
    }
    Ok(())
}

/// A new link for `invitation`, and its message queued in the same transaction.
fn send(tx: &Db, h: &Invites, invitation: &Invitation, now: i64) -> DomainResult<token::TokenHash> {
    let (link_token, hash) = token::generate(token::INVITE_PREFIX);
    let link = format!("{}/portal/invite#token={link_token}", h.mail.base_url());
    let brand = brand::of_company(tx, &invitation.company_id)?;
    let mut letter = mail::letter::invitation(
        invitation.language,
        &brand,
        &invitation.email,
        &link,
        INVITATION_TTL_MS / (24 * 60 * 60 * 1000),
    );
    letter.company_id = Some(invitation.company_id.to_string());
    mail::enqueue(tx, &h.sealer, &h.mail.id_domain(), &letter, now)?;
    Ok(hash)
}

fn details(i: &Invitation) -> serde_json::Value {
    json!({ "email": i.email, "role": i.role.as_str(), "language": i.language.as_str() })
}

#[tracing::instrument(skip_all, fields(company_id = %scope.company()))]
pub async fn create(
    h: &Invites,
    scope: &CompanyScope<Admin>,
    email: String,
    role: Role,
    language: Lang,
) -> DomainResult<Invitation> {
    let inviter = scope.user_id().clone();
    let handles = h.clone();
    let result = h
        .store
        .write_in(
            scope,
            in_company(scope, move |tx, company, now| {
                ensure_email_free(tx, &email, None, now)?;
                ensure_seat(tx, &company)?;
                let id = InvitationId::generate();
                let mut invitation = Invitation {
                    id: id.clone(),
                    company_id: company.id.clone(),
                    email: email.clone(),
                    role,
                    language,
                    expires_at: now + INVITATION_TTL_MS,
                    created_by: Some(inviter.clone()),
                    created_at: now,
                    sent_at: now,
                    accepted_at: None,
                    revoked_at: None,
                };
                let hash = send(tx, &handles, &invitation, now)?;
                db::invitations::insert(
                    tx,
                    &InsertInvitation {
                        id: &id,
                        company_id: &company.id,
                        email: &invitation.email,
                        role,
                        language,
                        token_hash: &hash,
                        expires_at: invitation.expires_at,
                        created_by: Some(&inviter),
                    },
                    now,
                )?;
                invitation = load(tx, &company.id, &id)?;
                let event = NewAuditEvent::new("invitation.created")
                    .target("invitation", &id)
                    .details(details(&invitation));
                Ok(Change::audited(invitation, event))
            }),
        )
        .await;
    h.mail.wake();
    result
}

pub async fn list(
    store: &Store,
    scope: &CompanyScope<Admin>,
    cursor: Option<String>,
    limit: u32,
) -> DomainResult<Page<Invitation>> {
    let after = crate::domain::cursor::open_as(cursor, InvitationId::parse)?;
    let company = scope.company().clone();
    store
        .read_in(scope, move |c| {
            crate::service::companies::load(c, &company)?;
            db::invitations::list(c, &company, after.as_ref(), limit)
        })
        .await
}

/// A new link and message; the old link stops working. An expired invitation comes back to
/// life for 7 more days if its address and a seat are still free.
#[tracing::instrument(skip_all, fields(company_id = %scope.company()))]
pub async fn resend(
    h: &Invites,
    scope: &CompanyScope<Admin>,
    id: InvitationId,
) -> DomainResult<Invitation> {
    let handles = h.clone();
    let result = h
        .store
        .write_in(
            scope,
            in_company(scope, move |tx, company, now| {
                let invitation = load(tx, &company.id, &id)?;
                match invitation.state(now) {
                    InvitationState::Pending => {}
                    InvitationState::Expired => {
                        ensure_email_free(tx, &invitation.email, Some(&id), now)?;
                        ensure_seat(tx, &company)?;
                    }
                    InvitationState::Accepted | InvitationState::Revoked => {
                        return Err(closed(&invitation, now));
                    }
                }
                let hash = send(tx, &handles, &invitation, now)?;
                db::invitations::renew(tx, &id, &hash, now + INVITATION_TTL_MS, now)?;
                let invitation = load(tx, &company.id, &id)?;
                let event = NewAuditEvent::new("invitation.resent")
                    .target("invitation", &id)
                    .details(details(&invitation));
                Ok(Change::audited(invitation, event))
            }),
        )
        .await;
    h.mail.wake();
    result
}

fn closed(i: &Invitation, now: i64) -> DomainError {
    let message = match i.state(now) {
        InvitationState::Accepted => "the invitation was already accepted",
        _ => "the invitation was revoked",
    };
    DomainError::conflict("invitation_id", message)
}

/// The link stops working and the seat is free again.
#[tracing::instrument(skip_all, fields(company_id = %scope.company()))]
pub async fn revoke(
    store: &Store,
    scope: &CompanyScope<Admin>,
    id: InvitationId,
) -> DomainResult<()> {
    store
        .write_in(
            scope,
            in_company(scope, move |tx, company, now| {
                let invitation = load(tx, &company.id, &id)?;
                if matches!(
                    invitation.state(now),
                    InvitationState::Accepted | InvitationState::Revoked
                ) {
                    return Err(closed(&invitation, now));
                }
                db::invitations::revoke(tx, &id, now)?;
                let event = NewAuditEvent::new("invitation.revoked")
                    .target("invitation", &id)
                    .details(details(&invitation));
                Ok(Change::audited((), event))
            }),
        )
        .await
}

/// The invitee's answer: creates the active user with the invited role. A used, expired,
/// revoked or unknown token is a 400 naming `token`, audited as `invitation.accept_failed`
/// (without the token). Attempts are throttled per IP before the token is looked at.
pub async fn accept(
    h: &Invites,
    invite_token: &str,
    name: &str,
    password: &SecretString,
    ip: Option<String>,
) -> DomainResult<User> {
    if let Some(wait) = h.throttle.try_acquire(ip.as_deref()) {
        return Err(DomainError::TooManyRequests {
            retry_after_secs: wait,
        });
    }
    let invalid = || {
        DomainError::invalid(
            "token",
            "is invalid, used, revoked or expired; ask for a new invitation",
        )
    };
    let invite_token = invite_token.trim();
    if !token::well_formed(invite_token, token::INVITE_PREFIX) {
        h.store
            .write(move |tx| refused(tx, None, now_ms(), ip.clone()))
            .await?;
        return Err(invalid());
    }
    let name = validate::required("name", name, crate::domain::user::NAME_MAX)?;
    crate::crypto::password::validate("password", password)?;
    let password_hash = h.passwords.hash(password).await?;
    let hash = token::digest(invite_token);
    let user = h
        .store
        .write(move |tx| {
            let now = now_ms();
            let invitation = match db::invitations::find_by_token(tx, &hash)? {
                Some(i) if i.state(now) == InvitationState::Pending => i,
                other => {
                    // Recorded, not rolled back: the refusal is the audit's point.
                    refused(tx, other.as_ref(), now, ip.clone())?;
                    return Ok(None);
                }
            };
            let company = crate::service::companies::load(tx, &invitation.company_id)
                .map_err(|_| invalid())?;
            if db::users::email_live(tx, &invitation.email)? {
                return Err(DomainError::conflict(
                    "email",
                    "already belongs to a user; sign in instead",
                ));
            }
            // The invitation's own seat is the one the new user takes.
            ensure_seat_holding(tx, &company, 1)?;
            let id = UserId::generate();
            db::users::insert(
                tx,
                &InsertUser {
                    id: &id,
                    company_id: Some(&company.id),
                    email: &invitation.email,
                    name: &name,
                    role: invitation.role,
                    status: UserStatus::Active,
                    password_hash: &password_hash,
                },
                now,
            )?;
            // Opening the e-mailed link showed the invitee reads the address.
            db::users::mark_email_verified(tx, &id, now)?;
            db::invitations::accept(tx, &invitation.id, now)?;
            let mut details = details(&invitation);
            details["invitation_id"] = invitation.id.to_string().into();
            let event = NewAuditEvent::new("invitation.accepted")
                .target("user", &id)
                .details(details)
                .company(&company.id);
            let ctx = AuditCtx {
                actor: Actor::User(id.clone()),
                ip: ip.clone(),
            };
            db::audit::insert(tx, &ctx, &event, now)?;
            db::users::get(tx, &id)
                .and_then(|u| u.ok_or_else(|| DomainError::internal("the new user is gone")))
                .map(Some)
        })
        .await?;
    user.ok_or_else(invalid)
}

/// Audits a refused acceptance: why, and which invitation when the token named one. The token
/// itself never enters the log.
fn refused(
    tx: &Db,
    invitation: Option<&Invitation>,
    now: i64,
    ip: Option<String>,
) -> DomainResult<()> {
    let reason = match invitation.map(|i| i.state(now)) {
        None => "unknown",
        Some(InvitationState::Expired) => "expired",
        Some(InvitationState::Accepted) => "accepted",
        Some(InvitationState::Revoked) => "revoked",
        Some(InvitationState::Pending) => "pending",
    };
    let mut event =
        NewAuditEvent::new("invitation.accept_failed").details(json!({ "reason": reason }));
    if let Some(i) = invitation {
        event = event.target("invitation", &i.id).company(&i.company_id);
    }
    let ctx = AuditCtx {
        actor: Actor::Anonymous,
        ip,
    };
    db::audit::insert(tx, &ctx, &event, now)
}
