//! Walks the live OpenAPI document: every operation with a body that parses, ids filled in
//! from a table, and which credentials it accepts. Used by the tenant-isolation tests.

use std::collections::BTreeMap;

use reqwest::{Method, StatusCode};
use serde_json::{json, Map, Value};

use super::cnpj;

/// One operation of the spec.
pub struct Route {
    pub method: Method,
    pub path: String,
    pub params: Vec<String>,
    pub body: Option<Value>,
    /// Accepts a user's session (bearer or cookie).
    pub sessions: bool,
    /// Accepts an application's API key.
    pub apps: bool,
}

/// The kind of caller, as the spec's security schemes name them.
#[derive(Clone, Copy, PartialEq)]
pub enum Kind {
    Anonymous,
    Session,
    App,
}

impl Route {
    /// What a caller of `kind` gets for an object that is not theirs.
    pub fn refusal(&self, kind: Kind) -> StatusCode {
        match kind {
            Kind::Session if self.sessions => StatusCode::NOT_FOUND,
            Kind::App if self.apps => StatusCode::NOT_FOUND,
            _ => StatusCode::UNAUTHORIZED,
        }
    }
}

/// A value of the right type for a schema, so a body parses and the handler's access checks run.
pub fn example(spec: &Value, schema: &Value, name: &str) -> Value {
    if let Some(r) = schema["$ref"].as_str() {
        let target = &spec["components"]["schemas"][r.rsplit('/').next().unwrap()];
        return example(spec, target, name);
    }
    if let Some(first) = schema["allOf"].as_array().and_then(|a| a.first()) {
        return example(spec, first, name);
    }
    if let Some(first) = schema["enum"].as_array().and_then(|e| e.first()) {
        return first.clone();
    }
    match schema["type"].as_str().unwrap_or("object") {
        "string" if name.contains("email") => json!("walker@walker.test"),
        "string" if name.contains("password") => json!("walker-password-123"),
        "string" if name.contains("cnpj") => json!(cnpj(99_999)),
        "string" => json!("Walker"),
        "integer" | "number" => json!(1),
        "boolean" => json!(false),
        "array" => json!([]),
        _ => {
            let mut obj = Map::new();
            for key in schema["required"].as_array().into_iter().flatten() {
                let key = key.as_str().unwrap();
                let prop = &schema["properties"][key];
                obj.insert(key.to_string(), example(spec, prop, key));
            }
            // A PATCH body must name a field (`minProperties`).
            let min = schema["minProperties"].as_u64().unwrap_or(0) as usize;
            for (key, prop) in schema["properties"].as_object().into_iter().flatten() {
                if obj.len() >= min {
                    break;
                }
                obj.insert(key.clone(), example(spec, prop, key));
            }
            if obj.is_empty() && schema["additionalProperties"].is_object() {
                obj.insert("walker".into(), json!("walker-value"));
            }
            Value::Object(obj)
        }
    }
}

/// Every operation of the live spec, checking that each path is classified.
pub fn routes(
    spec: &Value,
    scoped_prefixes: &[&str],
    not_scoped: &[&str],
) -> (Vec<Route>, Vec<Route>) {
    let mut scoped = Vec::new();
    let mut other = Vec::new();
    let mut unclassified = Vec::new();
    for (path, ops) in spec["paths"].as_object().expect("paths") {
        let is_scoped = scoped_prefixes
            .iter()
            .any(|p| path == p || path.starts_with(&format!("{p}/")));
        let listed = not_scoped.contains(&path.as_str());
        assert!(!(is_scoped && listed), "{path} is both scoped and listed");
        if !is_scoped && !listed {
            unclassified.push(path.clone());
            continue;
        }
        for (method, op) in ops.as_object().unwrap() {
            let params = path
                .split('/')
                .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
                .map(str::to_string)
                .collect();
            let body = op["requestBody"]["content"]
                .as_object()
                .and_then(|c| c.values().next())
                .map(|media| example(spec, &media["schema"], ""));
            let schemes: Vec<&str> = op["security"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|s| s.as_object()?.keys().next().map(String::as_str))
                .collect();
            let route = Route {
                method: method.to_uppercase().parse().expect("method"),
                path: path.clone(),
                params,
                body,
                sessions: schemes.iter().any(|s| s.starts_with("Session")),
                apps: schemes.iter().any(|s| s.starts_with("App")),
            };
            assert!(
                !is_scoped || route.sessions || route.apps,
                "{method} {path} names a company but asks for no credential"
            );
            if is_scoped {
                scoped.push(route);
            } else {
                other.push(route);
            }
        }
    }
    assert!(
        unclassified.is_empty(),
        "classify these paths: put them under one of {scoped_prefixes:?} or list them as \
         not company-scoped (NOT_COMPANY_SCOPED in tests/core_isolation.rs): {unclassified:?}"
    );
    (scoped, other)
}

/// The route's path with its parameters filled from `ids`.
pub fn fill(route: &Route, ids: &BTreeMap<&str, String>) -> String {
    let mut path = route.path.clone();
    for p in &route.params {
        // A parameter this test has no object for still gets a value, so the route is walked.
        let value = ids.get(p.as_str()).cloned().unwrap_or_else(|| {
            eprintln!(
                "note: no id given for {{{p}}} in {}; using a placeholder",
                route.path
            );
            format!("walker-{p}")
        });
        path = path.replace(&format!("{{{p}}}"), &value);
    }
    path
}
