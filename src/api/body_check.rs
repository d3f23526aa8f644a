//! Names the field behind a body that failed to parse. poem-openapi reports which schema failed
//! but not which property; this walks the raw body against the published schema to find the
//! first missing or mistyped property, so every 400 names its field.

use serde_json::{Map, Value};

/// Finds `(field path, reason)` for a body that failed to parse as `schema`.
pub fn explain(spec: &Value, schema: &str, body: &[u8]) -> (String, String) {
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => return ("body".into(), format!("is not valid JSON ({e})")),
    };
    let schemas = &spec["components"]["schemas"];
    check(schemas, &schemas[schema], &value, "")
        .unwrap_or_else(|| ("body".into(), "does not match the expected shape".into()))
}

/// Checks a parsed body against `schema` (an entry of the document, usually a `$ref`): the
/// first property that breaks it, as `(field path, reason)`.
pub fn check_value(spec: &Value, schema: &Value, value: &Value) -> Option<(String, String)> {
    check(&spec["components"]["schemas"], schema, value, "")
}

fn nullable(schema: &Value) -> bool {
    schema["nullable"] == true
        || schema["allOf"]
            .as_array()
            .is_some_and(|all| all.iter().any(|s| s["nullable"] == true))
}

/// Length, range and size limits the schema states.
fn check_limits(schema: &Value, value: &Value) -> Option<String> {
    let limit = |key: &str| schema[key].as_f64();
    match value {
        Value::String(s) => {
            let n = s.chars().count() as f64;
            if let Some(max) = limit("maxLength").filter(|max| n > *max) {
                return Some(format!("must have at most {max} characters"));
            }
            limit("minLength")
                .filter(|min| n < *min)
                .map(|min| format!("must have at least {min} characters"))
        }
        Value::Number(x) => {
            let x = x.as_f64()?;
            if let Some(max) = limit("maximum").filter(|max| x > *max) {
                return Some(format!("must be at most {max}"));
            }
            limit("minimum")
                .filter(|min| x < *min)
                .map(|min| format!("must be at least {min}"))
        }
        Value::Array(items) => {
            let n = items.len() as f64;
            if let Some(max) = limit("maxItems").filter(|max| n > *max) {
                return Some(format!("must have at most {max} items"));
            }
            limit("minItems")
                .filter(|min| n < *min)
                .map(|min| format!("must have at least {min} items"))
        }
        Value::Object(fields) => {
            let n = fields.len() as f64;
            if let Some(max) = limit("maxProperties").filter(|max| n > *max) {
                return Some(format!("must have at most {max} fields"));
            }
            limit("minProperties")
                .filter(|min| n < *min)
                .map(|min| match min as u64 {
                    1 => "must name at least one field".to_string(),
                    n => format!("must have at least {n} fields"),
                })
        }
        _ => None,
    }
}

/// An integer too large for the width its `format` states (`max_users: 2^63` for an int64):
/// the parser would refuse it without naming the field.
fn out_of_format(format: Option<&str>, value: &Value) -> Option<String> {
    let (min, max): (i128, i128) = match format? {
        "int8" => (i8::MIN.into(), i8::MAX.into()),
        "int16" => (i16::MIN.into(), i16::MAX.into()),
        "int32" => (i32::MIN.into(), i32::MAX.into()),
        "int64" => (i64::MIN.into(), i64::MAX.into()),
        "uint8" => (0, u8::MAX.into()),
        "uint16" => (0, u16::MAX.into()),
        "uint32" => (0, u32::MAX.into()),
        "uint64" => (0, u64::MAX.into()),
        _ => return None,
    };
    let n: i128 = value
        .as_i64()
        .map(i128::from)
        .or_else(|| value.as_u64().map(i128::from))?;
    (n < min || n > max).then(|| format!("must be between {min} and {max}"))
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

fn resolve<'a>(schemas: &'a Value, schema: &'a Value) -> &'a Value {
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.rsplit('/').next().unwrap_or_default();
        return &schemas[name];
    }
    if let Some(all) = schema["allOf"].as_array() {
        if let Some(first) = all.first() {
            return resolve(schemas, first);
        }
    }
    schema
}

