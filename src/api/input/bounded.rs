//! Integers with bounds and lists with a size limit.

use std::borrow::Cow;
use std::fmt;

use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
use poem_openapi::types::{
    ParseError, ParseFromJSON, ParseFromParameter, ParseResult, ToJSON, Type,
};
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use serde_json::Value;

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

/// A JSON object of at most `MAX` fields with values of type `V`; `maxProperties` in the
/// schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fields<V, const MAX: usize>(std::collections::BTreeMap<String, V>);

impl<V, const MAX: usize> Fields<V, MAX> {
    pub fn into_inner(self) -> std::collections::BTreeMap<String, V> {
        self.0
    }

    fn check(fields: std::collections::BTreeMap<String, V>) -> Result<Self, String> {
        if fields.len() > MAX {
            return Err(format!("must have at most {MAX} fields"));
        }
        Ok(Self(fields))
    }
}

impl<V: Type, const MAX: usize> Type for Fields<V, MAX> {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = V::RawValueType;

    fn name() -> Cow<'static, str> {
        format!("map<string, {}>", V::name()).into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            additional_properties: Some(Box::new(V::schema_ref())),
            max_properties: Some(MAX),
            ..MetaSchema::new("object")
        }))
    }

    fn register(registry: &mut poem_openapi::registry::Registry) {
        V::register(registry);
    }

    fn as_raw_value(&self) -> Option<&Self> {
        Some(self)
    }

    fn raw_element_iter<'a>(
        &'a self,
    ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        Box::new(self.0.values().filter_map(V::as_raw_value))
    }
}

impl<V: ParseFromJSON, const MAX: usize> ParseFromJSON for Fields<V, MAX> {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        let fields = std::collections::BTreeMap::<String, V>::parse_from_json(value)
            .map_err(ParseError::propagate)?;
        Self::check(fields).map_err(ParseError::custom)
    }
}

impl<V: ToJSON, const MAX: usize> ToJSON for Fields<V, MAX> {
    fn to_json(&self) -> Option<Value> {
        self.0.to_json()
    }
}

impl<'de, V: Deserialize<'de>, const MAX: usize> Deserialize<'de> for Fields<V, MAX> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let fields = std::collections::BTreeMap::<String, V>::deserialize(d)?;
        Self::check(fields).map_err(de::Error::custom)
    }
}
