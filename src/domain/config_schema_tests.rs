use serde_json::json;

use super::*;
use crate::domain::config_values::{check_value, problems};

fn field_of(v: Value) -> String {
    match parse(&v) {
        Err(DomainError::Invalid { field, .. }) => field,
        other => panic!("accepted: {other:?}"),
    }
}

#[test]
fn refuses_keywords_outside_the_subset_by_pointer() {
    let base = |p: Value| json!({ "type": "object", "properties": { "a": p } });
    assert_eq!(
        field_of(base(json!({ "type": "string", "format": "email" }))),
        "/properties/a/format"
    );
    assert_eq!(
        field_of(base(json!({ "type": "number", "multipleOf": 2 }))),
        "/properties/a/multipleOf"
    );
    assert_eq!(
        field_of(base(json!({ "type": "object" }))),
        "/properties/a/type"
    );
    assert_eq!(
        field_of(json!({ "type": "object", "properties": {}, "oneOf": [] })),
        "/oneOf"
    );
    assert_eq!(
        field_of(base(json!({ "type": "string", "default": 3 }))),
        "/properties/a/default"
    );
}

#[test]
fn weekly_hours_are_in_order_and_do_not_overlap() {
    let ok = json!({ "mon": [{ "open": "08:00", "close": "12:00" }, { "open": "13:00", "close": "18:00" }] });
    assert!(check_value(&Kind::WeeklyHours, &ok, "h").is_empty());
    let overlap = json!({ "mon": [{ "open": "08:00", "close": "12:00" }, { "open": "11:00", "close": "18:00" }] });
    assert_eq!(
        check_value(&Kind::WeeklyHours, &overlap, "h")[0].path,
        "h.mon[1]"
    );
    let backwards = json!({ "tue": [{ "open": "12:00", "close": "08:00" }] });
    assert_eq!(
        check_value(&Kind::WeeklyHours, &backwards, "h")[0].path,
        "h.tue[0]"
    );
    let bad_time = json!({ "wed": [{ "open": "8:00", "close": "25:00" }] });
    assert!(!check_value(&Kind::WeeklyHours, &bad_time, "h").is_empty());
}

#[test]
fn stored_values_that_no_longer_fit_are_all_reported() {
    let schema = parse(&json!({ "type": "object", "required": ["n"],
        "properties": { "n": { "type": "integer", "maximum": 5 }, "tags": { "type": "array", "items": { "type": "string", "maxLength": 2 } } } }))
    .unwrap();
    let values = json!({ "n": 9, "tags": ["ok", "long"], "gone": true });
    let found = problems(&schema, values.as_object().unwrap(), &Map::new());
    let mut paths: Vec<&str> = found.iter().map(|p| p.path.as_str()).collect();
    paths.sort();
    assert_eq!(paths, ["gone", "n", "tags[1]"]);
}
