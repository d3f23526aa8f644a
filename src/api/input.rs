//! Request field types that carry their limits. Each is a string or an integer whose schema
//! states the limit (`maxLength`, `pattern`, `minimum`/`maximum`), and whose parsing (serde for
//! bodies, poem-openapi for parameters) enforces that same limit, so the document and the
//! server cannot drift apart. Rules JSON Schema cannot state (CNPJ check digits, reserved
//! slugs, e-mail syntax in full) stay in `domain`; a pattern here is a superset of what the
//! domain accepts, so anything the pattern refuses is refused.

use std::borrow::Cow;
use std::fmt;

use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
use poem_openapi::types::{
    ParseError, ParseFromJSON, ParseFromParameter, ParseResult, ToJSON, Type,
};
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use serde_json::Value;

/// Limits the domain enforces, restated where the document can show them.
pub const COMPANY_NAME_MAX: usize = crate::domain::company::NAME_MAX;
pub const PERSON_NAME_MAX: usize = crate::domain::user::NAME_MAX;
pub const APP_NAME_MAX: usize = 120;
pub const DESCRIPTION_MAX: usize = 1000;
pub const LABEL_MAX: usize = 100;
pub const DISPLAY_NAME_MAX: usize = 100;
pub const PLAN_MAX: usize = 50;
pub const PHONE_MAX: usize = 32;
pub const PASSWORD_MAX: usize = crate::crypto::password::MAX_LENGTH;
/// Session, login-link, setup and application tokens are far shorter; this only bounds them.
pub const TOKEN_MAX: usize = 512;
/// Search terms.
pub const SEARCH_MAX: usize = 200;
/// Page cursors are base64 of a short key.
pub const CURSOR_MAX: usize = 512;
/// Audit actions (`company.created`).
pub const ACTION_MAX: usize = 64;
/// Typed ids (`cmp_…`, `app_…`) are 30 characters or so.
pub const ID_MAX: usize = 64;
/// `secrets:custom_<40 characters>:read` is the longest scope.
pub const SCOPE_MAX: usize = 100;
pub const MAX_SCOPES: usize = 32;
/// `custom_` and up to 40 characters.
pub const SECRET_KIND_MAX: usize = 47;
/// A host name with a port (`app.example.com:8443`).
pub const HOST_MAX: usize = 260;
pub const SECRET_VALUE_MAX: usize = 4096;
/// A data URL of a logo of at most 64 KiB: `data:image/jpeg;base64,` and the base64 text.
pub const LOGO_URL_MAX: usize =
    "data:image/jpeg;base64,".len() + crate::domain::validate::MAX_LOGO_BYTES.div_ceil(3) * 4;

/// Users a company may have.
pub type MaxUsers = Int<1, { crate::domain::company::MAX_USERS_LIMIT }>;

/// Checks a string against a maximum length in characters, with the API's wording.
fn within(value: &str, max: usize) -> Result<(), String> {
    if value.chars().count() > max {
        return Err(format!("must have at most {max} characters"));
    }
    Ok(())
}

/// Implements poem-openapi's traits and serde for a string newtype with `max` characters and
/// an optional `pattern`.
macro_rules! string_type {
    ($name:ident, $max:expr, $pattern:expr) => {
        impl $name {
            pub const MAX: usize = $max;
            pub const PATTERN: Option<&'static str> = $pattern;

            pub fn into_inner(self) -> String {
                self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(value: String) -> Result<Self, String> {
                within(&value, Self::MAX)?;
                Ok(Self(value))
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl Type for $name {
            const IS_REQUIRED: bool = true;
            type RawValueType = String;
            type RawElementValueType = String;

            fn name() -> Cow<'static, str> {
                "string".into()
            }

            fn schema_ref() -> MetaSchemaRef {
                MetaSchemaRef::Inline(Box::new(MetaSchema {
                    max_length: Some(Self::MAX),
                    pattern: Self::PATTERN.map(str::to_string),
                    ..MetaSchema::new("string")
                }))
            }

            fn as_raw_value(&self) -> Option<&String> {
                Some(&self.0)
            }

            fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a String> + 'a> {
                Box::new(std::iter::once(&self.0))
            }
        }

        impl ParseFromJSON for $name {
            fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
                match value.unwrap_or_default() {
                    Value::String(s) => Self::try_from(s).map_err(ParseError::custom),
                    other => Err(ParseError::expected_type(other)),
                }
            }
        }

        impl ParseFromParameter for $name {
            fn parse_from_parameter(value: &str) -> ParseResult<Self> {
                Self::try_from(value.to_string()).map_err(ParseError::custom)
            }
        }

        impl ToJSON for $name {
            fn to_json(&self) -> Option<Value> {
                Some(Value::String(self.0.clone()))
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = d.deserialize_string(StringOnly)?;
                Self::try_from(s).map_err(de::Error::custom)
            }
        }
    };
}

