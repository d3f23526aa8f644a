//! Two armario replicas on one PostgreSQL database: what one changes, the other follows. A key
//! revoked through one is refused by the other within a second (the key directory each keeps
//! in memory is rebuilt on the other's note), and a company renamed through one reads renamed
//! through the other (the rows each keeps until the next write are retired too).

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;

use crate::common::postgres::Postgres;
use crate::common::seed::{application, link};
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

/// Two replicas on a fresh database of their own cluster, with the same settings.
async fn two_replicas(
    extra: &[(&str, &str)],
) -> Option<(Postgres, Server, Server, crate::common::Client)> {
    let pg = Postgres::start()?;
    let url = pg.database("replicas");
    let key = random_hex(32);
    let mut env = vec![("ARMARIO_DATABASE_URL", url.as_str())];
    env.extend_from_slice(extra);
    let one = Server::start_in(tempfile::tempdir().unwrap(), &key, &env);
    let owner = one.owner().await;
    let two = Server::start_in(tempfile::tempdir().unwrap(), &key, &env);
    Some((pg, one, two, owner))
}

#[tokio::test]
async fn each_webhook_goes_out_once_though_both_replicas_send() {
    let Some(rx) = crate::webhooks::Receiver::start() else {
        return;
    };
    let Some((_pg, _one, _two, owner)) = two_replicas(crate::webhooks::ALLOW).await else {
        return;
    };
    let company = company(&owner, "Eventos Ltda", 8802).await;
    let app = application(&owner, "Ouvinte", "main").await;
    crate::webhooks::endpoint(&owner, &rx, &app.id, "r").await;
    link(&owner, &app.id, &company, &["company:read"]).await;
    // Twenty changes through the first replica; each queues a delivery that both replicas'
    // senders wake for (the second on the first's note).
    for n in 0..20 {
        let r = owner
            .patch(
                &format!("/api/v1/companies/{company}"),
                json!({"display_name": format!("Eventos {n}")}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }
    crate::webhooks::wait_for(&rx, "r", 21).await;
    // Time for a second copy to arrive, were one sent.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let got = rx.received_by("r");
    let once = crate::webhooks::once_each(&got);
    assert_eq!(once.len(), 21, "link.created and twenty company.updated");
    assert_eq!(got.len(), once.len(), "a webhook went out twice: {got:?}");
}

#[tokio::test]
async fn each_mail_goes_out_once_though_both_replicas_send() {
    // The SMTP server is down at first, so the letters wait in the outbox and both replicas'
    // senders come for them at the same moment, their next attempt, once it is up.
    let Some(probe) = crate::common::smtp::Sink::start(0) else {
        return;
    };
    drop(probe);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let smtp = crate::common::smtp::smtp_env(port);
    let env: Vec<(&str, &str)> = smtp.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let Some((_pg, _one, _two, owner)) = two_replicas(&env).await else {
        return;
    };
    // Forty letters: invitations of two companies (a plan's seats hold twenty-five).
    let companies = [
        company(&owner, "Convites Ltda", 8803).await,
        company(&owner, "Mais Convites Ltda", 8804).await,
    ];
    let invited: Vec<String> = (0..40)
        .map(|n| format!("pessoa{n}@convites.test"))
        .collect();
    for (n, email) in invited.iter().enumerate() {
        let r = owner
            .post(
                &format!("/api/v1/companies/{}/invitations", companies[n % 2]),
                json!({"email": email, "role": "member"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let sink = crate::common::smtp::Sink::start(port).expect("the SMTP server on its port");
    sink.wait_for(invited.len());
    // Time for a second copy to arrive, were one sent.
    tokio::time::sleep(Duration::from_secs(6)).await;
    let mut to: Vec<String> = sink
        .messages()
        .iter()
        .map(|m| m["rcpt_tos"][0].as_str().unwrap_or_default().to_string())
        .collect();
    to.sort();
    let mut want = invited.clone();
    want.sort();
    assert_eq!(to, want, "each invitation went out once");
}

#[tokio::test]
async fn a_scheduled_job_is_led_by_one_replica_at_a_time() {
    let Some(pg) = Postgres::start() else {
        return;
    };
    let url = pg.database("leads");
    let open = || {
        let url = url.clone();
        std::thread::spawn(move || armario::db::Store::open_postgres(&url, None, 2, None))
            .join()
            .unwrap()
            .unwrap()
    };
    let (one, two) = (open(), open());
    let lead = one.try_lead("retention").await.unwrap();
    assert!(lead.is_some(), "the first replica leads the job");
    assert!(
        two.try_lead("retention").await.unwrap().is_none(),
        "the second replica ran the job while the first led it"
    );
    assert!(
        two.try_lead("signing-key-rotation")
            .await
            .unwrap()
            .is_some(),
        "another job is free"
    );
    drop(lead);
    let took = within(Duration::from_secs(1), || async {
        two.try_lead("retention").await.unwrap().is_some()
    })
    .await;
    assert!(
        took.is_some(),
        "the job stayed led after its lead was dropped"
    );
}

/// Both replicas find no backup when they start and come for the catch-up run together: the
/// one that takes the turn runs it; the other finds the turn taken, or the run recorded, and
/// skips it. One object, one manifest, one recorded run.
#[tokio::test]
async fn a_scheduled_backup_runs_once_though_both_replicas_schedule_it() {
    let Some(pg) = Postgres::start() else {
        return;
    };
    let url = pg.database("backups");
    let key = random_hex(32);
    let target = tempfile::tempdir().unwrap();
    let env: Vec<(String, String)> = vec![
        ("ARMARIO_DATABASE_URL".into(), url.clone()),
        (
            "ARMARIO_BACKUP_LOCAL_DIR".into(),
            target.path().display().to_string(),
        ),
        (
            "ARMARIO_PG_BIN_DIR".into(),
            crate::common::postgres::bin_dir().display().to_string(),
        ),
    ];
    // Both start at once (the first start's migration under its lock, the other waiting).
    let start = |env: Vec<(String, String)>, key: String| {
        std::thread::spawn(move || {
            let env: Vec<(&str, &str)> =
                env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            Server::start_in(tempfile::tempdir().unwrap(), &key, &env)
        })
    };
    let (one, two) = (start(env.clone(), key.clone()), start(env, key));
    let (one, two) = (one.join().unwrap(), two.join().unwrap());

    let manifests = || {
        std::fs::read_dir(target.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".manifest.json"))
            .count()
    };
    let took = within(Duration::from_secs(30), || async { manifests() > 0 }).await;
    assert!(took.is_some(), "no catch-up backup was taken");
    // Both schedulers came for the run at start; give the other one time to finish one too.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let runs: Vec<(String, String)> = with_store_at(Some(url), std::path::Path::new("-"), |db| {
        db.prepare("SELECT id, trigger FROM backup_runs ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    });
    assert_eq!(runs.len(), 1, "runs recorded: {runs:?}");
    assert_eq!(runs[0].1, "scheduler");
    assert_eq!(manifests(), 1, "manifests on the target");
    drop((one, two));
}

/// Wrong passwords for one account from one address, spread over both replicas: once they
/// reach the limit, either replica refuses the next try, and the failures' keys in the store
/// name neither the address nor the e-mail.
#[tokio::test]
async fn a_sign_in_lockout_holds_on_every_replica() {
    let Some((pg, one, two, _owner)) = two_replicas(&[]).await else {
        return;
    };
    let try_on = |server: &Server| {
        let anon = server.anon();
        async move {
            anon.post(
                "/api/v1/auth/login",
                json!({"email": "owner@armario.test", "password": "not the password"}),
            )
            .await
            .status
        }
    };
    // The limit per (account, address) is 5: three tries through one, two through the other.
    for server in [&one, &two, &one, &two, &one] {
        assert_eq!(try_on(server).await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(try_on(&two).await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(try_on(&one).await, StatusCode::TOO_MANY_REQUESTS);

    let url = pg.database_url("replicas");
    let keys: Vec<Vec<u8>> = with_store_at(Some(url), std::path::Path::new("-"), |db| {
        db.prepare("SELECT key FROM login_failures")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    });
    assert_eq!(keys.len(), 3, "the pair, the address and the account");
    for key in keys {
        let text = String::from_utf8_lossy(&key);
        assert!(
            !text.contains("owner@") && !text.contains("127.0.0.1"),
            "{text}"
        );
    }
}
