//! Second factors seen from above: the owner, a company admin or the operator resets a
//! user's (they sign in with the password alone and may enrol again), and the policies that
//! say who must have one.

use serde_json::json;

use crate::access::{Admin, CompanyScope, Operator, Owner};
use crate::clock::now_ms;
use crate::db;
use crate::db::Db;
use crate::db::Store;
use crate::domain::audit::{AuditCtx, NewAuditEvent};
use crate::domain::mfa::MfaPolicy;
use crate::domain::user::User;
use crate::error::{DomainError, DomainResult};
use crate::ids::UserId;

fn reset_in(tx: &Db, ctx: &AuditCtx, user: &User) -> DomainResult<()> {
    let had = db::mfa::remove(tx, &user.id)?;
    let mut event = NewAuditEvent::new("mfa.reset")
        .target("user", &user.id)
        .details(json!({ "had_second_factor": had }));
    event.company_id = user.company_id.clone();
    db::audit::insert(tx, ctx, &event, now_ms())
}

/// The owner resets anyone's second factor.
pub async fn reset_by_owner(owner: &Owner, store: &Store, user: UserId) -> DomainResult<()> {
    let ctx = owner.audit();
    store
        .write(move |tx| {
            let u = db::users::get(tx, &user)?.ok_or(DomainError::NotFound("user"))?;
            reset_in(tx, &ctx, &u)
        })
        .await
}

/// A company admin (or the owner) resets a user of that company; another company's user is
/// "not found".
pub async fn reset_in_company(
    scope: &CompanyScope<Admin>,
    store: &Store,
    user: UserId,
) -> DomainResult<()> {
    let ctx = scope.audit();
    let company = scope.company().clone();
    store
        .write_in(scope, move |tx| {
            let u = db::users::get_in_company(tx, &company, &user)?
                .ok_or(DomainError::NotFound("user"))?;
            reset_in(tx, &ctx, &u)
        })
        .await
}

/// `armario admin reset-mfa`: the operator resets anyone's, found by e-mail.
pub async fn reset_as_operator(
    operator: &Operator,
    store: &Store,
    email: &str,
) -> DomainResult<User> {
    let email = email.trim().to_lowercase();
    let ctx = operator.audit();
    store
        .write(move |tx| {
            let (u, _) =
                db::users::find_for_login(tx, &email)?.ok_or(DomainError::NotFound("user"))?;
            reset_in(tx, &ctx, &u)?;
            Ok(u)
        })
        .await
}

/// Whether the platform requires owners to use a second factor.
pub async fn owners_required(_owner: &Owner, store: &Store) -> DomainResult<bool> {
    Ok(store.read(|c| db::mfa::policy(c, None)).await? != MfaPolicy::Off)
}

pub async fn set_owners_required(owner: &Owner, store: &Store, required: bool) -> DomainResult<()> {
    let ctx = owner.audit();
    let policy = if required {
        MfaPolicy::Everyone
    } else {
        MfaPolicy::Off
    };
    store
        .write(move |tx| {
            let now = now_ms();
            db::mfa::set_policy(tx, None, policy, now)?;
            let event = NewAuditEvent::new("mfa.policy_changed")
                .details(json!({ "scope": "owners", "policy": policy.as_str() }));
            db::audit::insert(tx, &ctx, &event, now)
        })
        .await
}

pub async fn company_policy(scope: &CompanyScope<Admin>, store: &Store) -> DomainResult<MfaPolicy> {
    let company = scope.company().clone();
    store
        .read_in(scope, move |c| db::mfa::policy(c, Some(&company)))
        .await
}

pub async fn set_company_policy(
    scope: &CompanyScope<Admin>,
    store: &Store,
    policy: MfaPolicy,
) -> DomainResult<()> {
    let ctx = scope.audit();
    let company = scope.company().clone();
    store
        .write_in(scope, move |tx| {
            let now = now_ms();
            db::mfa::set_policy(tx, Some(&company), policy, now)?;
            let mut event = NewAuditEvent::new("mfa.policy_changed")
                .target("company", &company)
                .details(json!({ "scope": "company", "policy": policy.as_str() }));
            event.company_id = Some(company.clone());
            db::audit::insert(tx, &ctx, &event, now)
        })
        .await
}