/// Accepts a JSON string and nothing else (poem-openapi would take `true` and `5` as text).
struct StringOnly;

impl Visitor<'_> for StringOnly {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }
}

/// Text of at most `MAX` characters: names, labels, descriptions, passwords, tokens, searches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text<const MAX: usize>(String);

impl<const MAX: usize> Text<MAX> {
    pub fn into_inner(self) -> String {
        self.0
    }
}

impl<const MAX: usize> std::ops::Deref for Text<MAX> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<const MAX: usize> From<Text<MAX>> for String {
    fn from(value: Text<MAX>) -> String {
        value.0
    }
}

impl<const MAX: usize> TryFrom<String> for Text<MAX> {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        within(&value, MAX)?;
        Ok(Self(value))
    }
}

impl<const MAX: usize> Type for Text<MAX> {
    const IS_REQUIRED: bool = true;
    type RawValueType = String;
    type RawElementValueType = String;

    fn name() -> Cow<'static, str> {
        "string".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            max_length: Some(MAX),
            ..MetaSchema::new("string")
        }))
    }

    fn as_raw_value(&self) -> Option<&String> {
        Some(&self.0)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a String> + 'a> {
        Box::new(std::iter::once(&self.0))
    }
}

impl<const MAX: usize> ParseFromJSON for Text<MAX> {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value.unwrap_or_default() {
            Value::String(s) => Self::try_from(s).map_err(ParseError::custom),
            other => Err(ParseError::expected_type(other)),
        }
    }
}

impl<const MAX: usize> ParseFromParameter for Text<MAX> {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        Self::try_from(value.to_string()).map_err(ParseError::custom)
    }
}

impl<const MAX: usize> ToJSON for Text<MAX> {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(self.0.clone()))
    }
}

impl<'de, const MAX: usize> Deserialize<'de> for Text<MAX> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = d.deserialize_string(StringOnly)?;
        Self::try_from(s).map_err(de::Error::custom)
    }
}

/// A CNPJ, bare (14) or formatted (18); letters allowed in the first 12 since 2026. Check
/// digits are verified by `domain::cnpj`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cnpj(String);
string_type!(
    Cnpj,
    18,
    Some(r"^\s*[0-9A-Za-z]{2}\.?[0-9A-Za-z]{3}\.?[0-9A-Za-z]{3}/?[0-9A-Za-z]{4}-?[0-9]{2}\s*$")
);

/// A company's slug; empty means "derive it from the name" on creation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slug(String);
string_type!(
    Slug,
    63,
    Some(r"^\s*([A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])?\s*$")
);

/// A colour as `#rrggbb`; empty (or blank) clears it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Color(String);
string_type!(Color, 7, Some(r"^\s*(#[0-9A-Fa-f]{6})?\s*$"));

/// An e-mail address; empty clears an optional one. The domain checks RFC 5322 in full.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);
string_type!(Email, 254, Some(r"^\s*([^@\s]+@[^@\s]+\.[^@\s]+)?\s*$"));

/// A host name (a company's custom domain), at most 253 characters as DNS allows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostName(String);
string_type!(
    HostName,
    253,
    Some(r"^\s*[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+\.*\s*$")
);

/// An integer from `MIN` to `MAX`; `minimum`/`maximum` in the schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Int<const MIN: i64, const MAX: i64>(i64);

