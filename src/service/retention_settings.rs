//! The retention the owner sets in the dashboard: stored in the database, it overrides the
//! `retention_*` settings (which stay the defaults until the owner saves). The daily prune reads
//! it on every run, so a change takes effect at the next run without a restart.

use serde_json::json;

use crate::access::Owner;
use crate::config::SIGNIN_MIN_DAYS;
use crate::db::retention::Policy;
use crate::db::{self, Store};
use crate::domain::NewAuditEvent;
use crate::error::{DomainError, DomainResult};
use crate::service::change::{audited, Change};

/// Upper bounds: past these a value is more likely a typo than a policy.
pub const AUDIT_MAX_DAYS: u32 = 7300;
pub const SIGNIN_MAX_DAYS: u32 = 3650;
pub const USAGE_MAX_DAYS: u32 = 3650;
pub const SESSIONS_MAX_DAYS: u32 = 365;

/// The policy in force and when the owner set it (`None`: the defaults of the settings).
pub struct Effective {
    pub policy: Policy,
    pub updated_at: Option<i64>,
}

pub async fn effective(store: &Store, defaults: Policy) -> DomainResult<Effective> {
    let stored = store.read(db::retention_settings::get).await?;
    Ok(match stored {
        Some((policy, at)) => Effective {
            policy,
            updated_at: Some(at),
        },
        None => Effective {
            policy: defaults,
            updated_at: None,
        },
    })
}

fn within(field: &str, value: u32, min: u32, max: u32) -> DomainResult<()> {
    if value < min || value > max {
        return Err(DomainError::invalid(
            field,
            format!("must be between {min} and {max} days"),
        ));
    }
    Ok(())
}

/// Sign-in records at least six months (Marco Civil da Internet, art. 15); audit events at
/// least as long as sign-ins, since a sign-in record is an audit event.
pub fn validate(p: &Policy) -> DomainResult<()> {
    if p.signin_days < SIGNIN_MIN_DAYS {
        return Err(DomainError::invalid(
            "signin_days",
            format!(
                "sign-in records must be kept at least {SIGNIN_MIN_DAYS} days (Marco Civil da Internet, art. 15)"
            ),
        ));
    }
    within(
        "signin_days",
        p.signin_days,
        SIGNIN_MIN_DAYS,
        SIGNIN_MAX_DAYS,
    )?;
    if p.audit_days < p.signin_days {
        return Err(DomainError::invalid(
            "audit_days",
            format!(
                "must be at least the sign-in retention ({} days)",
                p.signin_days
            ),
        ));
    }
    within("audit_days", p.audit_days, 1, AUDIT_MAX_DAYS)?;
    within("usage_days", p.usage_days, 1, USAGE_MAX_DAYS)?;
    within("sessions_days", p.sessions_days, 1, SESSIONS_MAX_DAYS)
}

pub async fn set(
    store: &Store,
    owner: &Owner,
    defaults: Policy,
    p: Policy,
) -> DomainResult<Effective> {
    validate(&p)?;
    store
        .write(audited(owner.audit(), move |tx, now| {
            let before = db::retention_settings::get(tx)?.map_or(defaults, |(p, _)| p);
            db::retention_settings::set(tx, &p, now)?;
            let days = |p: &Policy| {
                json!({
                    "audit_days": p.audit_days,
                    "signin_days": p.signin_days,
                    "usage_days": p.usage_days,
                    "sessions_days": p.sessions_days,
                })
            };
            let event = NewAuditEvent::new("retention.changed")
                .details(json!({ "from": days(&before), "to": days(&p) }));
            Ok(Change::audited(
                Effective {
                    policy: p,
                    updated_at: Some(now),
                },
                event,
            ))
        }))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(audit: u32, signin: u32) -> Policy {
        Policy {
            audit_days: audit,
            signin_days: signin,
            usage_days: 730,
            sessions_days: 30,
        }
    }

    #[test]
    fn floors_and_bounds_name_their_field() {
        let field = |r: DomainResult<()>| match r {
            Err(DomainError::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(validate(&p(1825, 30))), "signin_days");
        assert_eq!(field(validate(&p(200, 365))), "audit_days");
        assert_eq!(field(validate(&p(99_999, 365))), "audit_days");
        assert!(validate(&p(183, 183)).is_ok());
    }
}
