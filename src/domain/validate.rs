//! Field validation helpers. Every error names its field and says why.

use crate::error::{DomainError, DomainResult};

/// A required text field: trimmed, non-empty, at most `max` characters.
pub fn required(field: &str, value: &str, max: usize) -> DomainResult<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(DomainError::invalid(field, "is required"));
    }
    bounded(field, v, max)
}

/// An optional text field: empty means absent.
pub fn optional(field: &str, value: Option<&str>, max: usize) -> DomainResult<Option<String>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => bounded(field, v, max).map(Some),
    }
}

fn bounded(field: &str, v: &str, max: usize) -> DomainResult<String> {
    if v.chars().count() > max {
        return Err(DomainError::invalid(
            field,
            format!("must have at most {max} characters"),
        ));
    }
    super::text::check(field, v)?;
    Ok(v.to_string())
}

/// An e-mail address as RFC 5322 writes one (checked by the `email_address` crate): a
/// dot-atom local part (no quoted strings) and a domain of at least two labels, each of
/// letters, digits and hyphens (no `a@b..com`, no `[1.2.3.4]`). Stored in lower case.
pub fn email(field: &str, value: &str) -> DomainResult<String> {
    use email_address::{EmailAddress, Options};
    let v = required(field, value, 254)?.to_lowercase();
    let options = Options::default()
        .with_required_tld()
        .without_domain_literal()
        .without_display_text();
    let parsed = EmailAddress::parse_with_options(&v, options)
        .map_err(|e| DomainError::invalid(field, format!("must be an e-mail address ({e})")))?;
    if parsed.local_part().starts_with('"') {
        return Err(DomainError::invalid(
            field,
            "must be an e-mail address without quotes",
        ));
    }
    Ok(v)
}

pub fn optional_email(field: &str, value: Option<&str>) -> DomainResult<Option<String>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => email(field, v).map(Some),
    }
}

pub fn optional_phone(field: &str, value: Option<&str>) -> DomainResult<Option<String>> {
    let Some(v) = optional(field, value, 32)? else {
        return Ok(None);
    };
    let digits = v.chars().filter(char::is_ascii_digit).count();
    let allowed = v
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '(' | ')' | '-'));
    if !allowed || !(8..=15).contains(&digits) {
        return Err(DomainError::invalid(
            field,
            "must be a phone number with 8 to 15 digits",
        ));
    }
    Ok(Some(v))
}

pub fn slug(field: &str, value: &str) -> DomainResult<String> {
    let v = value.trim().to_lowercase();
    let ok = (3..=63).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !v.starts_with('-')
        && !v.ends_with('-');
    if !ok {
        return Err(DomainError::invalid(
            field,
            "must be 3 to 63 lowercase letters, digits or hyphens, not starting or ending with a hyphen",
        ));
    }
    Ok(v)
}

/// Derives a slug from a name: lowercase ASCII, accents dropped, hyphens between words.
pub fn slugify(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars().flat_map(fold_accent) {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let mut s: String = out.trim_matches('-').chars().take(50).collect();
    s = s.trim_end_matches('-').to_string();
    while s.len() < 3 {
        s.push('x');
    }
    s
}

fn fold_accent(c: char) -> Option<char> {
    const FROM: &str = "áàâãäéèêëíìîïóòôõöúùûüçñÁÀÂÃÄÉÈÊËÍÌÎÏÓÒÔÕÖÚÙÛÜÇÑ";
    const TO: &str = "aaaaaeeeeiiiiooooouuuucnAAAAAEEEEIIIIOOOOOUUUUCN";
    match FROM.chars().position(|f| f == c) {
        Some(i) => TO.chars().nth(i),
        None => Some(c),
    }
}

pub fn optional_color(field: &str, value: Option<&str>) -> DomainResult<Option<String>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => {
            let ok =
                v.len() == 7 && v.starts_with('#') && v[1..].bytes().all(|b| b.is_ascii_hexdigit());
            if ok {
                Ok(Some(v.to_ascii_lowercase()))
            } else {
                Err(DomainError::invalid(field, "must be a colour like #1a2b3c"))
            }
        }
    }
}

pub const MAX_LOGO_BYTES: usize = 64 * 1024;

/// A logo as a data URL of a PNG, JPEG, WebP or GIF image of at most 64 KiB.
pub fn optional_logo(field: &str, value: Option<&str>) -> DomainResult<Option<String>> {
    use base64::Engine;
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let types = ["image/png", "image/jpeg", "image/webp", "image/gif"];
    let rest = v
        .strip_prefix("data:")
        .ok_or_else(|| DomainError::invalid(field, "must be a data: URL of an image"))?;
    let (mime, data) = rest
        .split_once(";base64,")
        .ok_or_else(|| DomainError::invalid(field, "must be a base64 data: URL"))?;
    if !types.contains(&mime) {
        return Err(DomainError::invalid(
            field,
            "must be a PNG, JPEG, WebP or GIF image",
        ));
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data)
        .map_err(|_| DomainError::invalid(field, "is not valid base64"))?;
    if bytes.len() > MAX_LOGO_BYTES {
        return Err(DomainError::invalid(field, "must be at most 64 KiB"));
    }
    super::image::check_kind(field, mime, &bytes)?;
    Ok(Some(v.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugify_folds_accents() {
        assert_eq!(slugify("Padaria São João Ltda."), "padaria-sao-joao-ltda");
        assert_eq!(slugify("A"), "axx");
    }

    #[test]
    fn email_rules() {
        assert_eq!(
            email("email", " Ana@Example.COM ").unwrap(),
            "ana@example.com"
        );
        assert!(email("email", "ana@example").is_err());
        assert!(email("email", "ana example@x.com").is_err());
        for bad in [
            "<script>@x.com",
            "a@b..com",
            "\"a b\"@x.com",
            "a@[1.2.3.4]",
            "a@-x.com",
            "a@x.com>",
        ] {
            assert!(email("email", bad).is_err(), "{bad}");
        }
        assert_eq!(
            email("email", "ana.maria+erp@sub.example.com.br").unwrap(),
            "ana.maria+erp@sub.example.com.br"
        );
    }
}
