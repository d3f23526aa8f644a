//! The published OpenAPI document tells the truth and tells enough: each operation lists only
//! the statuses it can return (and all of them), closed sets of values are enums, every
//! operation is described and has an example, the servers and the application API's tag are
//! there, the headers the server reads and writes are documented, and every response value
//! has a bound.
use std::collections::BTreeSet;

use crate::common::*;
use serde_json::Value;

async fn spec() -> Value {
    let server = Server::start();
    let r = server.anon().get("/api/openapi.json").await;
    assert!(r.status.is_success(), "{}", r.text);
    r.body
}

/// Every operation as (METHOD path, operation).
fn operations(spec: &Value) -> Vec<(String, &Value)> {
    let mut out = Vec::new();
    for (path, ops) in spec["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            out.push((format!("{} {path}", method.to_uppercase()), op));
        }
    }
    assert!(out.len() >= 59, "only {} operations", out.len());
    out
}

fn operation<'a>(spec: &'a Value, name: &str) -> &'a Value {
    let (method, path) = name.split_once(' ').unwrap();
    let op = &spec["paths"][path][method.to_lowercase()];
    assert!(op.is_object(), "no operation {name}");
    op
}

fn statuses(op: &Value) -> BTreeSet<String> {
    op["responses"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect()
}

fn set(codes: &[&str]) -> BTreeSet<String> {
    codes.iter().map(|c| c.to_string()).collect()
}

#[tokio::test]
async fn each_operation_lists_exactly_the_statuses_it_can_return() {
    let spec = spec().await;
    let expected: &[(&str, &[&str])] = &[
        ("GET /api/v1/setup", &["200", "400", "500"]),
        ("GET /api/v1/auth/me", &["200", "400", "401", "500"]),
        (
            "POST /api/v1/auth/login",
            // 202: the account has two-factor sign-in, and the answer is the second step's challenge.
            &[
                "200", "202", "400", "401", "403", "413", "429", "500", "507",
            ],
        ),
        (
            "POST /api/v1/signup",
            &["202", "400", "413", "429", "500", "507"],
        ),
        (
            "GET /api/v1/companies/{id}",
            &["200", "400", "401", "403", "404", "500"],
        ),
        (
            "POST /api/v1/companies/{id}/approve",
            &["200", "400", "401", "403", "404", "409", "500", "507"],
        ),
        (
            "PATCH /api/v1/companies/{id}",
            &[
                "200", "400", "401", "403", "404", "409", "413", "500", "507",
            ],
        ),
        ("GET /api/v1/overview", &["200", "400", "401", "403", "500"]),
        (
            "GET /api/v1/app/companies/{id}/secrets/{kind}",
            &["200", "400", "401", "403", "404", "500", "507"],
        ),
        (
            "POST /api/v1/backups",
            &["201", "400", "401", "403", "409", "500", "507"],
        ),
    ];
    for (name, codes) in expected {
        assert_eq!(statuses(operation(&spec, name)), set(codes), "{name}");
    }
    let throttled = set(&[
        "POST /api/v1/auth/login",
        "POST /api/v1/auth/login-link",
        "POST /api/v1/auth/password",
        "POST /api/v1/auth/password-reset",
        "POST /api/v1/auth/email",
        "POST /api/v1/auth/magic-link",
        "POST /api/v1/signup",
        "POST /api/v1/invitations/accept",
        "POST /api/v1/auth/mfa/verify",
        "POST /api/v1/auth/mfa/totp/confirm",
        "POST /api/v1/auth/mfa/disable",
        "POST /api/v1/auth/mfa/recovery-codes",
    ]);
    for (name, op) in operations(&spec) {
        let codes = statuses(op);
        assert!(codes.contains("500"), "{name} does not list 500");
        assert!(
            codes.contains("400"),
            "{name} does not list 400 (an over-long X-Request-Id is refused on every operation)"
        );
        assert_eq!(
            op.get("requestBody").is_some(),
            codes.contains("413"),
            "{name}: 413 is listed exactly when the operation takes a body"
        );
        if op.get("security").is_some() {
            assert!(
                codes.contains("401"),
                "{name} needs a credential, so it can answer 401"
            );
        }
        assert_eq!(throttled.contains(&name), codes.contains("429"), "{name}");
        if let Some(r) = op["responses"].get("429") {
            let headers = r["headers"].as_object().unwrap();
            assert!(headers.contains_key("Retry-After"), "{name}: {headers:?}");
        }
        let write = !name.starts_with("GET ");
        let signed_in = op
            .get("security")
            .is_some_and(|s| s.to_string().contains("Session"));
        if write && signed_in {
            assert!(
                codes.contains("403"),
                "{name}: a cookie write can miss its CSRF token"
            );
        }
        if !write {
            assert!(!codes.contains("409"), "{name}: a read lists 409");
        }
    }
}

#[tokio::test]
async fn an_undocumented_status_never_reaches_a_client() {
    // A filter naming no company answers the 404 the operation documents, not a 500.
    let server = Server::start();
    let owner = server.owner().await;
    let r = owner.get("/api/v1/links?company_id=nothing").await;
    assert_error(&r, reqwest::StatusCode::NOT_FOUND, "not_found", None);
}

fn schema<'a>(spec: &'a Value, name: &str) -> &'a Value {
    let s = &spec["components"]["schemas"][name];
    assert!(s.is_object(), "no schema {name}");
    s
}

