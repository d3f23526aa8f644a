//! NUL characters in what a request carries. No id, name, host, search or message holds one,
//! and PostgreSQL's text cannot store one (the statement fails, which would be a 500): the
//! middleware refuses them before any handler runs, naming where they were.

use serde_json::Value;

/// Where the URL holds a NUL, if anywhere: a query parameter's name, or `path`.
pub fn in_url(path: &str, query: Option<&str>) -> Option<String> {
    if path.contains("%00") {
        return Some("path".into());
    }
    in_form(query?.as_bytes())
}

/// Where a form body (`application/x-www-form-urlencoded`) or a query holds a NUL: the
/// parameter's name.
pub fn in_form(bytes: &[u8]) -> Option<String> {
    url::form_urlencoded::parse(bytes)
        .find(|(k, v)| k.contains('\0') || v.contains('\0'))
        .map(|(k, _)| shown(&k))
}

/// Where a JSON body holds a NUL (`\u0000` in a string or a key), if anywhere: the field's
/// path (`message`, `values.api_key`, `scopes[2]`), or `body` for a bare string.
pub fn in_json(bytes: &[u8]) -> Option<String> {
    if !has_escaped_nul(bytes) {
        return None;
    }
    // A body that is not JSON is the handler's to refuse.
    let value: Value = serde_json::from_slice(bytes).ok()?;
    find(&value, "")
}

/// Whether the text holds `\u0000` whose backslash is not itself escaped: the cheap test
/// before a body is read as JSON.
fn has_escaped_nul(bytes: &[u8]) -> bool {
    bytes.windows(6).enumerate().any(|(i, w)| {
        w == b"\\u0000" && bytes[..i].iter().rev().take_while(|&&c| c == b'\\').count() % 2 == 0
    })
}

fn find(value: &Value, at: &str) -> Option<String> {
    match value {
        Value::String(s) if s.contains('\0') => Some(if at.is_empty() {
            "body".into()
        } else {
            at.to_string()
        }),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| find(v, &format!("{at}[{i}]"))),
        Value::Object(fields) => fields.iter().find_map(|(k, v)| {
            let path = if at.is_empty() {
                shown(k)
            } else {
                format!("{at}.{}", shown(k))
            };
            if k.contains('\0') {
                Some(path)
            } else {
                find(v, &path)
            }
        }),
        _ => None,
    }
}

/// A name as an error shows it: a NUL written `\0`.
fn shown(name: &str) -> String {
    name.replace('\0', "\\0")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nul_is_found_where_it_is_and_nowhere_else() {
        assert_eq!(
            in_url("/api/v1/companies/a%00b", None).as_deref(),
            Some("path")
        );
        assert_eq!(
            in_url("/x", Some("q=a&host=a%00b")).as_deref(),
            Some("host")
        );
        assert_eq!(
            in_url("/x", Some("q=a%2500b")),
            None,
            "an encoded '%00' is text"
        );
        assert_eq!(
            in_json(br#"{"state":"ready","message":"a\u0000b"}"#).as_deref(),
            Some("message")
        );
        assert_eq!(
            in_json(br#"{"values":{"api_key":"\u0000"}}"#).as_deref(),
            Some("values.api_key")
        );
        assert_eq!(
            in_json(br#"{"scopes":["a","\u0000"]}"#).as_deref(),
            Some("scopes[1]")
        );
        assert_eq!(in_json(br#""\u0000""#).as_deref(), Some("body"));
        assert_eq!(in_json(br#"{"a\u0000":1}"#).as_deref(), Some("a\\0"));
        assert_eq!(
            in_json(br#"{"message":"a\\u0000b"}"#),
            None,
            "an escaped backslash"
        );
        assert_eq!(
            in_json(br#"{"message":"a\\\u0000b"}"#).as_deref(),
            Some("message")
        );
        assert_eq!(
            in_form(b"client_id=a%00b&x=1").as_deref(),
            Some("client_id")
        );
    }
}
