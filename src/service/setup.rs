//! The first owner: a one-time setup link printed at start while no owner exists, and the
//! operator's `armario admin create`.

use serde_json::json;

use crate::access::Operator;
use crate::clock::now_ms;
use crate::crypto::Passwords;
use crate::crypto::{token, SecretString};
use crate::db;
use crate::db::users::InsertUser;
use crate::db::Db;
use crate::db::Store;
use crate::domain::audit::{AuditCtx, NewAuditEvent};
use crate::domain::user::{NewUser, Role, User, UserStatus};
use crate::error::{DomainError, DomainResult};
use crate::ids::UserId;

pub const SETUP_TOKEN_TTL_MS: i64 = 60 * 60 * 1000;

pub async fn owner_exists(store: &Store) -> DomainResult<bool> {
    store.read(db::users::owner_exists).await
}

/// Issues a fresh setup token (replacing any older one) when no owner exists yet.
pub async fn issue_token_if_needed(store: &Store) -> DomainResult<Option<String>> {
    if owner_exists(store).await? {
        return Ok(None);
    }
    let (setup_token, hash) = token::generate(token::SETUP_PREFIX);
    let expires_at = now_ms() + SETUP_TOKEN_TTL_MS;
    store
        .write(move |tx| db::sessions::insert_setup_token(tx, &hash, expires_at))
        .await?;
    Ok(Some(setup_token))
}

/// Creates the first owner with a setup token from the link.
pub async fn create_first_owner(
    store: &Store,
    passwords: &Passwords,
    setup_token: &str,
    input: NewUser,
    ip: Option<String>,
) -> DomainResult<User> {
    let hash = token::digest(setup_token.trim());
    let password_hash = passwords.hash(&input.password).await?;
    let ctx = AuditCtx {
        actor: crate::domain::Actor::Anonymous,
        ip,
    };
    store
        .write(move |tx| {
            if db::users::owner_exists(tx)? {
                return Err(DomainError::conflict(
                    "token",
                    "an owner already exists; sign in instead",
                ));
            }
            if !db::sessions::take_setup_token(tx, &hash, now_ms())? {
                return Err(DomainError::invalid(
                    "token",
                    "is invalid or expired; restart armario for a new link",
                ));
            }
            insert_owner(tx, &input, &password_hash, &ctx)
        })
        .await
}

/// `armario admin create`: adds an owner from the CLI, audited as the operator.
pub async fn create_owner_as_operator(
    operator: &Operator,
    store: &Store,
    passwords: &Passwords,
    input: NewUser,
) -> DomainResult<User> {
    let password_hash = passwords.hash(&input.password).await?;
    let ctx = operator.audit();
    store
        .write(move |tx| insert_owner(tx, &input, &password_hash, &ctx))
        .await
}

fn insert_owner(
    tx: &Db,
    input: &NewUser,
    password_hash: &str,
    ctx: &AuditCtx,
) -> DomainResult<User> {
    let id = UserId::generate();
    let now = now_ms();
    db::users::insert(
        tx,
        &InsertUser {
            id: &id,
            company_id: None,
            email: &input.email,
            name: &input.name,
            role: Role::Owner,
            status: UserStatus::Active,
            password_hash,
        },
        now,
    )?;
    db::sessions::clear_setup_tokens(tx)?;
    let event = NewAuditEvent::new("owner.created")
        .target("user", &id)
        .details(json!({ "email": input.email }));
    db::audit::insert(tx, ctx, &event, now)?;
    db::users::get(tx, &id)?.ok_or(DomainError::NotFound("user"))
}

pub fn new_owner(email: &str, name: &str, password: SecretString) -> DomainResult<NewUser> {
    NewUser::validate(email, name, Role::Owner, password)
}
