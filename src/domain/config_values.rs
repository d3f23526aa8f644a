//! A company's configuration values checked against its application's schema. Writes stop at
//! the first problem (a 400 naming the property path); reads list every problem, so values a
//! changed schema no longer accepts are reported and kept, never dropped.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::domain::config_schema::{ConfigSchema, Kind};
use crate::error::{DomainError, DomainResult};

/// Weekdays as weekly hours name them.
pub const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
/// Intervals a day may hold.
pub const MAX_INTERVALS: usize = 6;

/// One value that does not fit: where (`greeting`, `phones[2]`, `hours.mon[0]`) and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    pub path: String,
    pub reason: String,
}

fn problem(path: &str, reason: impl Into<String>) -> Vec<Problem> {
    vec![Problem {
        path: path.to_string(),
        reason: reason.into(),
    }]
}

/// Every problem of one value against its rule.
pub fn check_value(kind: &Kind, v: &Value, path: &str) -> Vec<Problem> {
    match kind {
        Kind::Text {
            min,
            max,
            pattern,
            choices,
        } => {
            let Some(s) = v.as_str() else {
                return problem(path, "must be a text");
            };
            let len = s.chars().count() as u64;
            if let Some(choices) = choices {
                if !choices.iter().any(|c| c == s) {
                    return problem(path, format!("must be one of {}", choices.join(", ")));
                }
            }
            if len < *min {
                return problem(path, format!("must have at least {min} characters"));
            }
            if len > *max {
                return problem(path, format!("must have at most {max} characters"));
            }
            if let Some(re) = pattern {
                if !re.is_match(s) {
                    return problem(path, format!("does not match the pattern {}", re.as_str()));
                }
            }
            Vec::new()
        }
        Kind::Number { integer, min, max } => {
            let Some(n) = v.as_f64() else {
                return problem(path, "must be a number");
            };
            if *integer && !(v.is_i64() || v.is_u64()) {
                return problem(path, "must be a whole number");
            }
            if let Some(m) = min.filter(|m| n < *m) {
                return problem(path, format!("must be at least {m}"));
            }
            if let Some(m) = max.filter(|m| n > *m) {
                return problem(path, format!("must be at most {m}"));
            }
            Vec::new()
        }
        Kind::Boolean if v.is_boolean() => Vec::new(),
        Kind::Boolean => problem(path, "must be true or false"),
        Kind::WeeklyHours => check_hours(v, path),
        Kind::List { item, min, max } => {
            let Some(items) = v.as_array() else {
                return problem(path, "must be a list");
            };
            let n = items.len() as u64;
            if n < *min {
                return problem(path, format!("must have at least {min} items"));
            }
            if n > *max {
                return problem(path, format!("must have at most {max} items"));
            }
            items
                .iter()
                .enumerate()
                .flat_map(|(i, v)| check_value(item, v, &format!("{path}[{i}]")))
                .collect()
        }
    }
}

/// Minutes since midnight of `HH:MM` (00:00 to 24:00).
fn minutes(s: &str) -> Option<u32> {
    let (h, m) = s.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (m < 60 && (h < 24 || (h == 24 && m == 0))).then_some(h * 60 + m)
}

fn check_hours(v: &Value, path: &str) -> Vec<Problem> {
    let Some(days) = v.as_object() else {
        return problem(path, "must be an object of weekdays (mon to sun)");
    };
    for (day, intervals) in days {
        let at = format!("{path}.{day}");
        if !DAYS.contains(&day.as_str()) {
            return problem(
                &at,
                "is not a weekday: use mon, tue, wed, thu, fri, sat or sun",
            );
        }
        let Some(list) = intervals.as_array().filter(|l| l.len() <= MAX_INTERVALS) else {
            return problem(&at, "must be a list of at most 6 intervals");
        };
        let mut last_close = None;
        for (i, interval) in list.iter().enumerate() {
            let at = format!("{at}[{i}]");
            let get = |k: &str| interval.get(k).and_then(Value::as_str).and_then(minutes);
            let keys_ok = interval
                .as_object()
                .is_some_and(|o| o.len() == 2 && o.contains_key("open") && o.contains_key("close"));
            let (Some(open), Some(close), true) = (get("open"), get("close"), keys_ok) else {
                return problem(&at, "must be an object of open and close times in HH:MM");
            };
            if open >= close {
                return problem(&at, "must close after it opens");
            }
            if last_close.is_some_and(|c| open < c) {
                return problem(
                    &at,
                    "must start after the previous interval closes, in order",
                );
            }
            last_close = Some(close);
        }
    }
    Vec::new()
}

/// Every problem of stored values against the schema: values that do not fit, keys the schema
/// no longer declares, required properties with neither a value nor a default. `defaults` are
/// the owner's defaults.
pub fn problems(
    schema: &ConfigSchema,
    values: &Map<String, Value>,
    defaults: &Map<String, Value>,
) -> Vec<Problem> {
    let mut out = Vec::new();
    for (key, v) in values {
        match schema.property(key) {
            Some(p) => out.extend(check_value(&p.kind, v, key)),
            None => out.extend(problem(key, "is not in the schema")),
        }
    }
    for name in &schema.required {
        let has_default = defaults.contains_key(name)
            || schema.property(name).is_some_and(|p| p.default.is_some());
        if !values.contains_key(name) && !has_default {
            out.extend(problem(name, "is required"));
        }
    }
    out
}

/// Checks `changed` keys of a write (each must be declared and fit; `null` clears a key, which
/// the caller has already removed from `values`), then that the result leaves no required
/// property without a value or default. The first problem refuses the write.
pub fn check_write(
    schema: &ConfigSchema,
    changed: &Map<String, Value>,
    result: &Map<String, Value>,
    defaults: &Map<String, Value>,
) -> DomainResult<()> {
    for (key, v) in changed {
        // Clearing is always allowed, also a key a changed schema no longer declares.
        if v.is_null() {
            continue;
        }
        let Some(p) = schema.property(key) else {
            return Err(DomainError::invalid(key.as_str(), "is not in the schema"));
        };
        if let Some(first) = check_value(&p.kind, v, key).into_iter().next() {
            return Err(DomainError::invalid(first.path, first.reason));
        }
    }
    let missing = problems(schema, result, defaults)
        .into_iter()
        .find(|p| p.reason == "is required");
    match missing {
        Some(p) => Err(DomainError::invalid(p.path, "is required")),
        None => Ok(()),
    }
}

/// Owner defaults: each key declared and fitting; nothing is required of them.
pub fn check_defaults(schema: &ConfigSchema, defaults: &Map<String, Value>) -> DomainResult<()> {
    for (key, v) in defaults {
        let Some(p) = schema.property(key) else {
            return Err(DomainError::invalid(key.as_str(), "is not in the schema"));
        };
        if let Some(first) = check_value(&p.kind, v, key).into_iter().next() {
            return Err(DomainError::invalid(first.path, first.reason));
        }
    }
    Ok(())
}

/// The values an application reads: each declared property's company value, else the owner's
/// default, else the schema's; keys the schema no longer declares are kept as stored.
pub fn effective(
    schema: &ConfigSchema,
    values: &Map<String, Value>,
    defaults: &Map<String, Value>,
) -> Map<String, Value> {
    let mut out = values.clone();
    for p in &schema.properties {
        if out.contains_key(&p.name) {
            continue;
        }
        if let Some(v) = defaults.get(&p.name).or(p.default.as_ref()) {
            out.insert(p.name.clone(), v.clone());
        }
    }
    out
}
