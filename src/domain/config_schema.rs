//! The configuration schema an application declares: a small, documented subset of JSON
//! Schema that armario can both check values against and draw as a form. Anything outside the
//! subset is refused at declaration, naming the JSON pointer of the offending keyword, so an
//! application never believes a rule is enforced when it is not.

use regex::Regex;
use serde_json::{Map, Value};

use crate::domain::config_values::{check_value, Problem};
use crate::error::{DomainError, DomainResult};

/// The serialised schema may be at most this long (bytes).
pub const MAX_SCHEMA_BYTES: usize = 64 * 1024;
/// Nesting of JSON objects and arrays in the declaration.
pub const MAX_DEPTH: usize = 8;
/// Properties of the configuration object.
pub const MAX_PROPERTIES: usize = 100;
/// The longest string value when the schema sets no `maxLength`, and the largest it may set.
pub const MAX_STRING: u64 = 4096;
/// The most items a list may hold, and the default when the schema sets no `maxItems`.
pub const MAX_ITEMS: u64 = 100;
const MAX_ENUM: usize = 100;
const MAX_PATTERN: usize = 500;
const MAX_TEXT: usize = 1000;

/// One rule a value must follow.
#[derive(Debug, Clone)]
pub enum Kind {
    Text {
        min: u64,
        max: u64,
        pattern: Option<Regex>,
        choices: Option<Vec<String>>,
    },
    Number {
        integer: bool,
        min: Option<f64>,
        max: Option<f64>,
    },
    Boolean,
    /// For each weekday, a list of `{open, close}` intervals in `HH:MM`.
    WeeklyHours,
    List {
        item: Box<Kind>,
        min: u64,
        max: u64,
    },
}

/// A property of the configuration, in declaration order.
#[derive(Debug, Clone)]
pub struct Property {
    pub name: String,
    pub kind: Kind,
    pub default: Option<Value>,
}

/// A declared schema, checked.
#[derive(Debug, Clone)]
pub struct ConfigSchema {
    pub properties: Vec<Property>,
    pub required: Vec<String>,
}

impl ConfigSchema {
    pub fn property(&self, name: &str) -> Option<&Property> {
        self.properties.iter().find(|p| p.name == name)
    }
}

