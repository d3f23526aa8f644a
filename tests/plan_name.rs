//! Companies stored before the default plan got its Portuguese name kept the plan `standard`
//! while every company since shows "Padrão": migration 0018 renames that exact stored value,
//! and leaves any plan the owner typed (even one that only looks like it) as it was.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::json;

/// The schema version just before the rename.
const BEFORE_RENAME: u32 = 17;

async fn create(owner: &Client, legal: &str, plan: Option<&str>, seed: u32) -> String {
    let r = owner
        .post(
            "/api/v1/companies",
            json!({"legal_name": legal, "cnpj": cnpj(seed), "plan": plan}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.body["id"].as_str().unwrap().to_string()
}

async fn plan(owner: &Client, id: &str) -> String {
    let r = owner.get(&format!("/api/v1/companies/{id}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.body["plan"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn the_old_default_plan_name_becomes_the_current_one() {
    if crate::common::sqlite_only("a migration of an older SQLite file") {
        return;
    }
    let mut server = Server::start();
    let owner = server.owner().await;
    let old = create(&owner, "Antiga Padrão Ltda", None, 8101).await;
    let typed = create(&owner, "Plano Próprio Ltda", Some("Standard Plus"), 8102).await;
    let upper = create(&owner, "Maiúsculas Ltda", Some("Standard"), 8103).await;
    let new = create(&owner, "Nova Ltda", None, 8104).await;
    assert_eq!(plan(&owner, &new).await, "Padrão");

    // As an older armario left it: the first company still carries the old default name.
    assert!(server.stop().success());
    {
        let db = rusqlite::Connection::open(server.db_path()).unwrap();
        crate::plans::undo_0019(&db);
        let n = db
            .execute(
                "UPDATE companies SET plan = 'standard' WHERE id = ?1",
                [&old],
            )
            .unwrap();
        assert_eq!(n, 1);
        db.pragma_update(None, "user_version", BEFORE_RENAME)
            .unwrap();
    }
    let dir = server.take_dir();
    let server = Server::start_in(dir, &server.master_key.clone(), &[]);
    let owner = server.login("owner@armario.test", PASSWORD).await;
    assert_eq!(plan(&owner, &old).await, "Padrão");
    assert_eq!(plan(&owner, &typed).await, "Standard Plus");
    assert_eq!(plan(&owner, &upper).await, "Standard");
    assert_eq!(plan(&owner, &new).await, "Padrão");
}
