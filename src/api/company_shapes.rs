//! The shapes of companies in the API: a company as answered, its status and the sign-up
//! clashes it reports, a page of companies and its order, and the bodies that create and edit
//! one, with their conversions to and from the domain's types.

use poem_openapi::{Enum, Object};
use serde::{Deserialize, Serialize};

use crate::api::input::{
    Cnpj, Color, Email, MaxUsers, Slug, Text, COMPANY_NAME_MAX, DISPLAY_NAME_MAX, ID_MAX,
    LOGO_URL_MAX, PHONE_MAX, PLAN_MAX,
};
use crate::api::logos::{app_logo_url, user_logo_url};
use crate::api::time::ts;
use crate::domain::company::{
    Company, CompanyInput, CompanyInputPatch, CompanyStatus, SignupConflict,
};
use crate::domain::company_sort::{CompanySort, SortKey};

#[derive(Enum, Serialize, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum CompanyStatusDto {
    Pending,
    Active,
    Suspended,
    Cancelled,
}

impl From<CompanyStatus> for CompanyStatusDto {
    fn from(s: CompanyStatus) -> Self {
        match s {
            CompanyStatus::Pending => Self::Pending,
            CompanyStatus::Active => Self::Active,
            CompanyStatus::Suspended => Self::Suspended,
            CompanyStatus::Cancelled => Self::Cancelled,
        }
    }
}

impl From<CompanyStatusDto> for CompanyStatus {
    fn from(s: CompanyStatusDto) -> Self {
        match s {
            CompanyStatusDto::Pending => Self::Pending,
            CompanyStatusDto::Active => Self::Active,
            CompanyStatusDto::Suspended => Self::Suspended,
            CompanyStatusDto::Cancelled => Self::Cancelled,
        }
    }
}

// Also `Serialize`, written to the same JSON as its `ToJSON` (a test compares the two), so a
// page of companies is written out directly instead of through a `serde_json::Value`.
/// A company (tenant).
#[derive(Object, Serialize)]
#[oai(rename = "Company")]
pub struct CompanyOut {
    id: String,
    legal_name: String,
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    trade_name: Option<String>,
    /// 14 characters without punctuation, letters in upper case: 12 letters or digits, then
    /// 2 check digits (`11222333000181`, `12ABC34501DE35`).
    cnpj: String,
    slug: String,
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    contact_email: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    contact_phone: Option<String>,
    status: CompanyStatusDto,
    /// The plan's name.
    plan: String,
    /// The plan's limit of users (active and pending).
    max_users: i64,
    /// The plan (`GET /plans/{id}`; its limits: `GET /companies/{id}/plan`).
    plan_id: String,
    /// The last day of the company's trial (`YYYY-MM-DD`); absent without a trial.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    trial_ends_at: Option<String>,
    subscription_status: crate::api::plans::SubscriptionStatusDto,
    /// Users counted against the limit.
    user_count: i64,
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    display_name: Option<String>,
    /// `#rrggbb`.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    primary_color: Option<String>,
    /// Where to fetch the logo image (absent without a logo): relative to the server, with
    /// the caller's credentials. It changes whenever the company does, so it may be cached.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    logo_url: Option<String>,
    #[serde(serialize_with = "rfc3339")]
    created_at: chrono::DateTime<chrono::Utc>,
    #[serde(serialize_with = "rfc3339")]
    updated_at: chrono::DateTime<chrono::Utc>,
    /// For a sign-up waiting for approval: what it clashes with. Approving a sign-up whose
    /// CNPJ or admin e-mail is in use is refused; cancelling it frees both. Absent otherwise.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    conflicts: Option<Vec<SignupConflictDto>>,
    /// Whether the company's people may sign in with a single-use link e-mailed to them
    /// (`POST /auth/magic-link`). Off unless the owner or a company admin switches it on.
    magic_link_sign_in: bool,
}

