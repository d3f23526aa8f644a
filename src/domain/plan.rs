//! Plans: a name, a description and limits (named non-negative integers). `max_users` is
//! required and enforced by armario; every other limit is for applications to enforce. A
//! company has one plan, a trial end date and a subscription status.

use std::collections::BTreeMap;

use super::validate;
use crate::domain::company::{MAX_USERS_LIMIT, PLAN_NAME_MAX};
use crate::error::{DomainError, DomainResult};
use crate::ids::PlanId;

/// The limit armario enforces itself: users not disabled plus pending invitations.
pub const MAX_USERS: &str = "max_users";
pub const DESCRIPTION_MAX: usize = 1000;
pub const LIMIT_NAME_MAX: usize = 64;
pub const LIMITS_MAX: usize = 32;
/// The largest value of a named limit other than `max_users`.
pub const LIMIT_VALUE_MAX: i64 = 1_000_000_000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub id: PlanId,
    pub name: String,
    pub description: String,
    pub limits: BTreeMap<String, i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A plan with how many companies are on it, for the owner's catalogue. Counting walks every
/// company on the plan, so lookups that only check or read a plan's terms use [`Plan`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanInUse {
    pub plan: Plan,
    pub companies: i64,
}

impl Plan {
    pub fn max_users(&self) -> i64 {
        self.limits.get(MAX_USERS).copied().unwrap_or(0)
    }
}

/// A validated plan to create or to replace an existing one's fields with.
#[derive(Clone, Debug)]
pub struct PlanInput {
    pub name: String,
    pub description: String,
    pub limits: BTreeMap<String, i64>,
}

impl PlanInput {
    pub fn validate(
        name: &str,
        description: Option<&str>,
        limits: BTreeMap<String, i64>,
    ) -> DomainResult<Self> {
        let name = validate::required("name", name, PLAN_NAME_MAX)?;
        let description =
            validate::optional("description", description, DESCRIPTION_MAX)?.unwrap_or_default();
        Ok(Self {
            name,
            description,
            limits: validate_limits(limits)?,
        })
    }
}

/// Limit names are lowercase letters, digits and `_`, starting with a letter; values are
/// non-negative; `max_users` is present and between 1 and the user ceiling.
pub fn validate_limits(limits: BTreeMap<String, i64>) -> DomainResult<BTreeMap<String, i64>> {
    if limits.len() > LIMITS_MAX {
        return Err(DomainError::invalid(
            "limits",
            format!("must have at most {LIMITS_MAX} limits"),
        ));
    }
    for (name, value) in &limits {
        let field = format!("limits.{name}");
        let well_formed = name.len() <= LIMIT_NAME_MAX
            && name.starts_with(|c: char| c.is_ascii_lowercase())
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !well_formed {
            return Err(DomainError::invalid(
                "limits",
                format!("limit names are lowercase letters, digits and _, starting with a letter, at most {LIMIT_NAME_MAX} characters"),
            ));
        }
        let (min, max) = if name == MAX_USERS {
            (1, MAX_USERS_LIMIT)
        } else {
            (0, LIMIT_VALUE_MAX)
        };
        if !(min..=max).contains(value) {
            return Err(DomainError::invalid(
                field,
                format!("must be between {min} and {max}"),
            ));
        }
    }
    if !limits.contains_key(MAX_USERS) {
        return Err(DomainError::invalid("limits.max_users", "is required"));
    }
    Ok(limits)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubscriptionStatus {
    Trial,
    Active,
    PastDue,
    Cancelled,
}

impl SubscriptionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Trial => "trial",
            Self::Active => "active",
            Self::PastDue => "past_due",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "trial" => Self::Trial,
            "active" => Self::Active,
            "past_due" => Self::PastDue,
            "cancelled" => Self::Cancelled,
            _ => return None,
        })
    }
}

/// A company's plan as applications and the dashboard read it.
#[derive(Clone, Debug)]
pub struct CompanyPlan {
    pub plan: Plan,
    /// `YYYY-MM-DD`, when the company has a trial.
    pub trial_ends_at: Option<String>,
    pub status: SubscriptionStatus,
    /// Users counted against `max_users`: not disabled, plus pending invitations.
    pub users_used: i64,
}

/// A change to a company's plan, trial end or status; absent fields stay as they are.
#[derive(Clone, Debug, Default)]
pub struct CompanyPlanChange {
    pub plan_id: Option<PlanId>,
    /// `Some(None)` clears the trial end.
    pub trial_ends_at: Option<Option<String>>,
    pub status: Option<SubscriptionStatus>,
}

impl CompanyPlanChange {
    pub fn is_empty(&self) -> bool {
        self.plan_id.is_none() && self.trial_ends_at.is_none() && self.status.is_none()
    }
}

/// A trial end date: `YYYY-MM-DD`, a real day; empty clears it.
pub fn trial_end(field: &str, value: &str) -> DomainResult<Option<String>> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .ok()
        .filter(|d| d.format("%Y-%m-%d").to_string() == v)
        .map(|d| Some(d.format("%Y-%m-%d").to_string()))
        .ok_or_else(|| DomainError::invalid(field, "must be a date as YYYY-MM-DD"))
}

/// The name a plan made for a (name, user limit) pair gets when another plan already has the
/// plain name with a different limit; the same rule migration 0019 used.
pub fn distinguished_name(name: &str, max_users: i64) -> String {
    format!("{name} ({max_users} usuários)")
}

pub const EXTERNAL_ID_MAX: usize = 200;

/// An application's own id for a company: 1 to 200 characters, no control characters; empty
/// clears it.
pub fn external_id(field: &str, value: &str) -> DomainResult<Option<String>> {
    validate::optional(field, Some(value), EXTERNAL_ID_MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(pairs: &[(&str, i64)]) -> BTreeMap<String, i64> {
        pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    #[test]
    fn limits_need_max_users_and_good_names() {
        assert!(validate_limits(limits(&[("max_users", 5), ("max_animals", 0)])).is_ok());
        let field = |r: DomainResult<_>| match r {
            Err(DomainError::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(validate_limits(limits(&[]))), "limits.max_users");
        assert_eq!(
            field(validate_limits(limits(&[("max_users", 0)]))),
            "limits.max_users"
        );
        assert_eq!(
            field(validate_limits(limits(&[("max_users", 1), ("Max", 1)]))),
            "limits"
        );
        assert_eq!(
            field(validate_limits(limits(&[("max_users", 1), ("x", -1)]))),
            "limits.x"
        );
    }

    #[test]
    fn trial_end_is_a_real_day() {
        assert_eq!(
            trial_end("t", "2027-02-28").unwrap().as_deref(),
            Some("2027-02-28")
        );
        assert_eq!(trial_end("t", "").unwrap(), None);
        assert!(trial_end("t", "2027-02-30").is_err());
        assert!(trial_end("t", "2027-2-3").is_err());
    }
}
