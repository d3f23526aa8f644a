//! Each company's own data key in the live store: its users' e-mails, names and search text and
//! its secrets are sealed under it, a user is still found by e-mail (the keyed index), erasing
//! the company destroys the key, and a store with data in clear (an upgrade, a restore) is
//! sealed when the server starts.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::*;

/// What the database file holds for one user, read past armario.
/// The kinds of a user's cells as the store holds them (`blob` or `text`; PostgreSQL's `bytea`
/// is a blob) and whether the e-mail's index is there.
fn stored_user(server: &Server, id: &str) -> (String, String, String, bool) {
    let kind = if crate::common::postgres::suite_on_postgres() {
        "pg_typeof"
    } else {
        "typeof"
    };
    let sql = format!(
        "SELECT {kind}(email)::text, {kind}(name)::text, {kind}(search_fold)::text,
                email_index IS NOT NULL
         FROM users WHERE id = ?1"
    )
    .replace("::text", if kind == "typeof" { "" } else { "::text" });
    let (a, b, c, d): (String, String, String, bool) = server.with_store(|db| {
        db.query_row(&sql, [id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .unwrap()
    });
    let blob = |k: String| if k == "bytea" { "blob".to_string() } else { k };
    (blob(a), blob(b), blob(c), d)
}

fn has_key(server: &Server, company: &str) -> bool {
    server.with_store(|db| {
        db.query_row(
            "SELECT EXISTS (SELECT 1 FROM company_keys WHERE company_id = ?1 AND sealed IS NOT NULL)",
            [company],
            |r| r.get(0),
        )
        .unwrap()
    })
}

async fn person(owner: &Client, company: &str, email: &str, name: &str) -> String {
    let r = owner
        .post(
            &format!("/api/v1/companies/{company}/users"),
            json!({"email": email, "name": name, "role": "company_admin", "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.body["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_companys_people_and_secrets_are_sealed_under_its_own_key() {
    let server = Server::spawn();
    let owner = server.owner().await;
    let a = company(&owner, "Chaveada Alfa Ltda", 41).await;
    let b = company(&owner, "Chaveada Beta Ltda", 42).await;
    let name_a = format!("Lúcia Selada {:08x}", rand::random::<u32>());
    let email_a = format!("lucia.{:08x}@chaveada.test", rand::random::<u32>());
    let ua = person(&owner, &a, &email_a, &name_a).await;
    let ub = person(&owner, &b, "bruno@chaveada.test", "Bruno Vizinho").await;
    let secret = format!("s-{:016x}", rand::random::<u64>());
    let r = owner
        .put(
            &format!("/api/v1/companies/{a}/secrets/omie"),
            json!({"values": {"app_key": "k-1", "app_secret": secret}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    // Everything still works through armario: sign-in by e-mail, search by name (accents and
    // case folded), the secret, the user as read back.
    let admin = server.login(&email_a, PASSWORD).await;
    let r = admin.get("/api/v1/auth/me").await;
    assert_eq!(r.body["user"]["name"], name_a.as_str(), "{}", r.text);
    let r = owner
        .get(&format!("/api/v1/companies/{a}/users?q=lucia%20selada"))
        .await;
    assert_eq!(ids(r.body["items"].as_array().unwrap()), vec![ua.clone()]);
    let r = owner
        .get(&format!("/api/v1/users?q={}", enc(&email_a)))
        .await;
    assert_eq!(ids(r.body["items"].as_array().unwrap()), vec![ua.clone()]);
    let linked =
        crate::common::seed::linked_app(&owner, "Leitora", &a, &["secrets:omie:read"]).await;
    let r = server
        .anon()
        .with_token(&linked.app.key)
        .get(&format!("/api/v1/app/companies/{a}/secrets/omie"))
        .await;
    assert_eq!(
        r.body["values"]["app_secret"],
        secret.as_str(),
        "{}",
        r.text
    );
    // A second user cannot take the address, sealed or not.
    let r = owner
        .post(
            &format!("/api/v1/companies/{b}/users"),
            json!({"email": email_a, "name": "Outra", "role": "member", "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);

    // In the file, the person's fields are sealed cells, each company has its key, and the
    // secret's cell is sealed under the company's key too (it starts with the cell's mark).
    let (email, name, fold, indexed) = stored_user(&server, &ua);
    assert_eq!(
        (email.as_str(), name.as_str(), fold.as_str()),
        ("blob", "blob", "blob")
    );
    assert!(indexed);
    assert_eq!(stored_user(&server, &ub).0, "blob");
    assert!(has_key(&server, &a) && has_key(&server, &b));
    let (cell, owner_email): (Vec<u8>, Vec<u8>) = server.with_store(|db| {
        let cell = db
            .query_row(
                "SELECT sealed FROM company_secrets WHERE company_id = ?1",
                [&a],
                |r| r.get(0),
            )
            .unwrap();
        // The owner's address is kept in clear: text on SQLite, its bytes on PostgreSQL.
        let email = db
            .query_row("SELECT email FROM users WHERE role = 'owner'", [], |r| {
                Ok(r.get_ref(0)?.as_bytes()?.to_vec())
            })
            .unwrap();
        (cell, email)
    });
    assert!(
        cell.starts_with(b"ARMPD1"),
        "the secret is not under the company's key"
    );
    assert_eq!(
        owner_email, b"owner@armario.test",
        "the owner is no company's"
    );
    if crate::common::postgres::suite_on_postgres() {
        return;
    }
    // The name was never written in clear: not in the file nor in its log. (The audit log
    // names people by id; its details are sealed per company only in backups.)
    let raw = raw_files(&server);
    assert!(
        bytes_contain(&raw, "Chaveada Alfa"),
        "the search reads the files"
    );
    assert!(
        !bytes_contain(&raw, &name_a),
        "the person's name is in clear"
    );
    assert!(!bytes_contain(&raw, &secret), "the secret is in clear");

    // Erasing A destroys its key; B keeps its own and its people sign in as before.
    let cnpj_a = owner.get(&format!("/api/v1/companies/{a}")).await.body["cnpj"]
        .as_str()
        .unwrap()
        .to_string();
    let r = owner
        .post(
            &format!("/api/v1/companies/{a}/erasure"),
            json!({"confirmation": cnpj_a}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(
        !has_key(&server, &a),
        "the erased company's key is still stored"
    );
    assert!(has_key(&server, &b));
    let r = server
        .anon()
        .post(
            "/api/v1/auth/login",
            json!({"email": email_a, "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
    server.login("bruno@chaveada.test", PASSWORD).await;
    let r = owner.get(&format!("/api/v1/companies/{a}/users")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let names: Vec<&str> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    assert!(!names.contains(&name_a.as_str()), "{names:?}");
    assert_eq!(names.len(), 1, "the erased person is listed by pseudonym");
}

#[tokio::test]
async fn a_store_with_people_in_clear_is_sealed_at_start() {
    if crate::common::sqlite_only("sealing a file written in clear before companies had keys") {
        return;
    }
    let mut server = Server::spawn();
    let owner = server.owner().await;
    // A keeps its key; B's is gone, as a restore leaves every company (a backup carries no key
    // inside).
    let a = company(&owner, "Legada Alfa Ltda", 43).await;
    let b = company(&owner, "Legada Beta Ltda", 44).await;
    let ua = person(&owner, &a, "legada@alfa.test", "Pessoa Legada").await;
    let ub = person(&owner, &b, "legada@beta.test", "Outra Legada").await;
    assert!(server.stop().success());

    // As an older armario leaves them: fields in clear, no index.
    {
        let db = rusqlite::Connection::open(server.db_path()).unwrap();
        db.execute_batch(&format!(
            "UPDATE users SET email = 'legada@alfa.test', name = 'Pessoa Legada',
                 search_fold = 'pessoa legada legada@alfa.test', email_index = NULL
             WHERE id = '{ua}';
             UPDATE users SET email = 'legada@beta.test', name = 'Outra Legada',
                 search_fold = 'outra legada legada@beta.test', email_index = NULL
             WHERE id = '{ub}';
             UPDATE company_keys SET sealed = NULL, key_id = NULL WHERE company_id = '{b}';"
        ))
        .unwrap();
    }
    assert_eq!(stored_user(&server, &ua).0, "text");
    // A console command finds a person by e-mail before any server has started on the store:
    // it seals and indexes first, as a server's start does.
    let out = run_armario(
        &server.data_dir(),
        &server.master_key,
        &["admin", "set-password", "--email", "legada@beta.test"],
        "outra-senha-nova-1\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stored_user(&server, &ub).0, "blob");
    let dir = server.take_dir();
    let server = Server::spawn_in(dir, &server.master_key.clone(), &[]);
    for user in [&ua, &ub] {
        let (email, name, fold, indexed) = stored_user(&server, user);
        assert_eq!(
            (email.as_str(), name.as_str(), fold.as_str()),
            ("blob", "blob", "blob")
        );
        assert!(indexed, "the e-mail was indexed again");
    }
    assert!(has_key(&server, &b), "the company got a key again");
    for (email, name, password) in [
        ("legada@alfa.test", "Pessoa Legada", PASSWORD),
        ("legada@beta.test", "Outra Legada", "outra-senha-nova-1"),
    ] {
        let who = server.login(email, password).await;
        let r = who.get("/api/v1/auth/me").await;
        assert_eq!(r.body["user"]["name"], name, "{}", r.text);
    }
}
