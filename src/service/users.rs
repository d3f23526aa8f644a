//! Users of a company, managed by its admins and by the owner.

use serde_json::json;

use crate::access::{Admin, CompanyScope, Member, Owner};
use crate::crypto::{Passwords, SecretString};
use crate::db;
use crate::db::users::InsertUser;
use crate::db::Db;
use crate::db::Store;
use crate::domain::audit::NewAuditEvent;
use crate::domain::company::Company;
use crate::domain::user::{NewUser, Role, User, UserFilter, UserPatch, UserStatus};
use crate::domain::Page;
use crate::error::{DomainError, DomainResult};
use crate::ids::{CompanyId, UserId};
use crate::service::change::{in_company, Change};

fn load(tx: &Db, company: &CompanyId, id: &UserId) -> DomainResult<User> {
    db::users::get_in_company(tx, company, id)?.ok_or(DomainError::NotFound("user"))
}

/// A seat is free when the users not disabled and the pending invitations leave one; the
/// `held` seats (an invitation being accepted) are already counted.
pub(crate) fn ensure_seat_holding(tx: &Db, c: &Company, held: i64) -> DomainResult<()> {
    let now = crate::clock::now_ms();
    let taken =
        db::users::count_billable(tx, &c.id)? + db::invitations::count_pending(tx, &c.id, now)?;
    if taken - held >= c.max_users {
        return Err(DomainError::LimitExceeded {
            field: "max_users".into(),
            message: format!("the company's plan allows at most {} users", c.max_users),
        });
    }
    Ok(())
}

pub(crate) fn ensure_seat(tx: &Db, c: &Company) -> DomainResult<()> {
    ensure_seat_holding(tx, c, 0)
}

fn parse_cursor(cursor: Option<String>) -> DomainResult<Option<UserId>> {
    crate::domain::cursor::open_as(cursor, UserId::parse)
}

/// A member may look only at themself; admins and the owner at everyone of the company.
fn require_view(scope: &CompanyScope<Member>, user: &UserId) -> DomainResult<()> {
    if scope.role() == Role::Member && scope.user_id() != user {
        return Err(DomainError::Forbidden(
            "a member may only see their own account".into(),
        ));
    }
    Ok(())
}

pub async fn list_in_company(
    store: &Store,
    scope: &CompanyScope<Member>,
    mut filter: UserFilter,
    cursor: Option<String>,
    limit: u32,
) -> DomainResult<Page<User>> {
    let after = parse_cursor(cursor)?;
    if scope.role() == Role::Member {
        filter.only = Some(scope.user_id().clone());
    }
    let company = scope.company().clone();
    filter.company = Some(company.clone());
    store
        .read_in(scope, move |c| {
            crate::service::companies::load(c, &company)?;
            db::users::list(c, &filter, after.as_ref(), limit)
        })
        .await
}

pub async fn list_all(
    store: &Store,
    _owner: &Owner,
    filter: UserFilter,
    cursor: Option<String>,
    limit: u32,
) -> DomainResult<Page<User>> {
    let after = parse_cursor(cursor)?;
    store
        .read(move |c| db::users::list(c, &filter, after.as_ref(), limit))
        .await
}

pub async fn get(store: &Store, scope: &CompanyScope<Member>, id: UserId) -> DomainResult<User> {
    require_view(scope, &id)?;
    let company = scope.company().clone();
    store.read_in(scope, move |c| load(c, &company, &id)).await
}

#[tracing::instrument(skip_all, fields(company_id = %scope.company()))]
pub async fn create(
    store: &Store,
    passwords: &Passwords,
    scope: &CompanyScope<Admin>,
    input: NewUser,
) -> DomainResult<User> {
    let hash = passwords.hash(&input.password).await?;
    store
        .write_in(
            scope,
            in_company(scope, move |tx, company, now| {
                ensure_seat(tx, &company)?;
                let id = UserId::generate();
                db::users::insert(
                    tx,
                    &InsertUser {
                        id: &id,
                        company_id: Some(&company.id),
                        email: &input.email,
                        name: &input.name,
                        role: input.role,
                        status: UserStatus::Active,
                        password_hash: &hash,
                    },
                    now,
                )?;
                let event = NewAuditEvent::new("user.created")
                    .target("user", &id)
                    .details(json!({ "email": input.email, "role": input.role.as_str() }));
                Ok(Change::audited(load(tx, &company.id, &id)?, event))
            }),
        )
        .await
}