/// A pending sign-up's clash: `cnpj_in_use` (a live company has the CNPJ),
/// `cnpj_in_other_signup`, `email_in_use` (a live user has the admin's e-mail),
/// `email_in_other_signup`.
#[derive(poem_openapi::Enum, Serialize)]
#[oai(rename = "SignupConflict", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
enum SignupConflictDto {
    CnpjInUse,
    CnpjInOtherSignup,
    EmailInUse,
    EmailInOtherSignup,
}

impl From<SignupConflict> for SignupConflictDto {
    fn from(c: SignupConflict) -> Self {
        match c {
            SignupConflict::CnpjInUse => Self::CnpjInUse,
            SignupConflict::CnpjInOtherSignup => Self::CnpjInOtherSignup,
            SignupConflict::EmailInUse => Self::EmailInUse,
            SignupConflict::EmailInOtherSignup => Self::EmailInOtherSignup,
        }
    }
}

/// A time as `ToJSON` writes it (`2026-12-04T12:00:00.123+00:00`), not as chrono's own
/// `Serialize` does (`…Z`).
fn rfc3339<S: serde::Serializer>(
    time: &chrono::DateTime<chrono::Utc>,
    out: S,
) -> Result<S::Ok, S::Error> {
    out.serialize_str(&time.to_rfc3339())
}

impl From<Company> for CompanyOut {
    fn from(c: Company) -> Self {
        Self {
            id: c.id.to_string(),
            legal_name: c.legal_name,
            trade_name: c.trade_name,
            cnpj: c.cnpj,
            slug: c.slug,
            contact_email: c.contact_email,
            contact_phone: c.contact_phone,
            status: c.status.into(),
            plan: c.plan,
            max_users: c.max_users,
            plan_id: c.plan_id.to_string(),
            trial_ends_at: c.trial_ends_at,
            subscription_status: c.subscription_status.into(),
            user_count: c.user_count,
            display_name: c.display_name,
            primary_color: c.primary_color,
            logo_url: c.has_logo.then(|| user_logo_url(&c.id, c.updated_at)),
            created_at: ts(c.created_at),
            updated_at: ts(c.updated_at),
            conflicts: (!c.conflicts.is_empty())
                .then(|| c.conflicts.into_iter().map(Into::into).collect()),
            magic_link_sign_in: c.magic_link_sign_in,
        }
    }
}

impl CompanyOut {
    /// The company as an application sees it: its logo URL is the application route.
    pub fn for_app(c: Company) -> Self {
        let url = c.has_logo.then(|| app_logo_url(&c.id, c.updated_at));
        Self {
            logo_url: url,
            ..c.into()
        }
    }
}

/// A page of companies.
#[derive(Object, Serialize)]
pub(super) struct CompanyList {
    pub(super) items: Vec<CompanyOut>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) next_cursor: Option<String>,
    /// How many companies match `q` and `status` among those the caller may see, on every
    /// page (a company admin's total is at most 1).
    pub(super) total: u64,
}

/// The order of the companies list: `name` (the name people see: display name, else trade
/// name, else legal name; accents and case ignored), `cnpj`, `status` (by code: active,
/// cancelled, pending, suspended) or `created`; a leading `-` reverses it. Ties are broken by
/// id, so pages never repeat or skip a company.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename = "CompanySort")]
pub enum CompanySortDto {
    #[oai(rename = "name")]
    Name,
    #[oai(rename = "-name")]
    NameDesc,
    #[oai(rename = "cnpj")]
    Cnpj,
    #[oai(rename = "-cnpj")]
    CnpjDesc,
    #[oai(rename = "status")]
    Status,
    #[oai(rename = "-status")]
    StatusDesc,
    #[oai(rename = "created")]
    Created,
    #[oai(rename = "-created")]
    CreatedDesc,
}

impl From<CompanySortDto> for CompanySort {
    fn from(s: CompanySortDto) -> Self {
        use CompanySortDto as D;
        let (key, descending) = match s {
            D::Name => (SortKey::Name, false),
            D::NameDesc => (SortKey::Name, true),
            D::Cnpj => (SortKey::Cnpj, false),
            D::CnpjDesc => (SortKey::Cnpj, true),
            D::Status => (SortKey::Status, false),
            D::StatusDesc => (SortKey::Status, true),
            D::Created => (SortKey::Created, false),
            D::CreatedDesc => (SortKey::Created, true),
        };
        Self { key, descending }
    }
}

