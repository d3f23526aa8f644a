//! Request field types that carry their limits. Each is a string or an integer whose schema
//! states the limit (`maxLength`, `pattern`, `minimum`/`maximum`), and whose parsing (serde for
//! bodies, poem-openapi for parameters) enforces that same limit, so the document and the
//! server cannot drift apart. Rules JSON Schema cannot state (CNPJ check digits, reserved
//! slugs, e-mail syntax in full) stay in `domain`; a pattern here is a superset of what the
//! domain accepts, so anything the pattern refuses is refused.

mod bounded;
mod text;
mod timestamp;

pub use bounded::{Fields, Int, List};
pub use text::{Cnpj, Color, Email, HostName, Slug, Text};
pub use timestamp::Timestamp;

/// Limits the domain enforces, restated where the document can show them.
pub const COMPANY_NAME_MAX: usize = crate::domain::company::NAME_MAX;
pub const PERSON_NAME_MAX: usize = crate::domain::user::NAME_MAX;
pub const APP_NAME_MAX: usize = 120;
pub const DESCRIPTION_MAX: usize = 1000;
pub const LABEL_MAX: usize = 100;
pub const DISPLAY_NAME_MAX: usize = 100;
pub const PLAN_MAX: usize = 50;
pub const PHONE_MAX: usize = 32;
pub const PASSWORD_MAX: usize = crate::crypto::password::MAX_LENGTH;
/// Session, login-link, setup and application tokens are far shorter; this only bounds them.
pub const TOKEN_MAX: usize = 512;
/// Search terms.
pub const SEARCH_MAX: usize = 200;
/// Page cursors are base64 of a short key.
pub const CURSOR_MAX: usize = 512;
/// Audit actions (`company.created`).
pub const ACTION_MAX: usize = 64;
/// Typed ids (`cmp_…`, `app_…`) are 30 characters or so.
pub const ID_MAX: usize = 64;
/// `secrets:custom_<40 characters>:read` is the longest scope.
pub const SCOPE_MAX: usize = 100;
pub const MAX_SCOPES: usize = 32;
/// `custom_` and up to 40 characters.
pub const SECRET_KIND_MAX: usize = 47;
/// A host name with a port (`app.example.com:8443`).
pub const HOST_MAX: usize = 260;
pub const SECRET_VALUE_MAX: usize = 4096;
pub const SECRET_FIELDS_MAX: usize = 16;
/// A data URL of a logo of at most 64 KiB: `data:image/jpeg;base64,` and the base64 text.
pub const LOGO_URL_MAX: usize =
    "data:image/jpeg;base64,".len() + crate::domain::validate::MAX_LOGO_BYTES.div_ceil(3) * 4;

/// Users a company may have.
pub type MaxUsers = Int<1, { crate::domain::company::MAX_USERS_LIMIT }>;

/// Checks a string against a maximum length in characters, with the API's wording.
pub(super) fn within(value: &str, max: usize) -> Result<(), String> {
    if value.chars().count() > max {
        return Err(format!("must have at most {max} characters"));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
