//! Companies (tenants) and the rules on their fields.

use super::{cnpj, host, validate};
use crate::domain::plan::SubscriptionStatus;
use crate::error::{DomainError, DomainResult};
use crate::ids::{CompanyId, PlanId};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompanyStatus {
    Pending,
    Active,
    Suspended,
    Cancelled,
}

impl CompanyStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Active => "active",
            Self::Suspended => "suspended",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => Self::Pending,
            "active" => Self::Active,
            "suspended" => Self::Suspended,
            "cancelled" => Self::Cancelled,
            _ => return None,
        })
    }
}

#[derive(Clone, Debug)]
pub struct Company {
    pub id: CompanyId,
    pub legal_name: String,
    pub trade_name: Option<String>,
    pub cnpj: String,
    pub slug: String,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub status: CompanyStatus,
    pub plan: String,
    pub max_users: i64,
    pub user_count: i64,
    pub display_name: Option<String>,
    pub primary_color: Option<String>,
    /// Whether a logo is set. The image is read on its own (`db::companies::logo`), so lists
    /// never load it.
    pub has_logo: bool,
    pub created_at: i64,
    pub updated_at: i64,
    /// What an unapproved sign-up clashes with; empty for every other company.
    pub conflicts: Vec<SignupConflict>,
    /// Whether the company's people may sign in with a link e-mailed to them.
    pub magic_link_sign_in: bool,
    /// The plan `plan` and `max_users` are read from.
    pub plan_id: PlanId,
    /// `YYYY-MM-DD`, when the company has a trial.
    pub trial_ends_at: Option<String>,
    pub subscription_status: SubscriptionStatus,
}

/// The name people see for a company: its display name, else its trade name, else its legal
/// name (a blank name counts as none).
pub fn shown_name<'a>(display: Option<&'a str>, trade: Option<&'a str>, legal: &'a str) -> &'a str {
    [display, trade]
        .into_iter()
        .flatten()
        .find(|n| !n.trim().is_empty())
        .unwrap_or(legal)
}

impl Company {
    pub fn shown_name(&self) -> &str {
        shown_name(
            self.display_name.as_deref(),
            self.trade_name.as_deref(),
            &self.legal_name,
        )
    }
}

/// A clash between a pending sign-up and a live company or user, or another pending sign-up.
/// Sign-up answers the same whatever it clashes with; only the owner sees these.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignupConflict {
    /// A created or approved company has this CNPJ.
    CnpjInUse,
    /// Another pending sign-up has this CNPJ.
    CnpjInOtherSignup,
    /// A user who is not pending has the sign-up admin's e-mail.
    EmailInUse,
    /// The admin of another pending sign-up has this e-mail.
    EmailInOtherSignup,
}

impl SignupConflict {
    const ALL: [Self; 4] = [
        Self::CnpjInUse,
        Self::CnpjInOtherSignup,
        Self::EmailInUse,
        Self::EmailInOtherSignup,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::CnpjInUse => "cnpj_in_use",
            Self::CnpjInOtherSignup => "cnpj_in_other_signup",
            Self::EmailInUse => "email_in_use",
            Self::EmailInOtherSignup => "email_in_other_signup",
        }
    }

    /// Decodes the bit set the store computes (bit n is `ALL[n]`).
    pub fn from_bits(bits: i64) -> Vec<Self> {
        Self::ALL
            .iter()
            .enumerate()
            .filter(|(n, _)| bits & (1 << n) != 0)
            .map(|(_, c)| *c)
            .collect()
    }
}

/// Raw input for a new company, as it arrives.
#[derive(Debug, Default)]
pub struct CompanyInput {
    pub legal_name: String,
    pub trade_name: Option<String>,
    pub cnpj: String,
    pub slug: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub plan: Option<String>,
    pub max_users: Option<i64>,
    pub plan_id: Option<String>,
    pub display_name: Option<String>,
    pub primary_color: Option<String>,
    pub logo_data_url: Option<String>,
}

/// A validated new company.
#[derive(Clone, Debug)]
pub struct NewCompany {
    pub legal_name: String,
    pub trade_name: Option<String>,
    pub cnpj: String,
    pub slug: String,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    /// The older way to choose a plan: by name and user limit (`db::plans::for_legacy`).
    pub plan: String,
    pub max_users: i64,
    /// The plan, when chosen by id; `plan` and `max_users` are then unused.
    pub plan_id: Option<PlanId>,
    pub display_name: Option<String>,
    pub primary_color: Option<String>,
    pub logo_data_url: Option<String>,
}

