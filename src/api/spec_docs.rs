//! What poem-openapi cannot say from the handlers alone, added to the generated document by
//! rules (never by a table of operations, which would drift):
//!
//! - `servers` names the address `armario serve` answers at with no configuration (added here
//!   rather than through poem-openapi, whose copy of the document the server reads paths from);
//! - response header names keep their usual spelling (`Retry-After`; poem-openapi upper-cases
//!   them);
//! - `X-Request-Id`, which the server reads on every request and sets on every answer, is a
//!   parameter of every operation and a header of every response;
//! - `X-CSRF-Token` is a parameter of every write a session cookie can authenticate, the same
//!   rule the server applies (`middleware::csrf_ok`);
//! - schemas used only by answers get their bounds (`api::response_limits`);
//! - schemas get the worked examples of `api::examples`, and every request body and answer
//!   whose schema has an example shows it as the media example,
//!   so each operation carries a worked example.

use serde_json::{json, Map, Value};

use crate::api::auth::CSRF_HEADER;
use crate::api::{examples, response_limits};
use crate::middleware::REQUEST_ID_HEADER;

/// Adds the documentation rules above to a generated (and made strict) document.
pub fn complete(spec: &mut Value) {
    spec["servers"] = json!([{
        "url": "http://127.0.0.1:8080",
        "description": "`armario serve` with no configuration; use your deployment's public URL (the `public_url` setting) instead.",
    }]);
    add_components(spec);
    response_limits::bound(spec);
    if let Some(schemas) = spec["components"]["schemas"].as_object_mut() {
        for (name, schema) in schemas.iter_mut() {
            if let (None, Some(example)) = (schema.get("example"), examples::for_schema(name)) {
                schema["example"] = example;
            }
        }
    }
    let schemas = spec["components"]["schemas"].clone();
    let Some(paths) = spec["paths"].as_object_mut() else {
        return;
    };
    for ops in paths.values_mut().filter_map(Value::as_object_mut) {
        for (method, op) in ops.iter_mut() {
            let params = op
                .as_object_mut()
                .expect("an operation is an object")
                .entry("parameters")
                .or_insert_with(|| json!([]));
            let params = params.as_array_mut().expect("parameters are a list");
            params.push(json!({ "$ref": "#/components/parameters/RequestId" }));
            if method != "get" && cookie_authenticated(op) {
                if let Some(params) = op["parameters"].as_array_mut() {
                    params.push(json!({ "$ref": "#/components/parameters/CsrfToken" }));
                }
            }
            if let Some(body) = op.get_mut("requestBody") {
                add_examples(body, &schemas);
            }
            let responses = op["responses"].as_object_mut();
            for response in responses.into_iter().flat_map(|r| r.values_mut()) {
                spell_headers(response);
                add_examples(response, &schemas);
            }
        }
    }
}

fn add_components(spec: &mut Value) {
    let components = spec["components"]
        .as_object_mut()
        .expect("the document has components");
    components.insert(
        "parameters".into(),
        json!({
            "RequestId": {
                "name": REQUEST_ID_HEADER,
                "in": "header",
                "required": false,
                "description": "An id for this request, echoed in the answer's `X-Request-Id` and written in every log line about it: letters, digits and hyphens, at most 64. Any other value up to 1024 characters is replaced by a fresh id rather than refused; a longer one is a 400 naming `X-Request-Id`.",
                "schema": { "type": "string", "maxLength": crate::middleware::HEADER_VALUE_MAX },
            },
            "CsrfToken": {
                "name": CSRF_HEADER,
                "in": "header",
                "required": false,
                "description": "Required when the request is authenticated by the session cookie (the web UI): the value of the `armario_csrf` cookie (32 characters), also returned as `csrf_token` by sign-in. Without it such a write answers 403 with code `csrf`. Not needed with a bearer token.",
                // With a bearer token the header is ignored, whatever it holds, up to the limit
                // every documented header has (a longer value is a 400).
                "schema": { "type": "string", "maxLength": crate::middleware::HEADER_VALUE_MAX },
            },
        }),
    );
    components.insert(
        "headers".into(),
        json!({
            "RequestId": {
                "description": "The request's id: the one sent in `X-Request-Id`, or a fresh one. Quote it when reporting a problem.",
                "schema": request_id_schema(),
            },
        }),
    );
}

