//! Users of a company, managed by its admins and by the owner.

use serde_json::json;

use crate::clock::now_ms;
use crate::crypto::SecretString;
use crate::db;
use crate::db::users::InsertUser;
use crate::domain::audit::NewAuditEvent;
use crate::domain::user::{NewUser, Role, User, UserFilter, UserPatch, UserStatus};
use crate::domain::{Page, UserPrincipal};
use crate::error::{DomainError, DomainResult};
use crate::ids::{CompanyId, UserId};
use crate::service::AppState;

fn load(tx: &rusqlite::Connection, company: &CompanyId, id: &UserId) -> DomainResult<User> {
    db::users::get_in_company(tx, company, id)?.ok_or(DomainError::NotFound("user"))
}

fn ensure_seat(tx: &rusqlite::Connection, company: &CompanyId) -> DomainResult<()> {
    let c = crate::service::companies::load(tx, company)?;
    if db::users::count_billable(tx, company)? >= c.max_users {
        return Err(DomainError::LimitExceeded {
            field: "max_users".into(),
            message: format!("the company's plan allows at most {} users", c.max_users),
        });
    }
    Ok(())
}

fn parse_cursor(cursor: Option<String>) -> DomainResult<Option<UserId>> {
    crate::domain::cursor::open_as(cursor, UserId::parse)
}

/// A member may look only at themself; admins and the owner at everyone of the company.
fn require_view(who: &UserPrincipal, company: &CompanyId, user: &UserId) -> DomainResult<()> {
    who.require_company_read(company, "user")?;
    if who.role == Role::Member && &who.user_id != user {
        return Err(DomainError::Forbidden(
            "a member may only see their own account".into(),
        ));
    }
    Ok(())
}

pub async fn list_in_company(
    state: &AppState,
    who: &UserPrincipal,
    company: CompanyId,
    mut filter: UserFilter,
    cursor: Option<String>,
    limit: u32,
) -> DomainResult<Page<User>> {
    who.require_company_read(&company, "company")?;
    let after = parse_cursor(cursor)?;
    if who.role == Role::Member {
        filter.only = Some(who.user_id.clone());
    }
    filter.company = Some(company.clone());
    state
        .store
        .read(move |c| {
            crate::service::companies::load(c, &company)?;
            db::users::list(c, &filter, after.as_ref(), limit)
        })
        .await
}

pub async fn list_all(
    state: &AppState,
    who: &UserPrincipal,
    filter: UserFilter,
    cursor: Option<String>,
    limit: u32,
) -> DomainResult<Page<User>> {
    who.require_owner()?;
    let after = parse_cursor(cursor)?;
    state
        .store
        .read(move |c| db::users::list(c, &filter, after.as_ref(), limit))
        .await
}

pub async fn get(
    state: &AppState,
    who: &UserPrincipal,
    company: CompanyId,
    id: UserId,
) -> DomainResult<User> {
    require_view(who, &company, &id)?;
    state.store.read(move |c| load(c, &company, &id)).await
}

#[tracing::instrument(skip_all, fields(company_id = %company))]
pub async fn create(
    state: &AppState,
    who: &UserPrincipal,
    company: CompanyId,
    input: NewUser,
) -> DomainResult<User> {
    who.require_company_admin(&company, "company")?;
    let hash = state.passwords.hash(&input.password).await?;
    let ctx = who.audit();
    state
        .store
        .write(move |tx| {
            ensure_seat(tx, &company)?;
            let id = UserId::generate();
            let now = now_ms();
            db::users::insert(
                tx,
                &InsertUser {
                    id: &id,
                    company_id: Some(&company),
                    email: &input.email,
                    name: &input.name,
                    role: input.role,
                    status: UserStatus::Active,
                    password_hash: &hash,
                },
                now,
            )?;
            let event = NewAuditEvent::new("user.created")
                .company(&company)
                .target("user", &id)
                .details(json!({ "email": input.email, "role": input.role.as_str() }));
            db::audit::insert(tx, &ctx, &event, now)?;
            load(tx, &company, &id)
        })
        .await
}

