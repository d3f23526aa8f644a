//! Seeded worlds several areas share: an application with a key, linked to a company.

use reqwest::StatusCode;
use serde_json::json;

use super::{Client, Resp};

/// Every scope a link can grant on a company.
pub const ALL_SCOPES: &[&str] = &[
    "company:read",
    "users:read",
    "usage:read",
    "secrets:omie:read",
];

/// An application with one credential.
pub struct App {
    pub id: String,
    pub credential: String,
    /// The credential's secret, shown once at creation.
    pub key: String,
}

/// Registers an application as the owner and issues it a credential labelled `label`.
pub async fn application(owner: &Client, name: &str, label: &str) -> App {
    let r = owner
        .post(
            "/api/v1/applications",
            json!({"name": name, "contact_email": "dev@app.test"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.body["id"].as_str().unwrap().to_string();
    let r = owner
        .post(
            &format!("/api/v1/applications/{id}/credentials"),
            json!({"label": label}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    App {
        id,
        credential: r.body["credential"]["id"].as_str().unwrap().to_string(),
        key: r.body["secret"].as_str().unwrap().to_string(),
    }
}

/// Links an application to a company with these scopes; returns the link's id.
pub async fn link(owner: &Client, app: &str, company: &str, scopes: &[&str]) -> String {
    let r = owner
        .post(
            "/api/v1/links",
            json!({"application_id": app, "company_id": company, "scopes": scopes}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.body["id"].as_str().unwrap().to_string()
}

/// An application with a key, linked to one company.
pub struct LinkedApp {
    pub app: App,
    pub link: String,
}

/// Registers an application, issues it a key and links it to `company` with `scopes`.
pub async fn linked_app(owner: &Client, name: &str, company: &str, scopes: &[&str]) -> LinkedApp {
    let app = application(owner, name, "main").await;
    let link = link(owner, &app.id, company, scopes).await;
    LinkedApp { app, link }
}

/// Stores a company's Omie credentials as the owner.
pub async fn omie_secret(owner: &Client, company: &str, app_key: &str, app_secret: &str) {
    let r = owner
        .put(
            &format!("/api/v1/companies/{company}/secrets/omie"),
            json!({"values": {"app_key": app_key, "app_secret": app_secret}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

/// The owner's `POST /api/v1/backups`, tried again while another run (the start's catch-up
/// backup, slower on PostgreSQL, or a scheduled one) holds the backups: 409 until it is done.
pub async fn backup_when_free(owner: &Client) -> Resp {
    let mut r = owner.post_empty("/api/v1/backups").await;
    for _ in 0..100 {
        if r.status != reqwest::StatusCode::CONFLICT {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        r = owner.post_empty("/api/v1/backups").await;
    }
    r
}
