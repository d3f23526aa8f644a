//! Page cursors are opaque: base64url of a versioned payload (`v1:<key>`), so callers pass back
//! the `next_cursor` they were given instead of building one from an id (`cursor=-1` used to
//! be a valid audit cursor), and the key behind it can change without breaking clients.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::error::{DomainError, DomainResult};

const VERSION: &str = "v1:";

/// The cursor handed out for the last row's key.
pub fn seal(key: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{VERSION}{key}"))
}

/// The key inside a cursor a caller sent back, or a 400 on `cursor`.
pub fn open(cursor: Option<String>) -> DomainResult<Option<String>> {
    let Some(cursor) = cursor else {
        return Ok(None);
    };
    URL_SAFE_NO_PAD
        .decode(cursor.as_bytes())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.strip_prefix(VERSION).map(str::to_string))
        .filter(|key| !key.is_empty())
        .map(Some)
        .ok_or_else(|| {
            DomainError::invalid(
                "cursor",
                "is not a cursor this server gave out; pass the next_cursor of the previous page",
            )
        })
}

/// Opens a cursor and parses its key with `parse`; a key that does not parse is a 400 too.
pub fn open_as<T>(
    cursor: Option<String>,
    parse: impl FnOnce(&str) -> Option<T>,
) -> DomainResult<Option<T>> {
    open(cursor)?
        .map(|key| {
            parse(&key).ok_or_else(|| {
                DomainError::invalid("cursor", "is not a cursor this server gave out")
            })
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_bare_ids_are_refused() {
        let c = seal("42");
        assert_eq!(open(Some(c.clone())).unwrap().as_deref(), Some("42"));
        assert_eq!(
            open_as(Some(c), |k| k.parse::<i64>().ok()).unwrap(),
            Some(42)
        );
        for bad in ["-1", "42", "cmp_01abc", "", "djE6", "!!!"] {
            assert!(open(Some(bad.into())).is_err(), "{bad}");
        }
        assert_eq!(open(None).unwrap(), None);
    }
}