#[tracing::instrument(skip_all, fields(company_id = %company))]
pub async fn update(
    state: &AppState,
    who: &UserPrincipal,
    company: CompanyId,
    id: UserId,
    patch: UserPatch,
) -> DomainResult<User> {
    require_view(who, &company, &id)?;
    let own_account = who.user_id == id;
    if who.role == Role::Member && patch.role.is_some() {
        return Err(DomainError::Forbidden(
            "role: only a company admin may change roles".into(),
        ));
    }
    if own_account && who.role == Role::CompanyAdmin && patch.role == Some(Role::Member) {
        return Err(DomainError::conflict(
            "role",
            "you cannot demote yourself; ask another admin",
        ));
    }
    let ctx = who.audit();
    state
        .store
        .write(move |tx| {
            let current = load(tx, &company, &id)?;
            let mut fields = patch.changed_fields(&current);
            if fields.is_empty() {
                // Nothing changes, so there is nothing to audit.
                return Ok(current);
            }
            let now = now_ms();
            db::users::update(tx, &id, &patch, now)?;
            // The role is recorded as a value of its own.
            fields.retain(|f| *f != "role");
            let mut details = json!({ "fields": fields });
            if let Some(role) = patch.role {
                details["role"] = role.as_str().into();
            }
            let event = NewAuditEvent::new("user.updated")
                .company(&company)
                .target("user", &id)
                .details(details);
            db::audit::insert(tx, &ctx, &event, now)?;
            load(tx, &company, &id)
        })
        .await
}

#[derive(Clone, Copy, Debug)]
pub enum UserAction {
    Approve,
    Disable,
    Enable,
}

#[tracing::instrument(skip_all, fields(company_id = %company))]
pub async fn change_status(
    state: &AppState,
    who: &UserPrincipal,
    company: CompanyId,
    id: UserId,
    action: UserAction,
) -> DomainResult<User> {
    who.require_company_admin(&company, "user")?;
    if who.user_id == id {
        return Err(DomainError::conflict(
            "status",
            "you cannot change the status of your own account",
        ));
    }
    let ctx = who.audit();
    state
        .store
        .write(move |tx| {
            let user = load(tx, &company, &id)?;
            let (to, name) = match (action, user.status) {
                (UserAction::Approve, UserStatus::Pending) => (UserStatus::Active, "user.approved"),
                (UserAction::Disable, UserStatus::Active | UserStatus::Pending) => {
                    (UserStatus::Disabled, "user.disabled")
                }
                (UserAction::Enable, UserStatus::Disabled) => {
                    ensure_seat(tx, &company)?;
                    (UserStatus::Active, "user.enabled")
                }
                _ => {
                    return Err(DomainError::conflict(
                        "status",
                        format!("the user is {}", user.status.as_str()),
                    ))
                }
            };
            let now = now_ms();
            db::users::set_status(tx, &id, to, now)?;
            let revoked = if to == UserStatus::Disabled {
                db::sessions::delete_for_user(tx, &id)?
            } else {
                0
            };
            let event = NewAuditEvent::new(name)
                .company(&company)
                .target("user", &id)
                .details(json!({ "sessions_revoked": revoked }));
            db::audit::insert(tx, &ctx, &event, now)?;
            load(tx, &company, &id)
        })
        .await
}

#[tracing::instrument(skip_all, fields(company_id = %company))]
pub async fn delete(
    state: &AppState,
    who: &UserPrincipal,
    company: CompanyId,
    id: UserId,
) -> DomainResult<()> {
    who.require_company_admin(&company, "user")?;
    if who.user_id == id {
        return Err(DomainError::conflict(
            "user_id",
            "you cannot delete your own account",
        ));
    }
    let ctx = who.audit();
    state
        .store
        .write(move |tx| {
            let user = load(tx, &company, &id)?;
            db::users::delete(tx, &id)?;
            let event = NewAuditEvent::new("user.deleted")
                .company(&company)
                .target("user", &id)
                .details(json!({ "email": user.email }));
            db::audit::insert(tx, &ctx, &event, now_ms())
        })
        .await
}

/// An admin sets a new password for a user; the user's sessions are revoked.
#[tracing::instrument(skip_all, fields(company_id = %company))]
pub async fn set_password(
    state: &AppState,
    who: &UserPrincipal,
    company: CompanyId,
    id: UserId,
    password: SecretString,
) -> DomainResult<()> {
    who.require_company_admin(&company, "user")?;
    crate::crypto::password::validate("password", &password)?;
    let hash = state.passwords.hash(&password).await?;
    let ctx = who.audit();
    state
        .store
        .write(move |tx| {
            load(tx, &company, &id)?;
            let now = now_ms();
            db::users::set_password_hash(tx, &id, &hash, now)?;
            let revoked = db::sessions::delete_for_user(tx, &id)?;
            let event = NewAuditEvent::new("user.password_reset")
                .company(&company)
                .target("user", &id)
                .details(json!({ "sessions_revoked": revoked }));
            db::audit::insert(tx, &ctx, &event, now)
        })
        .await
}
