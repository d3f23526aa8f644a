//! Per-company configuration declared by applications: the schema subset, field-by-field
//! validation that changes nothing on a bad value, defaults, the application's scoped reads
//! and writes, isolation, misfits after a schema change, and the `config.changed` event.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::seed::{application, link, linked_app};
use crate::common::*;
use crate::webhooks::{endpoint, wait_for, Receiver, ALLOW};

fn schema() -> Value {
    json!({
        "type": "object",
        "title": { "pt-BR": "Oficina", "en": "Workshop" },
        "required": ["shop_code"],
        "properties": {
            "shop_code": { "type": "string", "pattern": "^[A-Z]{3}-[0-9]{2}$", "title": "Código" },
            "greeting": { "type": "string", "maxLength": 20, "default": "Olá!" },
            "max_daily": { "type": "integer", "minimum": 1, "maximum": 50 },
            "tone": { "type": "string", "enum": ["formal", "casual"] },
            "sms": { "type": "boolean" },
            "hours": { "type": "object", "x-armario-type": "weekly_hours" },
            "phones": { "type": "array", "items": { "type": "string", "maxLength": 15 }, "maxItems": 2 }
        }
    })
}

struct World {
    server: Server,
    owner: Client,
    company: String,
    app: crate::common::seed::App,
    admin: Client,
}

