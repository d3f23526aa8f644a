//! Roles an application declares: by the owner on the application's page, or by the
//! application itself with its key. Both paths run the same check and write the same audit.
//! And what the token issuer asks: which roles a user holds in an application.

use std::collections::BTreeMap;

use serde_json::json;

use crate::access::Owner;
use crate::db;
use crate::db::Store;
use crate::domain::app_role::{self, AppRole, RoleDecl};
use crate::domain::audit::{AuditCtx, NewAuditEvent};
use crate::domain::AppPrincipal;
use crate::error::{DomainError, DomainResult};
use crate::ids::{ApplicationId, UserId};

/// Who manages what belongs to an application (its roles, its webhook endpoints): the owner
/// for any application, an application for itself only. Each says which application it may
/// touch and whom the audit names.
pub enum Declarer<'a> {
    Owner(&'a Owner, ApplicationId),
    App(&'a AppPrincipal),
}

impl Declarer<'_> {
    pub fn application(&self) -> ApplicationId {
        match self {
            Self::Owner(_, id) => id.clone(),
            Self::App(app) => app.application_id.clone(),
        }
    }

    pub fn audit(&self) -> AuditCtx {
        match self {
            Self::Owner(owner, _) => owner.audit(),
            Self::App(app) => app.audit(),
        }
    }
}

/// The application's declared roles, in key order.
pub async fn declared(store: &Store, who: Declarer<'_>) -> DomainResult<Vec<AppRole>> {
    let app = who.application();
    store
        .read(move |c| {
            db::applications::get(c, &app)?.ok_or(DomainError::NotFound("application"))?;
            db::app_roles::declared(c, &app)
        })
        .await
}

/// Replaces the application's roles with `roles` (checked first: a bad field changes
/// nothing). A role left out is removed with its grants, each grant's removal audited for the
/// holder's company; the declaration itself is audited as `application.roles_changed`.
#[tracing::instrument(skip_all)]
pub async fn declare(
    store: &Store,
    who: Declarer<'_>,
    roles: Vec<(String, String, Option<String>)>,
) -> DomainResult<Vec<AppRole>> {
    let roles = app_role::declaration(&roles)?;
    let (app, ctx) = (who.application(), who.audit());
    store
        .write(move |tx| {
            let now = crate::clock::now_ms();
            db::applications::get(tx, &app)?.ok_or(DomainError::NotFound("application"))?;
            let before: BTreeMap<String, AppRole> = db::app_roles::declared(tx, &app)?
                .into_iter()
                .map(|r| (r.key.clone(), r))
                .collect();
            let diff = Diff::between(&before, &roles);
            if diff.is_empty() {
                return Ok(before.into_values().collect());
            }
            for key in &diff.removed {
                for (user, company) in db::app_roles::holders(tx, &app, key)? {
                    let mut event = NewAuditEvent::new("role.revoked")
                        .target("user", &user)
                        .details(revoked_details(&app, key, &user));
                    if let Some(company) = company {
                        event = event.company(&company);
                    }
                    db::audit::insert(tx, &ctx, &event, now)?;
                }
                db::app_roles::remove(tx, &app, key)?;
            }
            for r in roles.iter().filter(|r| !diff.unchanged(r, &before)) {
                db::app_roles::upsert(tx, &app, r, now)?;
            }
            let event = NewAuditEvent::new("application.roles_changed")
                .target("application", &app)
                .details(json!({
                    "added": diff.added,
                    "changed": diff.changed,
                    "removed": diff.removed,
                }));
            db::audit::insert(tx, &ctx, &event, now)?;
            db::app_roles::declared(tx, &app)
        })
        .await
}

fn revoked_details(app: &ApplicationId, key: &str, user: &UserId) -> serde_json::Value {
    json!({
        "application_id": app.to_string(),
        "role_key": key,
        "user_id": user.to_string(),
        "reason": "role_removed",
    })
}

/// What a new declaration changes, by key.
struct Diff {
    added: Vec<String>,
    changed: Vec<String>,
    removed: Vec<String>,
}

impl Diff {
    fn between(before: &BTreeMap<String, AppRole>, after: &[RoleDecl]) -> Self {
        let keys: std::collections::BTreeSet<&str> = after.iter().map(|r| r.key.as_str()).collect();
        let mut added = Vec::new();
        let mut changed = Vec::new();
        for r in after {
            match before.get(&r.key) {
                None => added.push(r.key.clone()),
                Some(old) if old.name != r.name || old.description != r.description => {
                    changed.push(r.key.clone())
                }
                Some(_) => {}
            }
        }
        let removed = before
            .keys()
            .filter(|k| !keys.contains(k.as_str()))
            .cloned()
            .collect();
        added.sort();
        changed.sort();
        Self {
            added,
            changed,
            removed,
        }
    }

    fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty()
    }

    fn unchanged(&self, r: &RoleDecl, before: &BTreeMap<String, AppRole>) -> bool {
        before.contains_key(&r.key) && !self.changed.contains(&r.key)
    }
}
