//! Worked examples of the API's objects, by schema name, shown in the published document (as
//! each schema's `example` and on every request body and answer that uses it). One bakery, its
//! admin and an ERP integration run through all of them. Kept beside the schemas by a test:
//! every example names only properties its schema has, and all the required ones.

mod applications;
mod companies;
mod integrations;
mod operations;
mod privacy;
mod sign_in;

use serde_json::Value;

const COMPANY: &str = "cmp_01a2312d1ca171ce8712d7b58c4d7a38";
const USER: &str = "usr_01a2312d1d2b7c0e9f3a4b5c6d7e8f90";
const APP: &str = "app_01a2312d1d39764abfb36d09f5dd220e";
const LINK: &str = "lnk_01a2312d1d4a0b1c2d3e4f5061728394";
const AT: &str = "2026-11-30T14:05:00Z";
/// The password of every example that has one.
const PASSWORD: &str = "correct horse battery";

/// The example of the schema named `name`, if there is one.
pub fn for_schema(name: &str) -> Option<Value> {
    companies::for_schema(name)
        .or_else(|| sign_in::for_schema(name))
        .or_else(|| applications::for_schema(name))
        .or_else(|| integrations::for_schema(name))
        .or_else(|| operations::for_schema(name))
        .or_else(|| privacy::for_schema(name))
}