/// A plan's name: room for a name of the older `plan` field (50) and the user limit the
/// migration may append to tell two plans of one name apart.
pub const PLAN_NAME_MAX: usize = 80;

/// A plan id from outside: one that cannot name a plan is "no such plan"; `plan_id` excludes
/// the older `plan`/`max_users` fields.
pub fn plan_id(raw: Option<&str>, legacy: bool) -> DomainResult<Option<PlanId>> {
    let Some(raw) = raw else { return Ok(None) };
    if legacy {
        return Err(DomainError::invalid(
            "plan_id",
            "give plan_id, or plan and max_users, not both",
        ));
    }
    PlanId::parse(raw.trim())
        .map(Some)
        .ok_or_else(|| DomainError::invalid("plan_id", "no such plan"))
}

pub const NAME_MAX: usize = 200;
/// The plan of a company created or signed up without one: a pt-BR name, like the plan names
/// people give (the product speaks pt-BR first), and the same for every way in.
pub const DEFAULT_PLAN: &str = "Padrão";
pub const DEFAULT_MAX_USERS: i64 = 25;
pub const MAX_USERS_LIMIT: i64 = 100_000;

pub fn max_users(field: &str, value: i64) -> DomainResult<i64> {
    if !(1..=MAX_USERS_LIMIT).contains(&value) {
        return Err(DomainError::invalid(
            field,
            format!("must be between 1 and {MAX_USERS_LIMIT}"),
        ));
    }
    Ok(value)
}

/// A slug a person chose: well formed and not kept for the platform.
pub fn slug(field: &str, value: &str) -> DomainResult<String> {
    let s = validate::slug(field, value)?;
    host::require_unreserved_slug(field, &s)?;
    Ok(s)
}

impl NewCompany {
    pub fn validate(input: CompanyInput) -> DomainResult<Self> {
        let legal_name = validate::required("legal_name", &input.legal_name, NAME_MAX)?;
        let trade_name = validate::optional("trade_name", input.trade_name.as_deref(), NAME_MAX)?;
        let cnpj = cnpj::normalize("cnpj", &input.cnpj)?;
        let slug = match input
            .slug
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(s) => slug("slug", s)?,
            None => validate::slugify(trade_name.as_deref().unwrap_or(&legal_name)),
        };
        Ok(Self {
            legal_name,
            trade_name,
            cnpj,
            slug,
            contact_email: validate::optional_email(
                "contact_email",
                input.contact_email.as_deref(),
            )?,
            contact_phone: validate::optional_phone(
                "contact_phone",
                input.contact_phone.as_deref(),
            )?,
            plan: validate::optional("plan", input.plan.as_deref(), 50)?
                .unwrap_or_else(|| DEFAULT_PLAN.into()),
            max_users: max_users("max_users", input.max_users.unwrap_or(DEFAULT_MAX_USERS))?,
            plan_id: plan_id(
                input.plan_id.as_deref(),
                input.plan.is_some() || input.max_users.is_some(),
            )?,
            display_name: validate::optional("display_name", input.display_name.as_deref(), 100)?,
            primary_color: validate::optional_color(
                "primary_color",
                input.primary_color.as_deref(),
            )?,
            logo_data_url: validate::optional_logo(
                "logo_data_url",
                input.logo_data_url.as_deref(),
            )?,
        })
    }
}

/// A change to a company. `Some(None)` clears an optional field.
#[derive(Debug, Default)]
pub struct CompanyPatch {
    pub legal_name: Option<String>,
    pub trade_name: Option<Option<String>>,
    pub cnpj: Option<String>,
    pub slug: Option<String>,
    pub contact_email: Option<Option<String>>,
    pub contact_phone: Option<Option<String>>,
    pub plan: Option<String>,
    pub max_users: Option<i64>,
    pub plan_id: Option<PlanId>,
    pub display_name: Option<Option<String>>,
    pub primary_color: Option<Option<String>>,
    pub logo_data_url: Option<Option<String>>,
    pub magic_link_sign_in: Option<bool>,
}

