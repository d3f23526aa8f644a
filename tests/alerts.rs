//! Alerts to the owner through a real SMTP server on loopback (aiosmtpd), with the sweep run
//! every second: a waiting sign-up, a credential expiring within 14 days, a company at 90% of
//! its plan, a failed backup, no good backup for a day and dead-lettered mail each reach the
//! owner once, in their language, with a link to the dashboard; an owner who switched a topic
//! off gets none of it, yet the alert is listed; nobody but the owner reads or sets them.
use crate::common::smtp::{smtp_env, Sink};
use crate::common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

const FAST: (&str, &str) = ("ARMARIO_ALERT_CHECK_SECS", "1");

fn with_fast(env: &[(String, String)]) -> Vec<(&str, &str)> {
    let mut out: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    out.push(FAST);
    out
}

/// The alert messages the owner received.
fn to_owner(sink: &Sink) -> Vec<Value> {
    sink.messages()
        .into_iter()
        .filter(|m| m["rcpt_tos"] == json!(["owner@armario.test"]))
        .collect()
}

fn subjects(messages: &[Value]) -> Vec<String> {
    messages
        .iter()
        .map(|m| m["headers"]["Subject"].as_str().unwrap().to_string())
        .collect()
}

async fn kinds(owner: &Client) -> Vec<String> {
    all_pages(owner, "/api/v1/alerts")
        .await
        .iter()
        .map(|a| a["kind"].as_str().unwrap().to_string())
        .collect()
}