/// A new company. Text fields are trimmed; limits: names 200 characters, e-mail 254.
#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompanyCreateIn {
    pub legal_name: Text<COMPANY_NAME_MAX>,
    #[oai(nullable)]
    pub trade_name: Option<Text<COMPANY_NAME_MAX>>,
    /// Numeric or alphanumeric, formatted (`12.ABC.345/01DE-35`) or bare (`12ABC34501DE35`), in
    /// any case; the punctuation `.` `/` `-` only at its standard places, nothing else inside.
    /// Check digits are verified; stored bare in upper case.
    pub cnpj: Cnpj,
    /// Lowercase letters, digits and hyphens; derived from the name when absent. Names the
    /// platform keeps (`www`, `api`, `admin`, `portal`, … see the README) are refused.
    #[oai(nullable)]
    pub slug: Option<Slug>,
    #[oai(nullable)]
    pub contact_email: Option<Email>,
    #[oai(nullable)]
    pub contact_phone: Option<Text<PHONE_MAX>>,
    /// The older way to choose a plan, with `max_users`: the plan of this name and user limit,
    /// made when there is none (default `Padrão`).
    #[oai(nullable)]
    pub plan: Option<Text<PLAN_MAX>>,
    /// 1 to 100000; default 25.
    #[oai(nullable)]
    pub max_users: Option<MaxUsers>,
    /// The plan, by id; not with `plan` or `max_users`.
    #[oai(nullable)]
    pub plan_id: Option<Text<ID_MAX>>,
    #[oai(nullable)]
    pub display_name: Option<Text<DISPLAY_NAME_MAX>>,
    #[oai(nullable)]
    pub primary_color: Option<Color>,
    /// `data:image/png;base64,…` (PNG, JPEG, WebP or GIF), at most 64 KiB.
    #[oai(nullable)]
    pub logo_data_url: Option<Text<LOGO_URL_MAX>>,
}

impl From<CompanyCreateIn> for CompanyInput {
    fn from(b: CompanyCreateIn) -> Self {
        Self {
            legal_name: b.legal_name.into(),
            trade_name: b.trade_name.map(Into::into),
            cnpj: b.cnpj.into(),
            slug: b.slug.map(Into::into),
            contact_email: b.contact_email.map(Into::into),
            contact_phone: b.contact_phone.map(Into::into),
            plan: b.plan.map(Into::into),
            max_users: b.max_users.map(MaxUsers::get),
            plan_id: b.plan_id.map(Into::into),
            display_name: b.display_name.map(Into::into),
            primary_color: b.primary_color.map(Into::into),
            logo_data_url: b.logo_data_url.map(Into::into),
        }
    }
}

/// Changes to a company; absent fields stay as they are, an empty string clears an optional
/// field. Company admins may not change `plan`, `max_users`, `plan_id`, `slug` or `cnpj`.
#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CompanyPatchIn {
    #[oai(nullable)]
    legal_name: Option<Text<COMPANY_NAME_MAX>>,
    #[oai(nullable)]
    trade_name: Option<Text<COMPANY_NAME_MAX>>,
    /// As on creation: numeric or alphanumeric, formatted or bare.
    #[oai(nullable)]
    cnpj: Option<Cnpj>,
    /// As on creation; reserved names are refused.
    #[oai(nullable)]
    slug: Option<Slug>,
    #[oai(nullable)]
    contact_email: Option<Email>,
    #[oai(nullable)]
    contact_phone: Option<Text<PHONE_MAX>>,
    /// Moves the company to the plan of this name (with `max_users`, of this name and limit),
    /// made when there is none.
    #[oai(nullable)]
    plan: Option<Text<PLAN_MAX>>,
    #[oai(nullable)]
    max_users: Option<MaxUsers>,
    /// Moves the company to this plan; not with `plan` or `max_users`.
    #[oai(nullable)]
    plan_id: Option<Text<ID_MAX>>,
    #[oai(nullable)]
    display_name: Option<Text<DISPLAY_NAME_MAX>>,
    #[oai(nullable)]
    primary_color: Option<Color>,
    #[oai(nullable)]
    logo_data_url: Option<Text<LOGO_URL_MAX>>,
    /// Switches sign-in by e-mailed link on or off for the company's people.
    #[oai(nullable)]
    magic_link_sign_in: Option<bool>,
}