async fn world(scopes: &[&str]) -> World {
    let server = Server::start_with(ALLOW);
    let owner = server.owner().await;
    let company = company(&owner, "Oficina do Zé", 8101).await;
    let linked = linked_app(&owner, "Agenda", &company, scopes).await;
    let r = owner
        .put(
            &format!("/api/v1/applications/{}/config-schema", linked.app.id),
            json!({ "schema": schema() }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    user(&owner, &company, "admin@oficina.test", "company_admin").await;
    let admin = server.login("admin@oficina.test", PASSWORD).await;
    World {
        server,
        owner,
        company,
        app: linked.app,
        admin,
    }
}

impl World {
    fn portal_path(&self) -> String {
        format!("/api/v1/companies/{}/config/{}", self.company, self.app.id)
    }
    fn app_client(&self) -> Client {
        self.server.anon().with_token(&self.app.key)
    }
}

#[tokio::test]
async fn schemas_outside_the_subset_are_refused_naming_the_keyword() {
    let server = Server::start();
    let owner = server.owner().await;
    let app = application(&owner, "Agenda", "main").await;
    let path = format!("/api/v1/applications/{}/config-schema", app.id);
    let prop = |p: Value| json!({ "schema": { "type": "object", "properties": { "a": p } } });
    let refused = [
        (
            prop(json!({ "type": "string", "format": "email" })),
            "/properties/a/format",
        ),
        (
            prop(json!({ "type": "string", "minLength": 1, "uniqueItems": true })),
            "/properties/a/uniqueItems",
        ),
        (
            prop(json!({ "type": "number", "exclusiveMinimum": 0 })),
            "/properties/a/exclusiveMinimum",
        ),
        (
            prop(json!({ "type": "object", "properties": {} })),
            "/properties/a/type",
        ),
        (prop(json!({ "type": "null" })), "/properties/a/type"),
        (prop(json!({ "$ref": "#/x" })), "/properties/a/type"),
        (
            prop(json!({ "type": "array", "items": { "type": "string", "const": "x" } })),
            "/properties/a/items/const",
        ),
        (
            prop(json!({ "type": "string", "pattern": "(" })),
            "/properties/a/pattern",
        ),
        (
            prop(json!({ "type": "integer", "default": 1.5 })),
            "/properties/a/default",
        ),
        (
            prop(json!({ "type": "string", "title": { "fr": "x" } })),
            "/properties/a/title/fr",
        ),
        (
            json!({ "schema": { "type": "object", "properties": {}, "allOf": [] } }),
            "/allOf",
        ),
        (
            json!({ "schema": { "type": "object", "properties": {}, "required": ["b"] } }),
            "/required/0",
        ),
        (
            json!({ "schema": { "type": "object", "properties": { "Bad Name": { "type": "string" } } } }),
            "/properties/Bad Name",
        ),
    ];
    for (body, pointer) in refused {
        let r = owner.put(&path, body.clone()).await;
        assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some(pointer));
    }
    // A keyword is the client's own text: the field that names it is cut at the 200 characters
    // the error body documents, and ends with an ellipsis.
    let long = "ç".repeat(300);
    let r = owner
        .put(
            &path,
            json!({ "schema": { "type": "object", "properties": {}, long.clone(): 1 } }),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    let field = r.body["field"].as_str().unwrap();
    assert_eq!(field.chars().count(), 200, "{field}");
    assert!(field.starts_with("/ççç") && field.ends_with('…'), "{field}");
    let deep = json!({ "schema": { "type": "object", "properties": { "a": { "type": "array",
        "items": { "type": "string", "title": { "en": "x" } }, "x": [[[[[[[1]]]]]]] } } } });
    assert_error(
        &owner.put(&path, deep).await,
        StatusCode::BAD_REQUEST,
        "invalid",
        Some("/"),
    );
    let r = owner.get(&path).await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found", None);

    // Accepted: version 1; the same again changes nothing; a change raises the version.
    let r = owner.put(&path, json!({ "schema": schema() })).await;
    assert_eq!(
        (r.status, r.body["version"].clone()),
        (StatusCode::OK, json!(1)),
        "{}",
        r.text
    );
    assert_eq!(
        owner.put(&path, json!({ "schema": schema() })).await.body["version"],
        1
    );
    // The application declares its own, with its key.
    let own = server.anon().with_token(&app.key);
    let mut changed = schema();
    changed["properties"]["note"] = json!({ "type": "string" });
    let r = own
        .put("/api/v1/app/config-schema", json!({ "schema": changed }))
        .await;
    assert_eq!(
        (r.status, r.body["version"].clone()),
        (StatusCode::OK, json!(2)),
        "{}",
        r.text
    );
    let r = own.put("/api/v1/app/config-schema", json!({ "schema": { "type": "object", "properties": { "a": { "type": "string", "oneOf": [] } } } })).await;
    assert_error(
        &r,
        StatusCode::BAD_REQUEST,
        "invalid",
        Some("/properties/a/oneOf"),
    );
    assert_eq!(
        own.get("/api/v1/app/config-schema").await.body["version"],
        2
    );
    // Read back, the properties keep the order they were declared in (the generated form
    // follows it), not the alphabet's.
    let ordered = json!({ "type": "object", "properties": {
        "zona": { "type": "string" }, "abertura": { "type": "string" }, "meio": { "type": "boolean" } } });
    let r = own
        .put("/api/v1/app/config-schema", json!({ "schema": ordered }))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let text = own.get("/api/v1/app/config-schema").await.text;
    let at = |k: &str| text.find(&format!("\"{k}\"")).unwrap();
    assert!(
        at("zona") < at("abertura") && at("abertura") < at("meio"),
        "{text}"
    );
}

#[tokio::test]
async fn each_invalid_value_is_refused_naming_its_field_and_changes_nothing() {
    let w = world(&["config:read"]).await;
    let good = json!({ "shop_code": "ABC-12", "max_daily": 10, "tone": "formal", "sms": true,
        "hours": { "mon": [{ "open": "08:00", "close": "12:00" }, { "open": "13:00", "close": "18:00" }] },
        "phones": ["+55 11 5555"] });
    let r = w
        .admin
        .put(&w.portal_path(), json!({ "values": good }))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["problems"], json!([]));
    let with = |k: &str, v: Value| {
        let mut b = good.clone();
        b[k] = v;
        json!({ "values": b })
    };
    let bad = [
        (with("shop_code", json!("abc")), "shop_code"),
        (with("shop_code", json!(12)), "shop_code"),
        (with("greeting", json!("x".repeat(21))), "greeting"),
        (with("max_daily", json!(51)), "max_daily"),
        (with("max_daily", json!(0)), "max_daily"),
        (with("max_daily", json!(2.5)), "max_daily"),
        (with("tone", json!("rude")), "tone"),
        (with("sms", json!("yes")), "sms"),
        (
            with(
                "hours",
                json!({ "mon": [{ "open": "08:00", "close": "12:00" }, { "open": "11:00", "close": "18:00" }] }),
            ),
            "hours.mon[1]",
        ),
        (
            with(
                "hours",
                json!({ "tue": [{ "open": "18:00", "close": "08:00" }] }),
            ),
            "hours.tue[0]",
        ),
        (with("hours", json!({ "xyz": [] })), "hours.xyz"),
        (with("phones", json!(["1", "2", "3"])), "phones"),
        (with("phones", json!(["1", "x".repeat(16)])), "phones[1]"),
        (with("unknown", json!(1)), "unknown"),
        (json!({ "values": { "sms": true } }), "shop_code"),
    ];
    for (body, field) in bad {
        let r = w.admin.put(&w.portal_path(), body).await;
        assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some(field));
        let now = w.admin.get(&w.portal_path()).await;
        assert_eq!(now.body["saved"], good, "a refused write changed nothing");
    }
    // The owner's defaults are checked the same way.
    let defaults = format!("/api/v1/applications/{}/config-defaults", w.app.id);
    let r = w
        .owner
        .put(&defaults, json!({ "values": { "max_daily": 99 } }))
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("max_daily"));
    let changes = audit_events(
        &w.owner,
        &format!("company_id={}&action=config.changed", w.company),
    )
    .await;
    assert_eq!(changes.len(), 1, "only the good write was audited");
    assert_eq!(
        changes[0]["details"]["keys"],
        json!(["hours", "max_daily", "phones", "shop_code", "sms", "tone"])
    );
    assert!(
        !changes[0].to_string().contains("ABC-12"),
        "no value in the audit log"
    );
}