async fn wait_for_owner_mail(sink: &Sink, n: usize) -> Vec<Value> {
    for _ in 0..150 {
        let got = to_owner(sink);
        if got.len() >= n {
            return got;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the owner received {:?}", subjects(&to_owner(sink)));
}

#[tokio::test]
async fn each_cause_reaches_the_owner_once_and_a_topic_switched_off_stays_quiet() {
    let Some(sink) = Sink::start(0) else { return };
    let server = Server::start_with(&with_fast(&sink.env()));
    let owner = server.owner().await;
    let prefs = owner.get("/api/v1/alerts/preferences").await;
    assert_eq!(
        prefs.body,
        json!({"backups": true, "signups": true, "credentials": true, "plan_limits": true, "mail": true, "integrations": true})
    );

    // A company at its limit: one seat, one user.
    let r = owner
        .post(
            "/api/v1/companies",
            json!({"legal_name": "Padaria Sao Joao Ltda", "cnpj": cnpj(7301),
                   "display_name": "Padaria São João", "max_users": 1}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let company = r.body["id"].as_str().unwrap().to_string();
    user(&owner, &company, "ana@padaria.test", "company_admin").await;
    let got = wait_for_owner_mail(&sink, 1).await;
    let alert = &got[0];
    assert_eq!(
        alert["headers"]["Subject"],
        "Alerta do armario: Padaria São João perto do limite de usuários"
    );
    let text = alert["text"].as_str().unwrap();
    assert!(text.contains("usa 1 dos 1 usuários"), "{text}");
    assert!(
        text.contains(&server.url(&format!("/admin/#/companies/{company}"))),
        "{text}"
    );
    assert!(
        !alert.to_string().contains("arm_"),
        "an alert carries no secret"
    );

    // The owner switches sign-ups off, then a company signs up.
    let off = json!({"backups": true, "signups": false, "credentials": true, "plan_limits": true, "mail": true, "integrations": true});
    let r = owner.put("/api/v1/alerts/preferences", off.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body, off);
    let r = server
        .anon()
        .post(
            "/api/v1/signup",
            json!({"company": {"legal_name": "Oficina Nova Ltda", "cnpj": cnpj(7302),
                               "contact_email": "contato@nova.test"},
                   "admin": {"name": "Nina", "email": "nina@nova.test", "password": PASSWORD}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);

    // A credential that expires in ten days.
    let r = owner
        .post(
            "/api/v1/applications",
            json!({"name": "Helpdesk", "contact_email": "dev@help.test"}),
        )
        .await;
    let app = r.body["id"].as_str().unwrap().to_string();
    let soon = (chrono::Utc::now() + chrono::Duration::days(10)).to_rfc3339();
    let r = owner
        .post(
            &format!("/api/v1/applications/{app}/credentials"),
            json!({"label": "producao", "expires_at": soon}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let got = wait_for_owner_mail(&sink, 2).await;
    assert_eq!(
        got[1]["headers"]["Subject"],
        "Alerta do armario: uma credencial de Helpdesk expira em breve"
    );
    // Several sweeps later: nothing is sent twice, and the sign-up went only to the list.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert_eq!(
        subjects(&to_owner(&sink)).len(),
        2,
        "{:?}",
        subjects(&to_owner(&sink))
    );
    let mut listed = kinds(&owner).await;
    listed.sort();
    assert_eq!(
        listed,
        ["credential_expiring", "plan_near_limit", "signup_waiting"]
    );
    let items = all_pages(&owner, "/api/v1/alerts").await;
    let signup = items
        .iter()
        .find(|a| a["kind"] == "signup_waiting")
        .unwrap();
    assert_eq!(signup["company_name"], "Oficina Nova Ltda");

    // Only the owner reads and sets alerts.
    let ana = server.login("ana@padaria.test", PASSWORD).await;
    for r in [
        ana.get("/api/v1/alerts").await,
        ana.get("/api/v1/alerts/preferences").await,
        ana.put("/api/v1/alerts/preferences", off.clone()).await,
    ] {
        assert_error(&r, StatusCode::FORBIDDEN, "forbidden", None);
    }
    let r = owner
        .put("/api/v1/alerts/preferences", json!({"backups": true}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    let audit = owner
        .get("/api/v1/audit-events?action=alerts.preferences_changed")
        .await;
    assert_eq!(
        audit.body["items"].as_array().unwrap().len(),
        1,
        "{}",
        audit.text
    );
}

#[tokio::test]
async fn failed_and_missing_backups_and_dead_mail_are_alerted() {
    // SMTP is down: every message dead-letters at its first attempt.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut env = smtp_env(port);
    env.push(("ARMARIO_SMTP_MAX_ATTEMPTS".into(), "1".into()));
    for (k, v) in [
        ("ARMARIO_BACKUP_TARGET", "s3"),
        ("ARMARIO_BACKUP_S3_ENDPOINT", "http://127.0.0.1:9"),
        ("ARMARIO_BACKUP_S3_REGION", "us-east-1"),
        ("ARMARIO_BACKUP_S3_BUCKET", "armario-test"),
        ("ARMARIO_BACKUP_S3_PATH_STYLE", "true"),
        ("ARMARIO_BACKUP_S3_ACCESS_KEY", "test"),
        ("ARMARIO_BACKUP_S3_SECRET_KEY", "test-secret-value"),
    ] {
        env.push((k.into(), v.into()));
    }
    let server = Server::start_with(&with_fast(&env));
    let owner = server.owner().await;
    // A run of the scheduler may be under way: 409 until it is done.
    let r = backup_when_free(&owner).await;
    assert_eq!(r.body["status"], "failed", "{}", r.text);
    eventually(15, "backup_failed and mail_dead listed", || async {
        let k = kinds(&owner).await;
        k.contains(&"backup_failed".to_string()) && k.contains(&"mail_dead".to_string())
    })
    .await;
    assert!(!kinds(&owner).await.contains(&"backup_late".to_string()));
    let items = all_pages(&owner, "/api/v1/alerts").await;
    let failed = items.iter().find(|a| a["kind"] == "backup_failed").unwrap();
    assert!(!failed["error"].as_str().unwrap().is_empty(), "{failed}");
    assert!(!failed.to_string().contains("test-secret-value"));

    // A day later with no good backup: the platform is late.
    let mut server = server;
    server.stop();
    server.with_store(|db| {
        db.execute(
            "UPDATE users SET created_at = created_at - 2 * 86400000 WHERE role = 'owner'",
            [],
        )
        .unwrap()
    });
    let mut dir = server;
    let key = dir.master_key.clone();
    let server = Server::start_in(dir.take_dir(), &key, &with_fast(&env));
    let owner = server.login("owner@armario.test", PASSWORD).await;
    eventually(15, "backup_late listed", || async {
        kinds(&owner).await.contains(&"backup_late".to_string())
    })
    .await;

    // SMTP comes back; the operator sends the dead letters again, alerts among them.
    let Some(sink) = Sink::start(port) else {
        return;
    };
    let out = run_armario(
        &server.data_dir(),
        &server.master_key,
        &["mail", "retry"],
        "",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let wanted = [
        "Alerta do armario: um backup falhou",
        "Alerta do armario: mensagens não entregues",
        "Alerta do armario: nenhum backup nas últimas 24 horas",
    ];
    eventually(15, "the three alerts delivered", || async {
        let got = subjects(&to_owner(&sink));
        wanted.iter().all(|w| got.iter().any(|s| s == w))
    })
    .await;
    let got = to_owner(&sink);
    for m in &got {
        assert!(!m.to_string().contains("test-secret-value"));
    }
}