impl CompanyPatch {
    /// Validates raw input where an empty string clears an optional field.
    pub fn validate(input: CompanyInputPatch) -> DomainResult<Self> {
        let opt = |f: &str, v: Option<String>, max| -> DomainResult<Option<Option<String>>> {
            v.map(|v| validate::optional(f, Some(&v), max)).transpose()
        };
        let legacy = input.plan.is_some() || input.max_users.is_some();
        let plan_id = plan_id(input.plan_id.as_deref(), legacy)?;
        Ok(Self {
            legal_name: input
                .legal_name
                .map(|v| validate::required("legal_name", &v, NAME_MAX))
                .transpose()?,
            trade_name: opt("trade_name", input.trade_name, NAME_MAX)?,
            cnpj: input
                .cnpj
                .map(|v| cnpj::normalize("cnpj", &v))
                .transpose()?,
            slug: input.slug.map(|v| slug("slug", &v)).transpose()?,
            contact_email: input
                .contact_email
                .map(|v| validate::optional_email("contact_email", Some(&v)))
                .transpose()?,
            contact_phone: input
                .contact_phone
                .map(|v| validate::optional_phone("contact_phone", Some(&v)))
                .transpose()?,
            plan: input
                .plan
                .map(|v| validate::required("plan", &v, 50))
                .transpose()?,
            max_users: input
                .max_users
                .map(|v| max_users("max_users", v))
                .transpose()?,
            plan_id,
            display_name: opt("display_name", input.display_name, 100)?,
            primary_color: input
                .primary_color
                .map(|v| validate::optional_color("primary_color", Some(&v)))
                .transpose()?,
            logo_data_url: input
                .logo_data_url
                .map(|v| validate::optional_logo("logo_data_url", Some(&v)))
                .transpose()?,
            magic_link_sign_in: input.magic_link_sign_in,
        })
        .and_then(|patch: Self| {
            if patch.is_empty() {
                return Err(DomainError::invalid(
                    "body",
                    "must name at least one field to change",
                ));
            }
            Ok(patch)
        })
    }

    fn is_empty(&self) -> bool {
        self.touches_owner_fields().is_none()
            && self.legal_name.is_none()
            && self.trade_name.is_none()
            && self.contact_email.is_none()
            && self.contact_phone.is_none()
            && self.display_name.is_none()
            && self.primary_color.is_none()
            && self.logo_data_url.is_none()
            && self.magic_link_sign_in.is_none()
    }

    /// Fields only the owner may change.
    pub fn touches_owner_fields(&self) -> Option<&'static str> {
        if self.plan.is_some() {
            Some("plan")
        } else if self.plan_id.is_some() {
            Some("plan_id")
        } else if self.max_users.is_some() {
            Some("max_users")
        } else if self.slug.is_some() {
            Some("slug")
        } else if self.cnpj.is_some() {
            Some("cnpj")
        } else {
            None
        }
    }

    /// Names of the fields whose value this patch changes on `current`, for the audit log; a
    /// patch that sets every field to what it already is changes nothing.
    pub fn changed_fields(&self, current: &Company) -> Vec<&'static str> {
        let mut out = Vec::new();
        macro_rules! push {
            ($($f:ident),*) => { $(
                if self.$f.as_ref().is_some_and(|v| *v != current.$f) {
                    out.push(stringify!($f));
                }
            )* };
        }
        push!(
            legal_name,
            trade_name,
            cnpj,
            slug,
            contact_email,
            contact_phone,
            plan,
            max_users,
            plan_id,
            display_name,
            primary_color,
            magic_link_sign_in
        );
        out
    }

    /// Whether this patch changes the logo stored now (`current`).
    pub fn changes_logo(&self, current: Option<&str>) -> bool {
        self.logo_data_url
            .as_ref()
            .is_some_and(|v| v.as_deref() != current)
    }
}

/// Raw patch input, as it arrives.
#[derive(Debug, Default)]
pub struct CompanyInputPatch {
    pub legal_name: Option<String>,
    pub trade_name: Option<String>,
    pub cnpj: Option<String>,
    pub slug: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub plan: Option<String>,
    pub max_users: Option<i64>,
    pub plan_id: Option<String>,
    pub display_name: Option<String>,
    pub primary_color: Option<String>,
    pub logo_data_url: Option<String>,
    pub magic_link_sign_in: Option<bool>,
}

/// Filters for listing companies.
#[derive(Debug, Default)]
pub struct CompanyFilter {
    pub search: Option<String>,
    pub status: Option<CompanyStatus>,
    /// Restricts the list to one company (non-owners see only their own).
    pub only: Option<CompanyId>,
}
