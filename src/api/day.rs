//! A calendar day as a query parameter, published as `format: date` (RFC 3339 `full-date`,
//! `2026-01-31`). poem-openapi's own NaiveDate says `format: naive-date`, which no client or
//! fuzzer knows, so they sent any string and got a 400 for input the spec allowed.

use std::borrow::Cow;

use chrono::NaiveDate;
use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
use poem_openapi::types::{ParseError, ParseFromParameter, ParseResult, Type};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Day(pub NaiveDate);

impl Type for Day {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        "string_date".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            max_length: Some(10),
            ..MetaSchema::new_with_format("string", "date")
        }))
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        Some(self)
    }

    fn raw_element_iter<'a>(
        &'a self,
    ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

impl ParseFromParameter for Day {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        NaiveDate::parse_from_str(value, "%Y-%m-%d")
            .map(Day)
            .map_err(|_| ParseError::custom("expected a day as YYYY-MM-DD"))
    }
}

/// The inner days of optional parameters.
pub fn days(day: Option<Day>) -> Option<NaiveDate> {
    day.map(|d| d.0)
}
