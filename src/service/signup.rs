//! Self-service sign-up: a pending company and its pending first admin. Anyone may sign up with
//! any CNPJ and e-mail, so a sign-up holds neither until the owner approves it, and the answer
//! is the same whether or not they are taken: only the owner sees the clash.

use serde_json::json;

use crate::clock::now_ms;
use crate::crypto::Passwords;
use crate::db;
use crate::db::users::InsertUser;
use crate::db::Store;
use crate::domain::audit::{AuditCtx, NewAuditEvent};
use crate::domain::company::{Company, CompanyStatus, NewCompany};
use crate::domain::user::{NewUser, Role, UserStatus};
use crate::domain::Actor;
use crate::error::{DomainError, DomainResult};
use crate::ids::{CompanyId, UserId};
use crate::service::companies::free_slug;
use crate::service::throttle::SignupThrottle;

/// Records a sign-up for the owner to review. Throttled per IP and overall.
#[tracing::instrument(skip_all)]
pub async fn signup(
    (store, passwords, signups): (&Store, &Passwords, &SignupThrottle),
    mut company: NewCompany,
    admin: NewUser,
    ip: Option<String>,
) -> DomainResult<()> {
    if let Some(wait) = signups.try_acquire(ip.as_deref()) {
        return Err(DomainError::TooManyRequests {
            retry_after_secs: wait,
        });
    }
    let password_hash = passwords.hash(&admin.password).await?;
    let ctx = AuditCtx {
        actor: Actor::Anonymous,
        ip,
    };
    store
        .write(move |tx| {
            free_slug(tx, &mut company, false)?;
            let id = CompanyId::generate();
            let user_id = UserId::generate();
            let now = now_ms();
            db::companies::insert(tx, &id, &company, CompanyStatus::Pending, now)?;
            db::users::insert(
                tx,
                &InsertUser {
                    id: &user_id,
                    company_id: Some(&id),
                    email: &admin.email,
                    name: &admin.name,
                    role: Role::CompanyAdmin,
                    status: UserStatus::Pending,
                    password_hash: &password_hash,
                },
                now,
            )?;
            let event = NewAuditEvent::new("company.signup")
                .company(&id)
                .target("company", &id)
                .details(json!({ "legal_name": company.legal_name, "cnpj": company.cnpj, "admin_email": admin.email }));
            db::audit::insert(tx, &ctx, &event, now)
        })
        .await
}

/// Lets an unapproved sign-up in: refused when a live company has its CNPJ or a live user has
/// its admin's e-mail; a slug taken meanwhile is replaced by a free one.
pub(crate) fn admit(tx: &rusqlite::Connection, company: &Company, now: i64) -> DomainResult<()> {
    if db::signups::cnpj_live_elsewhere(tx, &company.cnpj, &company.id)? {
        return Err(DomainError::conflict(
            "cnpj",
            "another company already has this CNPJ; cancel this sign-up instead",
        ));
    }
    let taken = db::signups::pending_emails_in_use(tx, &company.id)?;
    if !taken.is_empty() {
        return Err(DomainError::conflict(
            "email",
            format!(
                "another user already has the e-mail {}; cancel this sign-up instead",
                taken.join(", ")
            ),
        ));
    }
    let mut slug = company.slug.clone();
    let mut n = 2;
    while db::signups::slug_live_elsewhere(tx, &slug, &company.id)? {
        slug = format!("{}-{n}", company.slug);
        n += 1;
    }
    db::signups::mark_approved(tx, &company.id, &slug, now)
}