fn request_id_schema() -> Value {
    json!({ "type": "string", "minLength": 1, "maxLength": 64, "pattern": "^[A-Za-z0-9-]{1,64}$" })
}

/// Whether the session cookie can authenticate this operation.
fn cookie_authenticated(op: &Value) -> bool {
    op["security"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|s| s.get("SessionCookie").is_some())
}

/// `RETRY-AFTER` → `Retry-After`, and every response gets `X-Request-Id`.
fn spell_headers(response: &mut Value) {
    let Some(obj) = response.as_object_mut() else {
        return;
    };
    let mut headers = Map::new();
    if let Some(Value::Object(old)) = obj.remove("headers") {
        for (name, mut header) in old {
            if name.eq_ignore_ascii_case("retry-after") {
                header["description"] = "Seconds to wait before trying again.".into();
                header["schema"] =
                    json!({ "type": "string", "maxLength": 10, "pattern": "^[0-9]{1,10}$" });
            }
            headers.insert(usual_spelling(&name), header);
        }
    }
    headers.insert(
        REQUEST_ID_HEADER.into(),
        json!({ "$ref": "#/components/headers/RequestId" }),
    );
    obj.insert("headers".into(), Value::Object(headers));
}

/// `RETRY-AFTER` → `Retry-After`: each word capitalised, as HTTP documents spell them.
fn usual_spelling(name: &str) -> String {
    name.split('-')
        .map(|word| {
            let lower = word.to_ascii_lowercase();
            let mut chars = lower.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// Copies the example of each media type's schema (or a one-item list of its items' example)
/// onto the media type, where readers and tools look for it.
fn add_examples(holder: &mut Value, schemas: &Value) {
    // `get_mut`, not indexing: indexing a missing key would add it as `null`.
    let Some(content) = holder.get_mut("content").and_then(Value::as_object_mut) else {
        return;
    };
    for media in content.values_mut() {
        if media.get("example").is_some() {
            continue;
        }
        if let Some(example) = example_of(&media["schema"], schemas) {
            media["example"] = example;
        }
    }
}

fn example_of(schema: &Value, schemas: &Value) -> Option<Value> {
    if let Some(example) = schema.get("example") {
        return Some(example.clone());
    }
    if let Some(name) = schema["$ref"].as_str().and_then(|r| r.rsplit('/').next()) {
        return schemas[name].get("example").cloned();
    }
    if schema["type"] == "array" {
        return example_of(&schema["items"], schemas).map(|item| json!([item]));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_spelled_as_usual() {
        assert_eq!(usual_spelling("RETRY-AFTER"), "Retry-After");
        assert_eq!(usual_spelling("X-REQUEST-ID"), "X-Request-Id");
    }

    #[test]
    fn csrf_goes_on_cookie_writes_only_and_examples_reach_the_media() {
        let mut spec = json!({
            "paths": {"/things": {
                "post": {
                    "security": [{"SessionBearer": []}, {"SessionCookie": []}],
                    "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
                    "responses": {"200": {"content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}}}}},
                                  "429": {"headers": {"RETRY-AFTER": {"schema": {"type": "string"}}}}}
                },
                "get": {"security": [{"SessionCookie": []}], "responses": {"200": {}}}
            }},
            "components": {"schemas": {"Thing": {"type": "object", "example": {"a": 1}}}}
        });
        complete(&mut spec);
        let post = &spec["paths"]["/things"]["post"];
        let params = post["parameters"].to_string();
        assert!(
            params.contains("RequestId") && params.contains("CsrfToken"),
            "{params}"
        );
        let get = &spec["paths"]["/things"]["get"];
        assert!(!get["parameters"].to_string().contains("CsrfToken"));
        let body = &post["requestBody"]["content"]["application/json"];
        assert_eq!(body["example"], json!({"a": 1}));
        let list = &post["responses"]["200"]["content"]["application/json"];
        assert_eq!(list["example"], json!([{"a": 1}]));
        let throttled = &post["responses"]["429"]["headers"];
        assert!(throttled.get("Retry-After").is_some(), "{throttled}");
        assert!(throttled.get("X-Request-Id").is_some(), "{throttled}");
    }
}
