//! The kinds of third-party credentials a company can store, and the fields of each.

use std::collections::BTreeMap;

use crate::error::{DomainError, DomainResult};

pub struct KnownKind {
    pub kind: &'static str,
    pub fields: &'static [&'static str],
    /// The field whose last characters make the hint.
    pub hint_field: &'static str,
}

pub const KNOWN: &[KnownKind] = &[
    KnownKind {
        kind: "omie",
        fields: &["app_key", "app_secret"],
        hint_field: "app_secret",
    },
    KnownKind {
        kind: "asaas",
        fields: &["api_key"],
        hint_field: "api_key",
    },
    KnownKind {
        kind: "evolution",
        fields: &["base_url", "instance", "api_key"],
        hint_field: "api_key",
    },
    KnownKind {
        kind: "google_calendar",
        fields: &["client_id", "client_secret", "refresh_token"],
        hint_field: "refresh_token",
    },
];

pub const CUSTOM_PREFIX: &str = "custom_";
const MAX_VALUE: usize = 4096;
const MAX_FIELDS: usize = 16;

/// Checks a kind name: a known one, or `custom_<name>`.
pub fn parse_kind(kind: &str) -> DomainResult<&str> {
    if KNOWN.iter().any(|k| k.kind == kind) {
        return Ok(kind);
    }
    let custom_ok = kind.strip_prefix(CUSTOM_PREFIX).is_some_and(|n| {
        (1..=40).contains(&n.len())
            && n.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    });
    if custom_ok {
        Ok(kind)
    } else {
        Err(DomainError::invalid(
            "kind",
            "must be omie, asaas, evolution, google_calendar or custom_<name> (lowercase letters, digits, _)",
        ))
    }
}

/// Validates the values for `kind` and returns the hint (last 4 characters of the main field).
pub fn validate_values(kind: &str, values: &BTreeMap<String, String>) -> DomainResult<String> {
    if values.is_empty() || values.len() > MAX_FIELDS {
        return Err(DomainError::invalid(
            "values",
            format!("must hold 1 to {MAX_FIELDS} fields"),
        ));
    }
    for (name, value) in values {
        let field = format!("values.{name}");
        if value.trim().is_empty() {
            return Err(DomainError::invalid(field, "is required"));
        }
        if value.chars().count() > MAX_VALUE {
            return Err(DomainError::invalid(
                field,
                format!("must have at most {MAX_VALUE} characters"),
            ));
        }
    }
    let hint_source = match KNOWN.iter().find(|k| k.kind == kind) {
        Some(known) => {
            for f in known.fields {
                if !values.contains_key(*f) {
                    return Err(DomainError::invalid(format!("values.{f}"), "is required"));
                }
            }
            if let Some(extra) = values.keys().find(|k| !known.fields.contains(&k.as_str())) {
                return Err(DomainError::invalid(
                    format!("values.{extra}"),
                    format!("is not a field of {kind}"),
                ));
            }
            &values[known.hint_field]
        }
        None => {
            if let Some(bad) = values.keys().find(|k| {
                k.is_empty()
                    || k.len() > 40
                    || !k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            }) {
                return Err(DomainError::invalid(
                    format!("values.{bad}"),
                    "field names are letters, digits and _",
                ));
            }
            values.values().next().expect("values is not empty")
        }
    };
    Ok(hint(hint_source))
}

fn hint(value: &str) -> String {
    let chars: Vec<char> = value.trim().chars().collect();
    if chars.len() < 12 {
        // Too short to reveal any part of it.
        return "••••".into();
    }
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("••••{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn omie_needs_both_fields_and_hints_the_secret() {
        let mut v = BTreeMap::new();
        v.insert("app_key".to_string(), "1234567890".to_string());
        assert!(validate_values("omie", &v).is_err());
        v.insert("app_secret".to_string(), "abcdefghijklmnop".to_string());
        assert_eq!(validate_values("omie", &v).unwrap(), "••••mnop");
        assert!(parse_kind("custom_erp_x").is_ok());
        assert!(parse_kind("Custom").is_err());
    }
}
