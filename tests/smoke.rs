use crate::common::*;
use reqwest::StatusCode;

#[tokio::test]
async fn owner_signs_in_and_creates_a_company() {
    let server = Server::start();
    let owner = server.owner().await;
    let id = company(&owner, "Padaria São João", 1).await;
    let r = owner.get(&format!("/api/v1/companies/{id}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["slug"], "padaria-sao-joao");
}