#[tracing::instrument(skip_all, fields(company_id = %scope.company()))]
pub async fn update(
    store: &Store,
    scope: &CompanyScope<Member>,
    id: UserId,
    patch: UserPatch,
) -> DomainResult<User> {
    require_view(scope, &id)?;
    let own_account = scope.user_id() == &id;
    if scope.role() == Role::Member && patch.role.is_some() {
        return Err(DomainError::Forbidden(
            "role: only a company admin may change roles".into(),
        ));
    }
    if own_account && scope.role() == Role::CompanyAdmin && patch.role == Some(Role::Member) {
        return Err(DomainError::conflict(
            "role",
            "you cannot demote yourself; ask another admin",
        ));
    }
    store
        .write_in(
            scope,
            in_company(scope, move |tx, company, now| {
                let current = load(tx, &company.id, &id)?;
                let mut fields = patch.changed_fields(&current);
                if fields.is_empty() {
                    return Ok(Change::unchanged(current));
                }
                db::users::update(tx, &id, &patch, now)?;
                // The role is recorded as a value of its own.
                fields.retain(|f| *f != "role");
                let mut details = json!({ "fields": fields });
                if let Some(role) = patch.role {
                    details["role"] = role.as_str().into();
                }
                let event = NewAuditEvent::new("user.updated")
                    .target("user", &id)
                    .details(details);
                Ok(Change::audited(load(tx, &company.id, &id)?, event))
            }),
        )
        .await
}

#[derive(Clone, Copy, Debug)]
pub enum UserAction {
    Approve,
    Disable,
    Enable,
}

fn not_self(
    scope: &CompanyScope<Admin>,
    id: &UserId,
    field: &str,
    message: &'static str,
) -> DomainResult<()> {
    if scope.user_id() == id {
        return Err(DomainError::conflict(field, message));
    }
    Ok(())
}

#[tracing::instrument(skip_all, fields(company_id = %scope.company()))]
pub async fn change_status(
    store: &Store,
    scope: &CompanyScope<Admin>,
    id: UserId,
    action: UserAction,
) -> DomainResult<User> {
    not_self(
        scope,
        &id,
        "status",
        "you cannot change the status of your own account",
    )?;
    store
        .write_in(
            scope,
            in_company(scope, move |tx, company, now| {
                let user = load(tx, &company.id, &id)?;
                let (to, name) = match (action, user.status) {
                    (UserAction::Approve, UserStatus::Pending) => {
                        (UserStatus::Active, "user.approved")
                    }
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
                db::users::set_status(tx, &id, to, now)?;
                let revoked = if to == UserStatus::Disabled {
                    db::sessions::delete_for_user(tx, &id)?
                } else {
                    0
                };
                let event = NewAuditEvent::new(name)
                    .target("user", &id)
                    .details(json!({ "sessions_revoked": revoked }));
                Ok(Change::audited(load(tx, &company.id, &id)?, event))
            }),
        )
        .await
}

#[tracing::instrument(skip_all, fields(company_id = %scope.company()))]
pub async fn delete(store: &Store, scope: &CompanyScope<Admin>, id: UserId) -> DomainResult<()> {
    not_self(scope, &id, "user_id", "you cannot delete your own account")?;
    store
        .write_in(
            scope,
            in_company(scope, move |tx, company, _| {
                let user = load(tx, &company.id, &id)?;
                db::users::delete(tx, &id)?;
                let event = NewAuditEvent::new("user.deleted")
                    .target("user", &id)
                    .details(json!({ "email": user.email }));
                Ok(Change::audited((), event))
            }),
        )
        .await
}

/// An admin sets a new password for a user; the user's sessions are revoked.
#[tracing::instrument(skip_all, fields(company_id = %scope.company()))]
pub async fn set_password(
    store: &Store,
    passwords: &Passwords,
    scope: &CompanyScope<Admin>,
    id: UserId,
    password: SecretString,
) -> DomainResult<()> {
    crate::crypto::password::validate("password", &password)?;
    let hash = passwords.hash(&password).await?;
    store
        .write_in(
            scope,
            in_company(scope, move |tx, company, now| {
                load(tx, &company.id, &id)?;
                db::users::set_password_hash(tx, &id, &hash, now)?;
                let revoked = db::sessions::delete_for_user(tx, &id)?;
                let event = NewAuditEvent::new("user.password_reset")
                    .target("user", &id)
                    .details(json!({ "sessions_revoked": revoked }));
                Ok(Change::audited((), event))
            }),
        )
        .await
}
