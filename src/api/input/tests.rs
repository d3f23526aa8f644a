use super::*;
use poem_openapi::registry::MetaSchemaRef;
use poem_openapi::types::{ParseFromJSON, ParseFromParameter, Type};
use serde_json::Value;

/// Values the domain accepts must fit the published limits, or a client generated from the
/// document could not send them.
#[test]
fn domain_accepted_values_fit_the_published_patterns() {
    use crate::domain::{application, cnpj, validate};
    let fits = |pattern: Option<&str>, max: usize, v: &str| {
        let re = regex::Regex::new(pattern.unwrap()).unwrap();
        re.is_match(v) && v.chars().count() <= max
    };
    for v in ["11.222.333/0001-81", "11222333000181", " 12ABC34501DE35 "] {
        assert!(cnpj::normalize("cnpj", v).is_ok(), "{v}");
        assert!(fits(Cnpj::PATTERN, Cnpj::MAX, v), "{v}");
    }
    assert!(!fits(Cnpj::PATTERN, Cnpj::MAX, "11 222 333 0001 81"));
    for v in ["alfa", "Alfa-Sistemas", "a1b", ""] {
        assert!(fits(Slug::PATTERN, Slug::MAX, v), "{v}");
    }
    assert!(!fits(Slug::PATTERN, Slug::MAX, "-alfa"));
    for v in ["#1a2B3c", "", " "] {
        assert!(validate::optional_color("c", Some(v)).is_ok(), "{v}");
        assert!(fits(Color::PATTERN, Color::MAX, v), "{v}");
    }
    assert!(!fits(Color::PATTERN, Color::MAX, "red"));
    for v in ["ana@example.com", " Ana.Maria+erp@sub.example.com.br ", ""] {
        assert!(validate::optional_email("e", Some(v)).is_ok(), "{v}");
        assert!(fits(Email::PATTERN, Email::MAX, v), "{v}");
    }
    assert!(!fits(Email::PATTERN, Email::MAX, "ana"));
    for v in ["app.padaria.com.br", "App.Example.COM.", " x-1.test "] {
        assert!(application::validate_domain("d", v).is_ok(), "{v}");
        assert!(fits(HostName::PATTERN, HostName::MAX, v), "{v}");
    }
    assert!(!fits(HostName::PATTERN, HostName::MAX, "localhost"));
}

#[test]
fn limits_hold_in_both_parsers_and_show_in_the_schema() {
    assert!(Text::<3>::parse_from_parameter("abcd").is_err());
    assert!(Text::<3>::parse_from_json(Some(Value::Bool(true))).is_err());
    assert_eq!(
        Int::<1, 200>::parse_from_parameter("200").unwrap().get(),
        200
    );
    assert!(Int::<1, 200>::parse_from_parameter("0").is_err());
    let MetaSchemaRef::Inline(s) = Cnpj::schema_ref() else {
        panic!("inline");
    };
    assert_eq!((s.max_length, s.pattern.is_some()), (Some(34), true));
    let MetaSchemaRef::Inline(s) = Int::<1, 200>::schema_ref() else {
        panic!("inline");
    };
    assert_eq!((s.minimum, s.maximum), (Some(1.0), Some(200.0)));
}