impl<const MIN: i64, const MAX: i64> Int<MIN, MAX> {
    pub fn get(self) -> i64 {
        self.0
    }

    fn check(value: i128) -> Result<Self, String> {
        if value < i128::from(MIN) || value > i128::from(MAX) {
            return Err(format!("must be between {MIN} and {MAX}"));
        }
        Ok(Self(value as i64))
    }
}

impl<const MIN: i64, const MAX: i64> Type for Int<MIN, MAX> {
    const IS_REQUIRED: bool = true;
    type RawValueType = i64;
    type RawElementValueType = i64;

    fn name() -> Cow<'static, str> {
        "integer(int64)".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            minimum: Some(MIN as f64),
            maximum: Some(MAX as f64),
            ..MetaSchema::new_with_format("integer", "int64")
        }))
    }

    fn as_raw_value(&self) -> Option<&i64> {
        Some(&self.0)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a i64> + 'a> {
        Box::new(std::iter::once(&self.0))
    }
}

impl<const MIN: i64, const MAX: i64> ParseFromJSON for Int<MIN, MAX> {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value.unwrap_or_default() {
            Value::Number(n) if n.is_i64() || n.is_u64() => {
                let n = n.as_i64().map(i128::from).or(n.as_u64().map(i128::from));
                Self::check(n.unwrap_or_default()).map_err(ParseError::custom)
            }
            other => Err(ParseError::expected_type(other)),
        }
    }
}

impl<const MIN: i64, const MAX: i64> ParseFromParameter for Int<MIN, MAX> {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        let n: i128 = value
            .parse()
            .map_err(|_| ParseError::custom("must be an integer"))?;
        Self::check(n).map_err(ParseError::custom)
    }
}

impl<const MIN: i64, const MAX: i64> ToJSON for Int<MIN, MAX> {
    fn to_json(&self) -> Option<Value> {
        Some(Value::from(self.0))
    }
}

struct IntegerOnly;

impl Visitor<'_> for IntegerOnly {
    type Value = i128;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an integer")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<i128, E> {
        Ok(v.into())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<i128, E> {
        Ok(v.into())
    }
}

impl<'de, const MIN: i64, const MAX: i64> Deserialize<'de> for Int<MIN, MAX> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let n = d.deserialize_i64(IntegerOnly)?;
        Self::check(n).map_err(de::Error::custom)
    }
}

/// A list of at most `MAX` items; `maxItems` in the schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct List<T, const MAX: usize>(Vec<T>);

impl<T, const MAX: usize> List<T, MAX> {
    pub fn into_inner(self) -> Vec<T> {
        self.0
    }

    fn check(items: Vec<T>) -> Result<Self, String> {
        if items.len() > MAX {
            return Err(format!("must have at most {MAX} items"));
        }
        Ok(Self(items))
    }
}

impl<T: Type, const MAX: usize> Type for List<T, MAX> {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = T::RawValueType;

    fn name() -> Cow<'static, str> {
        format!("[{}]", T::name()).into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            items: Some(Box::new(T::schema_ref())),
            max_items: Some(MAX),
            ..MetaSchema::new("array")
        }))
    }

    fn register(registry: &mut poem_openapi::registry::Registry) {
        T::register(registry);
    }

    fn as_raw_value(&self) -> Option<&Self> {
        Some(self)
    }

    fn raw_element_iter<'a>(
        &'a self,
    ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        Box::new(self.0.iter().filter_map(T::as_raw_value))
    }
}

impl<T: ParseFromJSON, const MAX: usize> ParseFromJSON for List<T, MAX> {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        let items = Vec::<T>::parse_from_json(value).map_err(ParseError::propagate)?;
        Self::check(items).map_err(ParseError::custom)
    }
}

impl<T: ToJSON, const MAX: usize> ToJSON for List<T, MAX> {
    fn to_json(&self) -> Option<Value> {
        self.0.to_json()
    }
}

impl<'de, T: Deserialize<'de>, const MAX: usize> Deserialize<'de> for List<T, MAX> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Self::check(Vec::<T>::deserialize(d)?).map_err(de::Error::custom)
    }
}

#[cfg(test)]
#[path = "input_tests.rs"]
mod tests;
