use serde::Deserialize;

use super::*;
use crate::api::input::{Int, Text};

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Inner {
    email: Text<10>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct In {
    name: Text<5>,
    #[serde(default)]
    nick: Option<Text<5>>,
    #[serde(default, deserialize_with = "present")]
    count: Option<Int<1, 10>>,
    #[serde(default)]
    tags: Vec<Text<3>>,
    inner: Option<Inner>,
    #[serde(default)]
    kind: Option<Kind>,
}

#[derive(Deserialize, Debug)]
#[serde(rename_all = "lowercase")]
enum Kind {
    A,
    B,
}

fn refused(body: &str) -> (String, String) {
    let e = parse::<In>(body.as_bytes(), false).unwrap_err();
    (e.field, e.reason)
}

#[test]
fn each_refusal_names_its_field() {
    let ok = parse::<In>(br#"{"name":"ana","nick":null,"tags":["a"]}"#, false).unwrap();
    assert!(ok.nick.is_none() && ok.count.is_none());
    let cases = [
        (r#"{}"#, "name", "is required"),
        (r#"{"name":true}"#, "name", "must be a string"),
        (r#"{"name":5}"#, "name", "must be a string"),
        (r#"{"name":null}"#, "name", "must not be null"),
        (r#"{"name":"a","count":null}"#, "count", "must not be null"),
        (r#"{"name":"a","count":"2"}"#, "count", "must be an integer"),
        (
            r#"{"name":"a","count":11}"#,
            "count",
            "must be between 1 and 10",
        ),
        (
            r#"{"name":"a","count":18446744073709551615}"#,
            "count",
            "must be between 1 and 10",
        ),
        (
            r#"{"name":"abcdef"}"#,
            "name",
            "must have at most 5 characters",
        ),
        (r#"{"name":"a","other":1}"#, "other", "is not a known field"),
        (
            r#"{"name":"a","tags":["a","abcd"]}"#,
            "tags[1]",
            "must have at most 3 characters",
        ),
        (r#"{"name":"a","tags":"a"}"#, "tags", "must be an array"),
        (r#"{"name":"a","inner":{}}"#, "inner.email", "is required"),
        (
            r#"{"name":"a","inner":{"x":1}}"#,
            "inner.x",
            "is not a known field",
        ),
        (
            r#"{"name":"a","inner":3}"#,
            "inner",
            "must be a JSON object",
        ),
        (r#"[1]"#, "body", "must be a JSON object"),
        (r#"{"name":"a","kind":"c"}"#, "kind", "must be one of a, b"),
    ];
    for (body, field, reason) in cases {
        assert_eq!(
            refused(body),
            (field.to_string(), reason.to_string()),
            "{body}"
        );
    }
    assert_eq!(refused("{").0, "body");
    let empty = parse::<In>(b"{}", true).unwrap_err();
    assert_eq!(
        (empty.field.as_str(), empty.reason.as_str()),
        ("body", "must name at least one field")
    );
}

/// The key of an unknown field is the client's own text, of any length; the answer names it
/// within the 200 characters the error's `field` documents (found by the contract fuzzer with
/// a key of 230 characters, combining marks included).
#[test]
fn an_unknown_field_of_any_length_is_named_within_the_documented_bound() {
    let key = "Ṱ̺̺̕o͞".repeat(60);
    let (field, reason) = refused(&format!(r#"{{"name":"a","{key}":1}}"#));
    assert_eq!(reason, "is not a known field");
    assert!(
        field.chars().count() <= FIELD_MAX_CHARS,
        "{}",
        field.chars().count()
    );
    assert!(key.starts_with(field.trim_end_matches('…')), "{field}");
    let (short, _) = refused(r#"{"name":"a","other":1}"#);
    assert_eq!(short, "other");
}
