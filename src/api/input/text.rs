//! Strings with a length limit, and some with a pattern.

use std::borrow::Cow;
use std::fmt;

use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
use poem_openapi::types::{
    ParseError, ParseFromJSON, ParseFromParameter, ParseResult, ToJSON, Type,
};
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use serde_json::Value;

use super::within;

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

/// A JSON string and nothing else.
pub(super) fn string_only<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    d.deserialize_string(StringOnly)
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

/// Room for the white space around a value, which the domain trims (` 11.222.333/0001-81 ` is
/// accepted), on top of the longest value it accepts.
const PAD: usize = 16;

/// A CNPJ, bare (14) or formatted (18); letters allowed in the first 12 since 2026. Check
/// digits are verified by `domain::cnpj`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cnpj(String);
string_type!(
    Cnpj,
    18 + PAD,
    Some(r"^\s*[0-9A-Za-z]{2}\.?[0-9A-Za-z]{3}\.?[0-9A-Za-z]{3}/?[0-9A-Za-z]{4}-?[0-9]{2}\s*$")
);

/// A company's slug; empty means "derive it from the name" on creation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slug(String);
string_type!(
    Slug,
    63 + PAD,
    Some(r"^\s*([A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])?\s*$")
);

/// A colour as `#rrggbb`; empty (or blank) clears it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Color(String);
string_type!(Color, 7 + PAD, Some(r"^\s*(#[0-9A-Fa-f]{6})?\s*$"));

/// An e-mail address; empty clears an optional one. The domain checks RFC 5322 in full.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);
string_type!(
    Email,
    254 + PAD,
    Some(r"^\s*([^@\s]+@[^@\s]+\.[^@\s]+)?\s*$")
);

/// A host name (a company's custom domain), at most 253 characters as DNS allows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostName(String);
string_type!(
    HostName,
    253 + PAD,
    Some(r"^\s*[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+\.*\s*$")
);
