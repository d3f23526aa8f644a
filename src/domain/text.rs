//! What a person must be able to see in a name. A name made only of zero-width or format
//! characters (U+200B, U+FEFF) is blank on every screen, though it is not empty; bidirectional
//! overrides (U+202E) make a name display as something else than it is ("exe.txt" shown for
//! "txt.exe"), in the admin's lists and in the audit log.

use crate::error::{DomainError, DomainResult};

/// Bidirectional formatting characters: marks, embeddings, overrides and isolates.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that draw nothing: white space, controls, and the format and default-ignorable
/// characters of Unicode (zero-width spaces and joiners, the byte-order mark, variation
/// selectors, tags, fillers).
pub fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{061C}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{17B4}'
                | '\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{2800}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FEFF}'
                | '\u{FFA0}'
                | '\u{FFF0}'..='\u{FFFB}'
                | '\u{1D173}'..='\u{1D17A}'
                | '\u{E0000}'..='\u{E0FFF}'
        )
}

/// Refuses text with control characters, bidirectional controls, or nothing visible.
pub fn check(field: &str, v: &str) -> DomainResult<()> {
    if v.chars().any(char::is_control) {
        return Err(DomainError::invalid(
            field,
            "must not contain control characters",
        ));
    }
    if v.chars().any(is_bidi_control) {
        return Err(DomainError::invalid(
            field,
            "must not contain bidirectional control characters (U+202A to U+202E, U+2066 to U+2069, U+200E, U+200F, U+061C)",
        ));
    }
    if v.chars().all(is_invisible) {
        return Err(DomainError::invalid(
            field,
            "must contain at least one visible character",
        ));
    }
    Ok(())
}

/// A search term: no control characters (a NUL would match differently in SQL and in the
/// caller's head).
pub fn query(field: &str, v: Option<String>) -> DomainResult<Option<String>> {
    if v.as_deref()
        .is_some_and(|s| s.chars().any(|c| c.is_control() || is_bidi_control(c)))
    {
        return Err(DomainError::invalid(
            field,
            "must not contain control characters",
        ));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invisible_names_and_overrides_are_refused() {
        for bad in [
            "\u{202E}",
            "\u{200B}",
            "\u{FEFF}",
            "\u{200B}\u{FEFF}\u{2060}",
            "abc\u{202E}fdp.exe",
            "a\u{0}b",
        ] {
            assert!(check("name", bad).is_err(), "{bad:?}");
        }
        for good in [
            "Ana",
            "São João",
            "محمد",
            "株式会社",
            "👩‍💻 Dev",
            "Zoë\u{200D}x",
        ] {
            assert!(check("name", good).is_ok(), "{good:?}");
        }
        assert!(query("q", Some("a\u{0}".into())).is_err());
        assert!(query("q", Some("ação".into())).is_ok());
    }
}