fn enum_of(spec: &Value, object: &str, field: &str) -> BTreeSet<String> {
    let prop = &schema(spec, object)["properties"][field];
    let target = prop["$ref"]
        .as_str()
        .unwrap_or_else(|| panic!("{object}.{field} is not an enum: {prop}"));
    let name = target.rsplit('/').next().unwrap();
    schema(spec, name)["enum"]
        .as_array()
        .unwrap_or_else(|| panic!("{name} has no enum"))
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn closed_sets_of_values_are_enums() {
    let spec = spec().await;
    let codes = enum_of(&spec, "ErrorBody", "code");
    for c in [
        "invalid",
        "unauthorized",
        "forbidden",
        "csrf",
        "not_found",
        "conflict",
        "limit_exceeded",
        "payload_too_large",
        "too_many_requests",
        "storage_full",
        "internal",
    ] {
        assert!(codes.contains(c), "ErrorCode lacks {c}: {codes:?}");
    }
    assert_eq!(
        enum_of(&spec, "AuditEvent", "actor_kind"),
        set(&["user", "application", "operator", "system", "anonymous"])
    );
    assert_eq!(
        enum_of(&spec, "UsageRowOut", "route_group"),
        set(&[
            "companies",
            "secrets",
            "users",
            "sessions",
            "resolve",
            "usage"
        ])
    );
    assert_eq!(
        enum_of(&spec, "SecretKindOut", "kind"),
        set(&["omie", "asaas", "evolution", "google_calendar"])
    );
    assert_eq!(
        enum_of(&spec, "ValidateOut", "role"),
        set(&["owner", "company_admin", "member"])
    );
    assert_eq!(
        enum_of(&spec, "User", "role"),
        set(&["owner", "company_admin", "member"])
    );
    assert_eq!(
        enum_of(&spec, "BackupRun", "trigger"),
        set(&["scheduler", "api", "cli"])
    );
}

#[tokio::test]
async fn servers_the_application_tag_and_the_headers_are_documented() {
    let spec = spec().await;
    let servers = spec["servers"].as_array().expect("servers");
    assert!(!servers.is_empty(), "no servers");
    assert!(servers[0]["url"].as_str().unwrap().starts_with("http"));
    let tags: BTreeSet<String> = spec["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect();
    assert!(tags.contains("App"), "{tags:?}");
    let params = &spec["components"]["parameters"];
    assert_eq!(params["RequestId"]["name"], "X-Request-Id");
    assert_eq!(params["CsrfToken"]["name"], "X-CSRF-Token");
    for (name, op) in operations(&spec) {
        let path = name.split_once(' ').unwrap().1;
        let op_tags = op["tags"].to_string();
        assert_eq!(
            path.starts_with("/api/v1/app/"),
            op_tags.contains("\"App\""),
            "{name} is tagged {op_tags}"
        );
        let params = op["parameters"].to_string();
        assert!(params.contains("/RequestId"), "{name}: {params}");
        let cookie = op["security"].to_string().contains("SessionCookie");
        assert_eq!(
            !name.starts_with("GET ") && cookie,
            params.contains("/CsrfToken"),
            "{name}: X-CSRF-Token goes on exactly the writes a cookie can authenticate"
        );
        for (status, response) in op["responses"].as_object().unwrap() {
            let headers = &response["headers"];
            assert!(
                headers["X-Request-Id"].is_object(),
                "{name} {status}: {headers}"
            );
            assert!(
                !headers.to_string().contains("RETRY-AFTER"),
                "{name} {status}"
            );
        }
    }
    // What the document says is what the server does.
    let server = Server::start();
    let r = reqwest::Client::new()
        .get(server.url("/api/v1/setup"))
        .header("X-Request-Id", "spec-check-1")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["X-Request-Id"], "spec-check-1");
}

#[tokio::test]
async fn the_document_holds_no_nulls() {
    // A `null` where OpenAPI wants an object (a response's `content`) breaks tools that read it.
    let text = spec().await.to_string();
    assert!(!text.contains(":null"), "a null in the document");
}

#[tokio::test]
async fn no_reference_is_wrapped_in_all_of() {
    // A documented field that refers to an enum or a model comes out as `allOf: [$ref]`, which
    // the Python generator cannot read (it drops the model and every operation using it).
    let text = spec().await.to_string();
    assert!(!text.contains("\"allOf\""), "an allOf in the document");
}

#[tokio::test]
async fn every_operation_is_described_and_has_an_example() {
    let spec = spec().await;
    let json_media = |holder: &Value| -> Vec<Value> {
        holder["content"]
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(media, _)| media.starts_with("application/json"))
            .map(|(_, m)| m.clone())
            .collect()
    };
    for (name, op) in operations(&spec) {
        let summary = op["summary"].as_str().unwrap_or_default();
        let description = op["description"].as_str().unwrap_or_default();
        assert!(!summary.is_empty(), "{name} has no summary");
        assert!(
            !summary.contains('\n'),
            "{name}: the summary is one line: {summary}"
        );
        assert!(
            description.len() > summary.len() / 4,
            "{name} has no description"
        );
        for media in json_media(&op["requestBody"]) {
            assert!(media.get("example").is_some(), "{name}: no request example");
        }
        for (status, response) in op["responses"].as_object().unwrap() {
            for media in json_media(response) {
                assert!(
                    media.get("example").is_some(),
                    "{name} {status}: no example of the answer"
                );
            }
        }
    }
}