fn check(schemas: &Value, schema: &Value, value: &Value, path: &str) -> Option<(String, String)> {
    let outer = schema;
    let schema = resolve(schemas, schema);
    let ty = schema["type"].as_str().unwrap_or("");
    let here = || {
        if path.is_empty() {
            "body".to_string()
        } else {
            path.to_string()
        }
    };
    // Limits may sit on the property (next to a `$ref`) or on the schema it names.
    if let Some(reason) = check_limits(outer, value).or_else(|| check_limits(schema, value)) {
        return Some((here(), reason));
    }
    match ty {
        "object" => {
            let Value::Object(obj) = value else {
                return Some((here(), "must be a JSON object".into()));
            };
            check_object(schemas, schema, obj, path)
        }
        "string" if !value.is_string() => Some((here(), "must be a string".into())),
        "string" if schema["enum"].is_array() && !schema["enum"].as_array()?.contains(value) => {
            let allowed: Vec<&str> = schema["enum"]
                .as_array()?
                .iter()
                .filter_map(Value::as_str)
                .collect();
            Some((here(), format!("must be one of {}", allowed.join(", "))))
        }
        "string" => (schema["format"] == "date-time"
            && value
                .as_str()
                .is_some_and(|s| chrono::DateTime::parse_from_rfc3339(s).is_err()))
        .then(|| (here(), "must be an RFC 3339 date-time".into())),
        "integer" if !(value.is_i64() || value.is_u64()) => {
            Some((here(), "must be an integer".into()))
        }
        "integer" => out_of_format(schema["format"].as_str(), value)
            .or_else(|| out_of_format(outer["format"].as_str(), value))
            .map(|reason| (here(), reason)),
        "number" if !value.is_number() => Some((here(), "must be a number".into())),
        "boolean" if !value.is_boolean() => Some((here(), "must be true or false".into())),
        "array" => {
            let Value::Array(items) = value else {
                return Some((here(), "must be an array".into()));
            };
            items.iter().enumerate().find_map(|(i, item)| {
                check(schemas, &schema["items"], item, &format!("{}[{i}]", here()))
            })
        }
        _ => None,
    }
}

fn check_object(
    schemas: &Value,
    schema: &Value,
    obj: &Map<String, Value>,
    path: &str,
) -> Option<(String, String)> {
    let empty = Map::new();
    let props = schema["properties"].as_object().unwrap_or(&empty);
    if let Some(required) = schema["required"].as_array() {
        for key in required.iter().filter_map(Value::as_str) {
            if obj.get(key).is_none_or(Value::is_null) {
                return Some((join(path, key), "is required".into()));
            }
        }
    }
    for (key, value) in obj {
        if let Some(prop) = props.get(key) {
            if value.is_null() {
                if !nullable(prop) {
                    return Some((join(path, key), "must not be null".into()));
                }
                continue;
            }
            if let Some(found) = check(schemas, prop, value, &join(path, key)) {
                return Some(found);
            }
        } else if let Some(extra) = schema.get("additionalProperties").filter(|a| a.is_object()) {
            if let Some(found) = check(schemas, extra, value, &join(path, key)) {
                return Some(found);
            }
        } else if schema["additionalProperties"] == false {
            // A misspelt or foreign field (`company_id` in a company's PATCH) would otherwise
            // be dropped without a word, and the caller would believe it was applied.
            return Some((join(path, key), "is not a known field".into()));
        }
    }
    None
}

/// The outermost schema named in a poem-openapi parse error message.
pub fn schema_in_message(message: &str) -> Option<&str> {
    message
        .rsplit("(occurred while parsing \"")
        .next()
        .filter(|_| message.contains("occurred while parsing"))
        .and_then(|s| s.split('"').next())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_missing_and_mistyped_fields() {
        let spec = json!({"components": {"schemas": {
            "In": {"type": "object", "required": ["name", "inner"], "properties": {
                "name": {"type": "string"}, "count": {"type": "integer"},
                "inner": {"$ref": "#/components/schemas/Inner"}}},
            "Inner": {"type": "object", "required": ["email"], "properties": {"email": {"type": "string"}}}
        }}});
        assert_eq!(
            explain(&spec, "In", br#"{"inner":{"email":"x"}}"#).0,
            "name"
        );
        assert_eq!(
            explain(
                &spec,
                "In",
                br#"{"name":"a","inner":{"email":"x"},"count":"x"}"#
            )
            .0,
            "count"
        );
        assert_eq!(
            explain(&spec, "In", br#"{"name":"a","inner":{}}"#).0,
            "inner.email"
        );
        assert_eq!(explain(&spec, "In", br#"{"name":"#).0, "body");
        assert_eq!(
            schema_in_message("x (occurred while parsing \"a\") (occurred while parsing \"In\")"),
            Some("In")
        );
    }
}
