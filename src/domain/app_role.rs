//! Roles an application declares for the users of the companies linked to it (say
//! `technician`, `client`, `agent`), which those companies' admins grant. What a role key and a
//! declaration may be.

use std::collections::BTreeSet;

use crate::domain::validate;
use crate::error::{DomainError, DomainResult};
use crate::ids::ApplicationId;

/// The most roles one application may declare: a form of checkboxes stays readable, and a
/// token stays small.
pub const MAX_ROLES: usize = 50;
pub const KEY_MAX: usize = 40;
pub const NAME_MAX: usize = 80;
pub const DESCRIPTION_MAX: usize = 300;

/// A role an application declared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppRole {
    pub application_id: ApplicationId,
    pub key: String,
    pub name: String,
    pub description: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A role as the application declares it, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleDecl {
    pub key: String,
    pub name: String,
    pub description: Option<String>,
}

/// A role key: a lower-case letter, then up to 39 lower-case letters, digits or underscores,
/// so it reads the same in a token, a URL and a log line.
pub fn is_key(key: &str) -> bool {
    let mut chars = key.chars();
    matches!(chars.next(), Some('a'..='z'))
        && key.len() <= KEY_MAX
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
}

fn key(field: &str, value: &str) -> DomainResult<String> {
    if !is_key(value) {
        return Err(DomainError::invalid(
            field,
            "must start with a lower-case letter and hold only lower-case letters, digits and \
             underscores (at most 40)",
        ));
    }
    Ok(value.to_string())
}

/// A whole declaration, as `(key, name, description)` in the order given: every field is
/// checked and named by its place (`roles[2].key`); a key given twice names its second place.
pub fn declaration(roles: &[(String, String, Option<String>)]) -> DomainResult<Vec<RoleDecl>> {
    if roles.len() > MAX_ROLES {
        return Err(DomainError::invalid(
            "roles",
            format!("an application may declare at most {MAX_ROLES} roles"),
        ));
    }
    let mut seen = BTreeSet::new();
    let mut out = Vec::with_capacity(roles.len());
    for (i, (k, name, description)) in roles.iter().enumerate() {
        let field = |f: &str| format!("roles[{i}].{f}");
        let k = key(&field("key"), k)?;
        if !seen.insert(k.clone()) {
            return Err(DomainError::invalid(
                field("key"),
                format!("the key {k} is given twice"),
            ));
        }
        out.push(RoleDecl {
            key: k,
            name: validate::required(&field("name"), name, NAME_MAX)?,
            description: validate::optional(
                &field("description"),
                description.as_deref(),
                DESCRIPTION_MAX,
            )?,
        });
    }
    Ok(out)
}

/// The keys granted to a user, checked against the application's declared roles: each is named
/// by its place (`roles[1]`). Duplicates are folded; the answer is sorted.
pub fn grant(keys: &[String], declared: &BTreeSet<String>) -> DomainResult<Vec<String>> {
    if keys.len() > MAX_ROLES {
        return Err(DomainError::invalid(
            "roles",
            format!("at most {MAX_ROLES} roles"),
        ));
    }
    let mut out = BTreeSet::new();
    for (i, k) in keys.iter().enumerate() {
        if !declared.contains(k) {
            return Err(DomainError::invalid(
                format!("roles[{i}]"),
                "is not a role the application declares",
            ));
        }
        out.insert(k.clone());
    }
    Ok(out.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decl(k: &str) -> (String, String, Option<String>) {
        (k.into(), "Técnico".into(), None)
    }

    #[test]
    fn keys_are_lower_case_words() {
        for good in ["technician", "a", "agent_2", &"a".repeat(40)] {
            assert!(is_key(good), "{good}");
        }
        for bad in ["", "Tech", "2tech", "_x", "tech-1", "téc", &"a".repeat(41)] {
            assert!(!is_key(bad), "{bad}");
        }
    }

    #[test]
    fn a_declaration_names_the_bad_field() {
        let err = declaration(&[decl("ok"), decl("Bad")]).unwrap_err();
        assert!(matches!(err, DomainError::Invalid { ref field, .. } if field == "roles[1].key"));
        let err = declaration(&[decl("ok"), decl("x"), decl("ok")]).unwrap_err();
        assert!(matches!(err, DomainError::Invalid { ref field, .. } if field == "roles[2].key"));
        let blank = [("ok".into(), " ".into(), None)];
        let err = declaration(&blank).unwrap_err();
        assert!(matches!(err, DomainError::Invalid { ref field, .. } if field == "roles[0].name"));
        let many: Vec<_> = (0..51).map(|i| decl(&format!("r{i}"))).collect();
        assert!(declaration(&many).is_err());
        assert_eq!(declaration(&many[..50]).unwrap().len(), 50);
    }

    #[test]
    fn a_grant_takes_only_declared_keys() {
        let declared: BTreeSet<String> = ["agent".into(), "client".into()].into();
        let keys = vec!["client".into(), "agent".into(), "client".into()];
        assert_eq!(grant(&keys, &declared).unwrap(), ["agent", "client"]);
        let err = grant(&["agent".into(), "boss".into()], &declared).unwrap_err();
        assert!(matches!(err, DomainError::Invalid { ref field, .. } if field == "roles[1]"));
    }
}