impl From<CompanyPatchIn> for CompanyInputPatch {
    fn from(b: CompanyPatchIn) -> Self {
        Self {
            legal_name: b.legal_name.map(Into::into),
            trade_name: b.trade_name.map(Into::into),
            cnpj: b.cnpj.map(Into::into),
            slug: b.slug.map(Into::into),
            contact_email: b.contact_email.map(Into::into),
            contact_phone: b.contact_phone.map(Into::into),
            plan: b.plan.map(Into::into),
            max_users: b.max_users.map(MaxUsers::get),
            plan_id: b.plan_id.map(Into::into),
            display_name: b.display_name.map(Into::into),
            primary_color: b.primary_color.map(Into::into),
            logo_data_url: b.logo_data_url.map(Into::into),
            magic_link_sign_in: b.magic_link_sign_in,
        }
    }
}

#[cfg(test)]
mod tests {
    use poem_openapi::types::ToJSON;

    use super::*;
    use crate::domain::plan::SubscriptionStatus;
    use crate::ids::{CompanyId, PlanId};

    fn company(full: bool, status: CompanyStatus, sub: SubscriptionStatus) -> Company {
        let some = |s: &str| full.then(|| s.to_string());
        Company {
            id: CompanyId::generate(),
            legal_name: "Comércio \"São Paulo\" Ltda\n".into(),
            trade_name: some("Loja <Paulista> & Cia"),
            cnpj: "12ABC34501DE35".into(),
            slug: "sao-paulo".into(),
            contact_email: some("contato@empresa.com.br"),
            contact_phone: some("+55 11 91234-5678"),
            status,
            plan: "Básico".into(),
            max_users: 25,
            user_count: 3,
            display_name: some("SP \u{1F600}"),
            primary_color: some("#1a2b3c"),
            has_logo: full,
            created_at: 1_764_849_600_123,
            updated_at: 1_764_849_600_000,
            conflicts: if full {
                vec![
                    SignupConflict::CnpjInUse,
                    SignupConflict::CnpjInOtherSignup,
                    SignupConflict::EmailInUse,
                    SignupConflict::EmailInOtherSignup,
                ]
            } else {
                Vec::new()
            },
            magic_link_sign_in: full,
            plan_id: PlanId::generate(),
            trial_ends_at: some("2026-12-31"),
            subscription_status: sub,
        }
    }

    /// The page written through `Serialize` is byte for byte what `ToJSON` writes, for every
    /// status, with every optional field present and with none.
    #[test]
    fn a_page_serializes_exactly_as_its_schema_writes_it() {
        let statuses = [
            CompanyStatus::Pending,
            CompanyStatus::Active,
            CompanyStatus::Suspended,
            CompanyStatus::Cancelled,
        ];
        let subs = [
            SubscriptionStatus::Trial,
            SubscriptionStatus::Active,
            SubscriptionStatus::PastDue,
            SubscriptionStatus::Cancelled,
        ];
        let mut items = Vec::new();
        for (status, sub) in statuses.into_iter().zip(subs) {
            for full in [true, false] {
                items.push(CompanyOut::from(company(full, status, sub)));
            }
        }
        for next_cursor in [Some("c2Vlaw==".to_string()), None] {
            let page = CompanyList {
                items: items.drain(..2).collect(),
                next_cursor,
                total: 1_000_000,
            };
            let direct = serde_json::to_string(&page).unwrap();
            assert_eq!(direct, page.to_json_string());
            assert!(direct.contains("+00:00"), "{direct}");
        }
        let rest = CompanyList {
            items,
            next_cursor: None,
            total: 0,
        };
        assert_eq!(serde_json::to_string(&rest).unwrap(), rest.to_json_string());
    }
}
