//! Two armario replicas on one PostgreSQL database: what one changes, the other follows. A key
//! revoked through one is refused by the other within a second (the key directory each keeps
//! in memory is rebuilt on the other's note), and a company renamed through one reads renamed
//! through the other (the rows each keeps until the next write are retired too).

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;

use crate::common::postgres::Postgres;
use crate::common::*;

/// Polls `check` every 20 ms for at most `within`; answers how long it took to hold.
async fn within<F, Fut>(within: Duration, mut check: F) -> Option<Duration>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while start.elapsed() <= within {
        if check().await {
            return Some(start.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    None
}

#[tokio::test]
async fn a_key_revoked_through_one_replica_is_refused_by_the_other_within_a_second() {
    let Some(pg) = Postgres::start() else {
        return;
    };
    let url = pg.database("replicas");
    let key = random_hex(32);
    let env = [("ARMARIO_DATABASE_URL", url.as_str())];
    let one = Server::start_in(tempfile::tempdir().unwrap(), &key, &env);
    let owner = one.owner().await;
    let two = Server::start_in(tempfile::tempdir().unwrap(), &key, &env);
    assert!(
        two.setup_token.is_none(),
        "the second replica found the owner"
    );

    let company = company(&owner, "Réplica Ltda", 8801).await;
    let app = linked_app(&owner, "Painel", &company, &["company:read"]).await;
    let path = format!("/api/v1/app/companies/{company}");
    let on_two = two.anon().with_token(&app.app.key);
    // The key made through the first replica works on the second.
    let took = within(Duration::from_secs(1), || async {
        on_two.get(&path).await.status == StatusCode::OK
    })
    .await;
    assert!(took.is_some(), "a new key did not reach the other replica");
    assert_eq!(on_two.get(&path).await.body["legal_name"], "Réplica Ltda");

    // A rename through the first is read through the second (its kept row retired).
    let r = owner
        .patch(
            &format!("/api/v1/companies/{company}"),
            json!({"legal_name": "Réplica Renomeada Ltda"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let took = within(Duration::from_secs(1), || async {
        on_two.get(&path).await.body["legal_name"] == "Réplica Renomeada Ltda"
    })
    .await;
    assert!(took.is_some(), "the other replica kept the old name");

    // Revoked through the first: refused by the second within a second.
    let r = owner
        .delete(&format!(
            "/api/v1/applications/{}/credentials/{}",
            app.app.id, app.app.credential
        ))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    let took = within(Duration::from_secs(1), || async {
        on_two.get(&path).await.status == StatusCode::UNAUTHORIZED
    })
    .await;
    let took = took.expect("the revoked key still worked on the other replica after a second");
    eprintln!("the other replica refused the revoked key after {took:?}");
    assert_eq!(
        one.anon().with_token(&app.app.key).get(&path).await.status,
        StatusCode::UNAUTHORIZED
    );
}