fn refuse(pointer: &str, message: impl Into<String>) -> DomainError {
    DomainError::invalid(if pointer.is_empty() { "/" } else { pointer }, message)
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn depth(v: &Value) -> usize {
    match v {
        Value::Object(m) => 1 + m.values().map(depth).max().unwrap_or(0),
        Value::Array(a) => 1 + a.iter().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// Checks a declaration; the first keyword outside the subset is refused by its pointer.
pub fn parse(raw: &Value) -> DomainResult<ConfigSchema> {
    let size = raw.to_string().len();
    if size > MAX_SCHEMA_BYTES {
        return Err(DomainError::invalid(
            "/",
            format!("must be at most {MAX_SCHEMA_BYTES} bytes long"),
        ));
    }
    if depth(raw) > MAX_DEPTH {
        return Err(DomainError::invalid(
            "/",
            format!("must nest at most {MAX_DEPTH} levels deep"),
        ));
    }
    let root = raw
        .as_object()
        .ok_or_else(|| refuse("", "must be a JSON object"))?;
    for (key, value) in root {
        let at = format!("/{}", escape(key));
        match key.as_str() {
            "type" if value == "object" => {}
            "type" => return Err(refuse(&at, "must be \"object\"")),
            "$schema" | "properties" | "required" => {}
            "title" | "description" => check_text(&at, value)?,
            "additionalProperties" if value == false => {}
            "additionalProperties" => {
                return Err(refuse(
                    &at,
                    "must be false: only declared properties are kept",
                ))
            }
            _ => return Err(unsupported(&at)),
        }
    }
    let props = root
        .get("properties")
        .ok_or_else(|| refuse("/properties", "is required"))?
        .as_object()
        .ok_or_else(|| refuse("/properties", "must be an object"))?;
    if props.len() > MAX_PROPERTIES {
        return Err(refuse(
            "/properties",
            format!("must have at most {MAX_PROPERTIES} properties"),
        ));
    }
    let mut properties = Vec::new();
    for (name, decl) in props {
        let at = format!("/properties/{}", escape(name));
        if !valid_name(name) {
            return Err(refuse(
                &at,
                "must be named with a lowercase letter, then lowercase letters, digits or _ (at most 40)",
            ));
        }
        properties.push(property(&at, name, decl)?);
    }
    let required = match root.get("required") {
        None => Vec::new(),
        Some(Value::Array(names)) => {
            let mut out = Vec::new();
            for (i, n) in names.iter().enumerate() {
                let at = format!("/required/{i}");
                let n = n.as_str().ok_or_else(|| refuse(&at, "must be a string"))?;
                if !props.contains_key(n) {
                    return Err(refuse(&at, "names no declared property"));
                }
                out.push(n.to_string());
            }
            out
        }
        Some(_) => return Err(refuse("/required", "must be a list of property names")),
    };
    Ok(ConfigSchema {
        properties,
        required,
    })
}

fn unsupported(at: &str) -> DomainError {
    refuse(
        at,
        "is not supported: see the README for the keywords armario understands",
    )
}

fn valid_name(n: &str) -> bool {
    let mut chars = n.chars();
    n.len() <= 40
        && chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// A title or description: a string, or `{"pt-BR": …, "en": …}`.
fn check_text(at: &str, v: &Value) -> DomainResult<()> {
    let ok = |s: &Value| s.as_str().is_some_and(|s| s.chars().count() <= MAX_TEXT);
    match v {
        Value::String(_) if ok(v) => Ok(()),
        Value::Object(m) if !m.is_empty() => {
            for (lang, s) in m {
                let inner = format!("{at}/{}", escape(lang));
                if lang != "pt-BR" && lang != "en" {
                    return Err(refuse(&inner, "must be pt-BR or en"));
                }
                if !ok(s) {
                    return Err(refuse(&inner, "must be a text of at most 1000 characters"));
                }
            }
            Ok(())
        }
        _ => Err(refuse(
            at,
            "must be a text of at most 1000 characters, or an object of pt-BR and en texts",
        )),
    }
}

fn property(at: &str, name: &str, decl: &Value) -> DomainResult<Property> {
    let map = decl
        .as_object()
        .ok_or_else(|| refuse(at, "must be an object"))?;
    for key in ["title", "description"] {
        if let Some(v) = map.get(key) {
            check_text(&format!("{at}/{key}"), v)?;
        }
    }
    let kind = kind(at, map, &["title", "description", "default"])?;
    let default = match map.get("default") {
        None => None,
        Some(v) => {
            if let Some(Problem { reason, .. }) = check_value(&kind, v, name).into_iter().next() {
                return Err(refuse(&format!("{at}/default"), reason));
            }
            Some(v.clone())
        }
    };
    Ok(Property {
        name: name.to_string(),
        kind,
        default,
    })
}

fn uint(at: &str, v: Option<&Value>, cap: u64) -> DomainResult<Option<u64>> {
    match v {
        None => Ok(None),
        Some(v) => match v.as_u64() {
            Some(n) if n <= cap => Ok(Some(n)),
            _ => Err(refuse(
                at,
                format!("must be a whole number from 0 to {cap}"),
            )),
        },
    }
}

fn num(at: &str, v: Option<&Value>) -> DomainResult<Option<f64>> {
    match v {
        None => Ok(None),
        Some(v) => v
            .as_f64()
            .map(Some)
            .ok_or_else(|| refuse(at, "must be a number")),
    }
}

/// The rule of one node; `extra` are keywords the caller handles itself.
fn kind(at: &str, map: &Map<String, Value>, extra: &[&str]) -> DomainResult<Kind> {
    let ty = map
        .get("type")
        .ok_or_else(|| refuse(&format!("{at}/type"), "is required"))?
        .as_str()
        .unwrap_or_default();
    let hours = map
        .get("x-armario-type")
        .is_some_and(|v| v == "weekly_hours")
        || map.get("format").is_some_and(|v| v == "weekly_hours");
    let allowed: &[&str] = match ty {
        "string" => &["type", "minLength", "maxLength", "pattern", "enum"],
        "number" | "integer" => &["type", "minimum", "maximum"],
        "boolean" => &["type"],
        "array" => &["type", "items", "minItems", "maxItems"],
        "object" if hours => &["type", "x-armario-type", "format"],
        "object" => {
            return Err(refuse(
                &format!("{at}/type"),
                "an object is supported only as weekly hours (x-armario-type: weekly_hours)",
            ))
        }
        _ => {
            return Err(refuse(
                &format!("{at}/type"),
                "must be string, number, integer, boolean, array or object (weekly hours)",
            ))
        }
    };
    for key in map.keys() {
        if !allowed.contains(&key.as_str()) && !extra.contains(&key.as_str()) {
            return Err(unsupported(&format!("{at}/{}", escape(key))));
        }
    }
    let ptr = |k: &str| format!("{at}/{k}");
    Ok(match ty {
        "string" => {
            let min = uint(&ptr("minLength"), map.get("minLength"), MAX_STRING)?.unwrap_or(0);
            let max =
                uint(&ptr("maxLength"), map.get("maxLength"), MAX_STRING)?.unwrap_or(MAX_STRING);
            if min > max {
                return Err(refuse(&ptr("minLength"), "must not exceed maxLength"));
            }
            let pattern = match map.get("pattern") {
                None => None,
                Some(p) => {
                    let p = p
                        .as_str()
                        .filter(|p| p.len() <= MAX_PATTERN)
                        .ok_or_else(|| {
                            refuse(
                                &ptr("pattern"),
                                "must be a regular expression of at most 500 characters",
                            )
                        })?;
                    Some(Regex::new(p).map_err(|_| {
                        refuse(
                            &ptr("pattern"),
                            "is not a regular expression armario can run",
                        )
                    })?)
                }
            };
            let choices = match map.get("enum") {
                None => None,
                Some(Value::Array(items)) if !items.is_empty() && items.len() <= MAX_ENUM => {
                    let mut out = Vec::new();
                    for (i, v) in items.iter().enumerate() {
                        let s = v.as_str().filter(|s| s.chars().count() <= 200);
                        out.push(
                            s.ok_or_else(|| {
                                refuse(
                                    &format!("{at}/enum/{i}"),
                                    "must be a text of at most 200 characters",
                                )
                            })?
                            .to_string(),
                        );
                    }
                    Some(out)
                }
                Some(_) => return Err(refuse(&ptr("enum"), "must be a list of 1 to 100 texts")),
            };
            Kind::Text {
                min,
                max,
                pattern,
                choices,
            }
        }
        "number" | "integer" => {
            let min = num(&ptr("minimum"), map.get("minimum"))?;
            let max = num(&ptr("maximum"), map.get("maximum"))?;
            if let (Some(a), Some(b)) = (min, max) {
                if a > b {
                    return Err(refuse(&ptr("minimum"), "must not exceed maximum"));
                }
            }
            Kind::Number {
                integer: ty == "integer",
                min,
                max,
            }
        }
        "boolean" => Kind::Boolean,
        "array" => {
            let items = map
                .get("items")
                .ok_or_else(|| refuse(&ptr("items"), "is required"))?
                .as_object()
                .ok_or_else(|| refuse(&ptr("items"), "must be an object"))?;
            if items.get("type").is_some_and(|t| t == "array") {
                return Err(refuse(
                    &ptr("items/type"),
                    "a list of lists is not supported",
                ));
            }
            let item = kind(&ptr("items"), items, &[])?;
            let min = uint(&ptr("minItems"), map.get("minItems"), MAX_ITEMS)?.unwrap_or(0);
            let max = uint(&ptr("maxItems"), map.get("maxItems"), MAX_ITEMS)?.unwrap_or(MAX_ITEMS);
            if min > max {
                return Err(refuse(&ptr("minItems"), "must not exceed maxItems"));
            }
            Kind::List {
                item: Box::new(item),
                min,
                max,
            }
        }
        _ => Kind::WeeklyHours,
    })
}

#[cfg(test)]
#[path = "config_schema_tests.rs"]
mod tests;