#[tokio::test]
async fn examples_match_their_schemas() {
    let spec = spec().await;
    let schemas = spec["components"]["schemas"].as_object().unwrap();
    let mut with_example = 0;
    for (name, schema) in schemas {
        let (Some(example), Some(props)) =
            (schema.get("example"), schema["properties"].as_object())
        else {
            continue;
        };
        with_example += 1;
        let example = example
            .as_object()
            .unwrap_or_else(|| panic!("{name}: {example}"));
        for key in example.keys() {
            assert!(
                props.contains_key(key),
                "{name}'s example has {key}, the schema does not"
            );
        }
        for key in schema["required"].as_array().into_iter().flatten() {
            let key = key.as_str().unwrap();
            assert!(
                example.contains_key(key),
                "{name}'s example lacks required {key}"
            );
        }
        for (key, value) in example {
            let target = props[key]["$ref"]
                .as_str()
                .and_then(|r| r.rsplit('/').next());
            if let Some(allowed) = target.and_then(|t| schemas[t]["enum"].as_array()) {
                assert!(
                    allowed.contains(value),
                    "{name}.{key}: {value} is not one of {allowed:?}"
                );
            }
        }
    }
    assert!(
        with_example >= 50,
        "only {with_example} schemas have examples"
    );
}

/// Names of the schemas `value` refers to, followed through the schemas themselves.
fn reached(spec: &Value, value: &Value) -> BTreeSet<String> {
    fn refs(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                if let Some(r) = map.get("$ref").and_then(Value::as_str) {
                    if let Some(name) = r.strip_prefix("#/components/schemas/") {
                        out.push(name.to_string());
                    }
                }
                map.values().for_each(|v| refs(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let mut todo = Vec::new();
    refs(value, &mut todo);
    let mut seen = BTreeSet::new();
    while let Some(name) = todo.pop() {
        if seen.insert(name.clone()) {
            refs(&spec["components"]["schemas"][&name], &mut todo);
        }
    }
    seen
}

#[tokio::test]
async fn every_value_an_answer_holds_is_bounded() {
    let spec = spec().await;
    let mut requests = BTreeSet::new();
    let mut answers = BTreeSet::new();
    for (_, op) in operations(&spec) {
        requests.extend(reached(&spec, &op["requestBody"]));
        answers.extend(reached(&spec, &op["responses"]));
    }
    let mut unbounded = Vec::new();
    for name in answers.difference(&requests) {
        let schema = &spec["components"]["schemas"][name];
        let props = schema["properties"].as_object().into_iter().flatten();
        for (prop, s) in props {
            let at = format!("{name}.{prop}");
            let has = |k: &str| s.get(k).is_some();
            match s["type"].as_str() {
                // A format bounds nothing for OWASP's string-limit rule, so dates get a length.
                Some("string") if !(has("maxLength") || has("enum")) => unbounded.push(at),
                Some("integer") if !(has("minimum") && has("maximum")) => unbounded.push(at),
                Some("array") => {
                    if !has("maxItems") {
                        unbounded.push(format!("{at} (items)"));
                    }
                    if s["items"]["type"] == "string" && s["items"].get("maxLength").is_none() {
                        unbounded.push(format!("{at}[]"));
                    }
                }
                _ => {}
            }
        }
    }
    for (name, op) in operations(&spec) {
        for (status, response) in op["responses"].as_object().unwrap() {
            for (media, body) in response["content"].as_object().into_iter().flatten() {
                let s = &body["schema"];
                if s["type"] == "array" && s.get("maxItems").is_none()
                    || s["type"] == "string" && s.get("maxLength").is_none()
                {
                    unbounded.push(format!("{name} {status} {media}"));
                }
            }
        }
    }
    // Lists whose pagination and logos that become URLs are changing elsewhere are known and
    // named here, so nothing else can be unbounded.
    let known: BTreeSet<&str> = [
        "ApplicationList.items (items)",
        "CredentialList.items (items)",
        "DomainList.items (items)",
        "LinkList.items (items)",
        "LinkedCompanyList.items (items)",
        "SecretList.items (items)",
    ]
    .into();
    let unexpected: Vec<&String> = unbounded
        .iter()
        .filter(|u| !known.contains(u.as_str()))
        .collect();
    assert!(
        unexpected.is_empty(),
        "unbounded in answers: {unexpected:?}"
    );
}

#[tokio::test]
async fn extensible_sets_are_spelled_by_pattern() {
    // Secret kinds and scopes can name a company's own `custom_<name>` kinds, so they are not
    // enums; their pattern still lists the known values.
    let spec = spec().await;
    let schemas = &spec["components"]["schemas"];
    let kind = schemas["SecretInfo"]["properties"]["kind"]["pattern"]
        .as_str()
        .unwrap();
    assert!(
        kind.contains("google_calendar") && kind.contains("custom_"),
        "{kind}"
    );
    let scope = schemas["Link"]["properties"]["scopes"]["items"]["pattern"]
        .as_str()
        .unwrap();
    assert!(
        scope.contains("company:read") && scope.contains("secrets:"),
        "{scope}"
    );
}
