//! Self-service sign-up: a pending company and its pending first admin. Anyone may sign up with
//! any CNPJ and e-mail, so a sign-up holds neither until the owner approves it, and the answer
//! is the same whether or not they are taken: only the owner sees the clash.

use std::sync::Arc;

use serde_json::json;

use crate::clock::now_ms;
use crate::crypto::{Passwords, Sealer};
use crate::db;
use crate::db::users::InsertUser;
use crate::db::Db;
use crate::db::Store;
use crate::domain::audit::{AuditCtx, NewAuditEvent};
use crate::domain::company::{Company, CompanyStatus, NewCompany};
use crate::domain::language::Lang;
use crate::domain::user::{NewUser, Role, UserStatus};
use crate::domain::Actor;
use crate::error::{DomainError, DomainResult};
use crate::ids::{CompanyId, UserId};
use crate::mail::Mail;
use crate::service::companies::free_slug;
use crate::service::email_address::queue_verification;
use crate::service::throttle::SignupThrottle;

/// What a sign-up touches.
pub struct Signups<'a> {
    pub store: &'a Store,
    pub passwords: &'a Passwords,
    pub throttle: &'a SignupThrottle,
    pub sealer: &'a Arc<Sealer>,
    pub mail: &'a Arc<Mail>,
}

/// Records a sign-up for the owner to review, and mails its admin the link that verifies their
/// address, in `lang`. Throttled per IP and overall.
#[tracing::instrument(skip_all)]
pub async fn signup(
    s: Signups<'_>,
    company: NewCompany,
    admin: NewUser,
    lang: Lang,
    ip: Option<String>,
) -> DomainResult<()> {
    let Signups {
        store,
        passwords,
        throttle: signups,
        sealer,
        mail,
    } = s;
    let (sealer, mail) = (sealer.clone(), mail.clone());
    let bell = mail.clone();
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
            // A copy per run: the slug found free belongs to this run's view of the data.
            let mut company = company.clone();
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
            db::users::set_language(tx, &user_id, lang)?;
            let user = db::users::get(tx, &user_id)?
                .ok_or_else(|| DomainError::internal("the new user is gone"))?;
            queue_verification(tx, (&sealer, &mail), &user, lang, now)?;
            let event = NewAuditEvent::new("company.signup")
                .company(&id)
                .target("company", &id)
                .details(json!({ "legal_name": company.legal_name, "cnpj": company.cnpj, "admin_email": admin.email }));
            db::audit::insert(tx, &ctx, &event, now)
        })
        .await?;
    bell.wake();
    Ok(())
}

/// Lets an unapproved sign-up in: refused when a live company has its CNPJ or a live user has
/// its admin's e-mail; a slug taken meanwhile is replaced by a free one.
pub(crate) fn admit(tx: &Db, company: &Company, now: i64) -> DomainResult<()> {
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
