//! Requests checked against the published OpenAPI document before a handler sees them: the
//! methods a path allows (for the `Allow` header of a 405), and JSON bodies that break their
//! schema. poem-openapi's parser is lenient where the document is strict (it turns `true` and
//! `5` into the strings "true" and "5", and reads `null` as absent where the schema does not
//! allow null), so a body that the document says is wrong could be accepted.

use serde_json::Value;

use crate::api::body_check;

/// The operations under the path template that matches `path`.
fn operations<'a>(spec: &'a Value, path: &str) -> Vec<&'a serde_json::Map<String, Value>> {
    let prefix = spec["servers"][0]["url"].as_str().unwrap_or("");
    let Some(rest) = path.strip_prefix(prefix) else {
        return Vec::new();
    };
    let segments: Vec<&str> = rest.split('/').collect();
    let matches = |template: &str| {
        let t: Vec<&str> = template.split('/').collect();
        t.len() == segments.len()
            && t.iter()
                .zip(&segments)
                .all(|(t, p)| t == p || (t.starts_with('{') && !p.is_empty()))
    };
    spec["paths"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(template, _)| matches(template))
        .filter_map(|(_, ops)| ops.as_object())
        .collect()
}

/// The methods the document lists for `path`, and HEAD where GET is listed (GET routes answer
/// it); `None` for a path it does not describe.
pub fn allowed_methods(spec: &Value, path: &str) -> Option<String> {
    let mut methods: Vec<String> = operations(spec, path)
        .into_iter()
        .flat_map(|ops| ops.keys().map(|m| m.to_ascii_uppercase()))
        .collect();
    if methods.iter().any(|m| m == "GET") {
        methods.push("HEAD".into());
    }
    methods.sort();
    methods.dedup();
    (!methods.is_empty()).then(|| methods.join(", "))
}

/// For a JSON body that parses but breaks its operation's schema: `(field, reason)`.
pub fn check_body(spec: &Value, method: &str, path: &str, raw: &[u8]) -> Option<(String, String)> {
    let method = method.to_ascii_lowercase();
    let operation = operations(spec, path)
        .into_iter()
        .find_map(|ops| ops.get(&method))?;
    let schema = operation["requestBody"]["content"]
        .as_object()?
        .iter()
        .find(|(media, _)| media.starts_with("application/json"))
        .map(|(_, c)| &c["schema"])?;
    let body: Value = serde_json::from_slice(raw).ok()?;
    body_check::check_value(spec, schema, &body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec() -> Value {
        json!({
            "servers": [{"url": "/api/v1"}],
            "paths": {
                "/things/{id}": {
                    "get": {},
                    "patch": {"requestBody": {"content": {"application/json; charset=utf-8":
                        {"schema": {"$ref": "#/components/schemas/ThingPatch"}}}}}
                },
                "/things": {"post": {}}
            },
            "components": {"schemas": {"ThingPatch": {"type": "object", "properties": {
                "name": {"type": "string", "nullable": true},
                "count": {"type": "integer"}
            }}}}
        })
    }

    #[test]
    fn allow_lists_the_documented_methods() {
        let s = spec();
        assert_eq!(
            allowed_methods(&s, "/api/v1/things/thg_1").as_deref(),
            Some("GET, HEAD, PATCH")
        );
        assert_eq!(
            allowed_methods(&s, "/api/v1/things").as_deref(),
            Some("POST")
        );
        assert_eq!(allowed_methods(&s, "/api/v1/nothing"), None);
        assert_eq!(allowed_methods(&s, "/api/v1/things/"), None);
    }

    #[test]
    fn bodies_must_have_the_documented_types() {
        let s = spec();
        let check = |body: &str| check_body(&s, "PATCH", "/api/v1/things/1", body.as_bytes());
        assert_eq!(check(r#"{"name": "x", "count": 2}"#), None);
        assert_eq!(check(r#"{"name": null}"#), None);
        assert_eq!(check(r#"{"name": true}"#).unwrap().0, "name");
        assert_eq!(check(r#"{"name": 5}"#).unwrap().0, "name");
        assert_eq!(check(r#"{"count": null}"#).unwrap().0, "count");
        assert_eq!(check(r#"{"count": "2"}"#).unwrap().0, "count");
        // Not JSON at all is left to the parser, which explains it.
        assert_eq!(check("{"), None);
        assert_eq!(check_body(&s, "POST", "/api/v1/things", b"{}"), None);
    }
}
