//! The JSON request body extractor. It documents its type exactly as poem-openapi's `Json`
//! does, but reads the body with serde through `serde_path_to_error`, so a bad body is refused
//! with the path of the field at fault (`admin.email`, `scopes[2]`), and as strictly as the
//! schema reads: `true` or `5` where a string is required, `null` for a field that is not
//! nullable, an unknown field, or an empty PATCH are all refused (poem-openapi's own parser
//! turns `true` into "true" and reads `null` as absent).

use poem::http::{Method, StatusCode};
use poem::{Request, RequestBody};
use poem_openapi::payload::{ParsePayload, Payload};
use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::Type;
use serde::de::DeserializeOwned;

/// A request body of type `T`, parsed strictly.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

/// Bad input with the field it is about: a 400 `{code: "invalid", message, field}`.
#[derive(Debug, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct InvalidInput {
    pub field: String,
    pub reason: String,
}

/// The most characters of a field's path an error names (the `field` of `ErrorBody`).
pub const FIELD_MAX_CHARS: usize = 200;

/// A field's path as an error names it: one longer than [`FIELD_MAX_CHARS`] (an unknown key
/// is the client's own text) is cut there and ends with `…`.
pub fn cut_field(field: String) -> String {
    if field.chars().count() <= FIELD_MAX_CHARS {
        return field;
    }
    let mut cut: String = field.chars().take(FIELD_MAX_CHARS - 1).collect();
    cut.push('…');
    cut
}

impl InvalidInput {
    /// A refusal of `field`, its path cut as [`cut_field`] cuts it.
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            field: cut_field(field.into()),
            reason: reason.into(),
        }
    }
}

impl poem::error::ResponseError for InvalidInput {
    fn status(&self) -> StatusCode {
        StatusCode::BAD_REQUEST
    }
}

impl<T: Type> Payload for JsonBody<T> {
    const CONTENT_TYPE: &'static str = poem_openapi::payload::Json::<T>::CONTENT_TYPE;

    fn check_content_type(content_type: &str) -> bool {
        poem_openapi::payload::Json::<T>::check_content_type(content_type)
    }

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: Type + DeserializeOwned> ParsePayload for JsonBody<T> {
    const IS_REQUIRED: bool = true;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        let data = body.take()?.into_bytes().await?;
        parse(&data, request.method() == Method::PATCH)
            .map(Self)
            .map_err(Into::into)
    }
}

poem_openapi::impl_apirequest_for_payload!(JsonBody<T>, T: Type + DeserializeOwned);

/// Parses `data` as `T`, a JSON object; a PATCH body must name at least one field.
pub fn parse<T: DeserializeOwned>(data: &[u8], patch: bool) -> Result<T, InvalidInput> {
    let value: serde_json::Value = serde_json::from_slice(data)
        .map_err(|e| InvalidInput::new("body", format!("is not valid JSON ({e})")))?;
    // Every request body is an object; serde would also read a struct from an array.
    let Some(fields) = value.as_object() else {
        return Err(InvalidInput::new("body", "must be a JSON object"));
    };
    if patch && fields.is_empty() {
        return Err(InvalidInput::new("body", "must name at least one field"));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        explain(path, &e.into_inner().to_string())
    })
}

/// The field and reason for a serde error at `path` (serde's `.` is the body itself).
fn explain(path: String, serde_message: &str) -> InvalidInput {
    let at = |field: &str| match path.as_str() {
        "." => field.to_string(),
        parent => format!("{parent}.{field}"),
    };
    let here = if path == "." {
        "body".into()
    } else {
        path.clone()
    };
    // serde's wording for the errors its derives raise is fixed (`missing field `x``, `unknown
    // field `x`, expected ...`); the name is the only way out of them, as serde_json keeps no
    // structured form of a data error.
    let quoted = |prefix: &str| {
        serde_message
            .strip_prefix(prefix)
            .and_then(|rest| rest.split('`').next())
            .map(str::to_string)
    };
    if let Some(name) = quoted("missing field `") {
        return InvalidInput::new(at(&name), "is required");
    }
    if quoted("unknown field `").is_some() {
        // The path already ends with the unknown key.
        return InvalidInput::new(here, "is not a known field");
    }
    if let Some(rest) = serde_message.strip_prefix("unknown variant `") {
        let allowed = rest
            .split_once("expected ")
            .map(|(_, list)| {
                list.replace('`', "")
                    .replace("one of ", "")
                    .replace(" or ", ", ")
            })
            .unwrap_or_default();
        return InvalidInput::new(here, format!("must be one of {allowed}"));
    }
    let reason = match serde_message.strip_prefix("invalid type: ") {
        Some(rest) if rest.starts_with("null") => "must not be null".to_string(),
        Some(rest) => {
            let expected = rest.split_once("expected ").map_or("", |(_, e)| e);
            match expected {
                e if e.contains("string") => "must be a string",
                e if e.contains("integer") || e.starts_with('i') || e.starts_with('u') => {
                    "must be an integer"
                }
                e if e.contains("boolean") => "must be true or false",
                e if e.contains("sequence") => "must be an array",
                e if e.contains("struct") || e.contains("map") => "must be a JSON object",
                _ => "does not match the expected shape",
            }
            .to_string()
        }
        // The field types' own checks ("must have at most 200 characters").
        None => serde_message.to_string(),
    };
    InvalidInput::new(here, reason)
}

/// For an optional field the schema does not mark nullable: absent is `None`, `null` is
/// refused like any other wrong type (`#[serde(default, deserialize_with = "present")]`).
pub fn present<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

#[cfg(test)]
#[path = "body_tests.rs"]
mod tests;
