//! Requests checked against the published OpenAPI document: the methods a path allows, for the
//! `Allow` header of a 405 (the router that answers it does not say).

use serde_json::Value;

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
}