#[tokio::test]
async fn defaults_fill_in_what_the_company_did_not_save() {
    let w = world(&["config:read"]).await;
    let defaults = format!("/api/v1/applications/{}/config-defaults", w.app.id);
    let r = w
        .owner
        .put(
            &defaults,
            json!({ "values": { "tone": "casual", "max_daily": 5 } }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = w
        .admin
        .put(
            &w.portal_path(),
            json!({ "values": { "shop_code": "XYZ-01", "max_daily": 7 } }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let read = w
        .app_client()
        .get(&format!("/api/v1/app/companies/{}/config", w.company))
        .await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text);
    let v = &read.body["values"];
    assert_eq!(
        (v["shop_code"].clone(), v["max_daily"].clone()),
        (json!("XYZ-01"), json!(7)),
        "saved wins"
    );
    assert_eq!(v["tone"], "casual", "the owner's default");
    assert_eq!(v["greeting"], "Olá!", "the schema's default");
    assert!(v.get("sms").is_none());
    assert_eq!(
        read.body["saved"],
        json!({ "shop_code": "XYZ-01", "max_daily": 7 })
    );
}

#[tokio::test]
async fn the_application_reads_and_writes_only_with_its_scopes_and_links() {
    let w = world(&["config:read"]).await;
    let app = w.app_client();
    let path = format!("/api/v1/app/companies/{}/config", w.company);
    let r = app.get(&path).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        r.body["problems"],
        json!([{ "path": "shop_code", "reason": "is required" }])
    );
    let r = app.patch(&path, json!({ "values": { "sms": true } })).await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden", None);
    // Another company, not linked: 404 for reads and writes.
    let other = company(&w.owner, "Outra", 8102).await;
    let r = app
        .get(&format!("/api/v1/app/companies/{other}/config"))
        .await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found", None);
    // With config:write the application writes; PATCH keeps the other keys.
    let links = w
        .owner
        .get(&format!("/api/v1/links?company_id={}", w.company))
        .await;
    let link_id = links.body["items"][0]["id"].as_str().unwrap().to_string();
    let r = w
        .owner
        .patch(
            &format!("/api/v1/links/{link_id}"),
            json!({ "scopes": ["config:read", "config:write"] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = app
        .put(
            &path,
            json!({ "values": { "shop_code": "AAA-11", "sms": false } }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = app
        .patch(&path, json!({ "values": { "sms": true, "tone": "bad" } }))
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("tone"));
    let r = app.patch(&path, json!({ "values": { "sms": true } })).await;
    assert_eq!(
        r.body["saved"],
        json!({ "shop_code": "AAA-11", "sms": true }),
        "{}",
        r.text
    );
    let r = app
        .patch(&path, json!({ "values": { "shop_code": null } }))
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("shop_code"));
    let r = app
        .put(
            &format!("/api/v1/app/companies/{other}/config"),
            json!({ "values": {} }),
        )
        .await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found", None);
    // What the application wrote, the company admin and the owner see.
    let r = w
        .admin
        .get(&format!("/api/v1/companies/{}/config", w.company))
        .await;
    assert_eq!(
        r.body["items"][0]["saved"]["shop_code"], "AAA-11",
        "{}",
        r.text
    );
    let r = w.owner.get(&w.portal_path()).await;
    assert_eq!(r.body["values"]["sms"], true, "{}", r.text);
}

#[tokio::test]
async fn another_companys_admin_sees_nothing() {
    let w = world(&["config:read"]).await;
    let other = company(&w.owner, "Outra Oficina", 8103).await;
    user(&w.owner, &other, "admin@outra.test", "company_admin").await;
    user(&w.owner, &w.company, "membro@oficina.test", "member").await;
    let stranger = w.server.login("admin@outra.test", PASSWORD).await;
    for path in [
        w.portal_path(),
        format!("/api/v1/companies/{}/config", w.company),
    ] {
        assert_error(
            &stranger.get(&path).await,
            StatusCode::NOT_FOUND,
            "not_found",
            None,
        );
    }
    let r = stranger
        .put(
            &w.portal_path(),
            json!({ "values": { "shop_code": "ZZZ-99" } }),
        )
        .await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found", None);
    let member = w.server.login("membro@oficina.test", PASSWORD).await;
    assert_eq!(
        member.get(&w.portal_path()).await.status,
        StatusCode::FORBIDDEN
    );
    // An application not linked to the company is "not found" on the company's routes too.
    let unlinked = application(&w.owner, "Solta", "main").await;
    let r = w
        .admin
        .get(&format!(
            "/api/v1/companies/{}/config/{}",
            w.company, unlinked.id
        ))
        .await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found", None);
}

#[tokio::test]
async fn values_a_changed_schema_no_longer_accepts_are_reported_and_kept() {
    let w = world(&["config:read"]).await;
    let saved =
        json!({ "shop_code": "ABC-12", "max_daily": 40, "tone": "casual", "phones": ["1", "2"] });
    let r = w
        .admin
        .put(&w.portal_path(), json!({ "values": saved }))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let mut narrower = schema();
    narrower["properties"]["max_daily"]["maximum"] = json!(20);
    narrower["properties"]["tone"]["enum"] = json!(["formal"]);
    narrower["properties"]["phones"]["maxItems"] = json!(1);
    narrower["properties"]
        .as_object_mut()
        .unwrap()
        .remove("shop_code");
    narrower["required"] = json!([]);
    let r = w
        .app_client()
        .put("/api/v1/app/config-schema", json!({ "schema": narrower }))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let read = w
        .app_client()
        .get(&format!("/api/v1/app/companies/{}/config", w.company))
        .await;
    assert_eq!(read.body["saved"], saved, "nothing dropped");
    assert_eq!(read.body["schema_version"], 2);
    let mut paths: Vec<String> = read.body["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["path"].as_str().unwrap().to_string())
        .collect();
    paths.sort();
    assert_eq!(
        paths,
        ["max_daily", "phones", "shop_code", "tone"],
        "{}",
        read.text
    );
    let portal = w
        .admin
        .get(&format!("/api/v1/companies/{}/config", w.company))
        .await;
    assert_eq!(
        portal.body["items"][0]["problems"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
    // Saving the form's declared keys keeps the undeclared one, still reported...
    let r = w
        .admin
        .put(&w.portal_path(), json!({ "values": { "max_daily": 10 } }))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        r.body["saved"],
        json!({ "shop_code": "ABC-12", "max_daily": 10 })
    );
    assert_eq!(
        r.body["problems"],
        json!([{ "path": "shop_code", "reason": "is not in the schema" }])
    );
    // ...until the application clears it on purpose.
    let links = w
        .owner
        .get(&format!("/api/v1/links?company_id={}", w.company))
        .await;
    let link_id = links.body["items"][0]["id"].as_str().unwrap().to_string();
    let scopes = json!({ "scopes": ["config:read", "config:write"] });
    assert_eq!(
        w.owner
            .patch(&format!("/api/v1/links/{link_id}"), scopes)
            .await
            .status,
        StatusCode::OK
    );
    let path = format!("/api/v1/app/companies/{}/config", w.company);
    let r = w
        .app_client()
        .patch(&path, json!({ "values": { "shop_code": null } }))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["problems"], json!([]));
    assert_eq!(r.body["saved"], json!({ "max_daily": 10 }));
}

#[tokio::test]
async fn a_config_change_reaches_the_linked_applications_endpoint_only() {
    let Some(rx) = Receiver::start() else {
        return;
    };
    let w = world(&["config:read"]).await;
    let (_e, _) = endpoint(&w.owner, &rx, &w.app.id, "agenda").await;
    // Another application linked to the same company, and one linked to none.
    let neighbour = application(&w.owner, "Vizinha", "main").await;
    endpoint(&w.owner, &rx, &neighbour.id, "vizinha").await;
    link(&w.owner, &neighbour.id, &w.company, &["company:read"]).await;
    let stranger = application(&w.owner, "Estranha", "main").await;
    endpoint(&w.owner, &rx, &stranger.id, "estranha").await;
    let r = w
        .admin
        .put(
            &w.portal_path(),
            json!({ "values": { "shop_code": "ABC-12", "sms": true } }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    wait_for(&rx, "agenda", 2).await; // the neighbour's link.created, then ours
    let got: Vec<Value> = rx
        .received_by("agenda")
        .into_iter()
        .filter(|r| r["payload"]["type"] == "config.changed")
        .collect();
    assert_eq!(got.len(), 1, "{got:?}");
    let data = &got[0]["payload"]["data"];
    assert_eq!(data["company_id"], w.company.as_str());
    assert_eq!(data["application_id"], w.app.id.as_str());
    assert_eq!(data["keys"], json!(["shop_code", "sms"]));
    assert!(
        !got[0].to_string().contains("ABC-12"),
        "no value in the event"
    );
    // A later event to the neighbour proves its queue ran; it never got config.changed.
    let r = w
        .owner
        .patch(
            &format!("/api/v1/companies/{}", w.company),
            json!({ "trade_name": "Zé" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    wait_for(&rx, "vizinha", 2).await;
    for name in ["vizinha", "estranha"] {
        assert!(
            rx.received_by(name)
                .iter()
                .all(|r| r["payload"]["type"] != "config.changed"),
            "{name}"
        );
    }
}
