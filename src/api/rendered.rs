//! A JSON answer rendered once and served many times.
//!
//! `Json<T>` builds a `serde_json::Value` from `T` and then writes it out on every answer.
//! `Rendered<T>` carries the bytes already written, under the same content type and schema, so
//! the API document does not change; `RenderedCompanies` keeps the application's view of each
//! company rendered for as long as the store keeps the company itself (`Store::company`).

use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use poem::{IntoResponse, Response};
use poem_openapi::payload::Payload;
use poem_openapi::registry::{MetaMediaType, MetaResponse, MetaResponses, MetaSchemaRef, Registry};
use poem_openapi::types::{ToJSON, Type};
use poem_openapi::ApiResponse;

use crate::api::companies::CompanyOut;
use crate::domain::Company;
use crate::ids::CompanyId;

/// The content type `Json<T>` answers with.
const JSON: &str = "application/json; charset=utf-8";

/// A `T` already written as JSON.
pub struct Rendered<T> {
    body: Bytes,
    shape: PhantomData<fn() -> T>,
}

impl<T: ToJSON> Rendered<T> {
    pub fn new(value: &T) -> Self {
        Self {
            body: Bytes::from(value.to_json_string()),
            shape: PhantomData,
        }
    }
}

impl<T: ToJSON + serde::Serialize> Rendered<T> {
    /// Writes `value` through its `Serialize`, which must write what its `ToJSON` would (a
    /// test beside each such type compares them): no `serde_json::Value` is built on the way.
    pub fn serialized(value: &T) -> Self {
        Self {
            body: Bytes::from(serde_json::to_vec(value).expect("a response always serializes")),
            shape: PhantomData,
        }
    }
}

impl<T> Clone for Rendered<T> {
    fn clone(&self) -> Self {
        Self {
            body: self.body.clone(),
            shape: PhantomData,
        }
    }
}

impl<T: Type> Payload for Rendered<T> {
    const CONTENT_TYPE: &'static str = JSON;

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: Send> IntoResponse for Rendered<T> {
    fn into_response(self) -> Response {
        Response::builder().content_type(JSON).body(self.body)
    }
}

impl<T: ToJSON> ApiResponse for Rendered<T> {
    fn meta() -> MetaResponses {
        // What `Json<T>` declares: one 200 answer of `T`.
        MetaResponses {
            responses: vec![MetaResponse {
                description: "",
                status: Some(200),
                status_range: None,
                content: vec![MetaMediaType {
                    content_type: JSON,
                    schema: T::schema_ref(),
                }],
                headers: vec![],
            }],
        }
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

/// How many companies' answers are kept; past it, answers are rendered and not kept.
const CAPACITY: usize = 4096;

/// An answer and the row it was rendered from.
type RenderedFrom = (Arc<Company>, Rendered<CompanyOut>);

/// Each company's answer to applications, rendered from the very `Company` the store keeps:
/// it is used again only while the store hands out that same row (the same `Arc`). A row the
/// store has read again means a write committed since, which retired every kept row: then every
/// kept answer goes too, so none outlives its company (an erased one included) for longer than
/// the next read.
#[derive(Default)]
pub struct RenderedCompanies {
    answers: Mutex<HashMap<CompanyId, RenderedFrom>>,
}

impl RenderedCompanies {
    pub fn answer(&self, company: Arc<Company>) -> Rendered<CompanyOut> {
        let mut answers = self.answers.lock().expect("rendered answers lock");
        match answers.get(&company.id) {
            Some((from, answer)) if Arc::ptr_eq(from, &company) => return answer.clone(),
            Some(_) => answers.clear(),
            None if answers.len() >= CAPACITY => answers.clear(),
            None => {}
        }
        let answer = Rendered::new(&CompanyOut::for_app(Company::clone(&company)));
        answers.insert(company.id.clone(), (company, answer.clone()));
        answer
    }
}
