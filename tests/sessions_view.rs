//! Sessions people can see and end: their own, their company's users' (a company admin) and
//! anyone's (the owner). Signed in through the real server, from addresses the proxy names.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

const CHROME: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const FIREFOX: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";

/// Signs in as a browser at `ip` would (the server trusts `X-Forwarded-For`).
async fn sign_in(server: &Server, email: &str, agent: &str, ip: &str) -> Client {
    let resp = reqwest::Client::new()
        .post(server.url("/api/v1/auth/login"))
        .header("User-Agent", agent)
        .header("X-Forwarded-For", ip)
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .expect("request");
    let r = Resp::read(resp).await;
    assert_eq!(r.status, StatusCode::OK, "login {email}: {}", r.text);
    server
        .anon()
        .with_token(r.body["token"].as_str().expect("token"))
}

async fn mine(c: &Client) -> Vec<Value> {
    all_pages(c, "/api/v1/auth/sessions").await
}

/// The id of the caller's current session.
async fn current_id(c: &Client) -> String {
    let items = mine(c).await;
    let current: Vec<&Value> = items.iter().filter(|s| s["current"] == true).collect();
    assert_eq!(current.len(), 1, "{items:?}");
    current[0]["id"].as_str().unwrap().to_string()
}

async fn works(c: &Client) -> bool {
    let r = c.get("/api/v1/auth/me").await;
    assert!(
        [StatusCode::OK, StatusCode::UNAUTHORIZED].contains(&r.status),
        "{}",
        r.text
    );
    r.status == StatusCode::OK
}

fn trusting_proxy() -> Server {
    Server::start_with(&[("ARMARIO_TRUST_PROXY", "true")])
}

/// Moves a session's last use back in time, as if it had been idle.
fn idle(server: &Server, session_id: &str, ms: i64) {
    let n = server.with_store(|db| {
        db.execute(
            "UPDATE sessions SET last_seen_at = last_seen_at - ?2, created_at = created_at - ?2 WHERE id = ?1",
            rusqlite::params![session_id, ms],
        )
        .unwrap()
    });
    assert_eq!(n, 1);
}

fn time(v: &Value) -> chrono::DateTime<chrono::Utc> {
    v.as_str().expect("time").parse().expect("RFC 3339")
}

/// When session `id` was last used, as `c`'s sessions list shows it.
async fn last_seen(c: &Client, id: &str) -> chrono::DateTime<chrono::Utc> {
    time(&mine(c).await.iter().find(|s| s["id"] == id).unwrap()["last_seen_at"])
}

#[tokio::test]
async fn each_sign_in_shows_where_and_from_what_and_when_it_was_last_used() {
    let server = trusting_proxy();
    let owner = server.owner().await;
    let a = company(&owner, "Sessões Visíveis Ltda", 1101).await;
    user(&owner, &a, "ana@sessoes.test", "company_admin").await;
    let linux = sign_in(&server, "ana@sessoes.test", CHROME, "203.0.113.10").await;
    let windows = sign_in(&server, "ana@sessoes.test", FIREFOX, "198.51.100.20").await;

    let items = mine(&linux).await;
    assert_eq!(items.len(), 2, "{items:?}");
    let by_ip = |ip: &str| items.iter().find(|s| s["ip"] == ip).cloned().unwrap();
    let (l, w) = (by_ip("203.0.113.10"), by_ip("198.51.100.20"));
    assert_eq!(l["browser"], "Chrome 131");
    assert_eq!(l["os"], "Linux");
    assert_eq!(l["user_agent"], CHROME);
    assert_eq!(l["current"], true);
    assert_eq!(w["browser"], "Firefox 133");
    assert_eq!(w["os"], "Windows");
    assert_eq!(w["current"], false);
    assert_eq!(l["user_email"], "ana@sessoes.test");
    assert_eq!(l["company_id"], a.as_str());
    assert!(l["id"].as_str().unwrap().starts_with("ses_"));
    assert_eq!(l["created_at"], l["last_seen_at"]);
    // The other device sees the same two, with itself marked.
    assert_eq!(current_id(&windows).await, w["id"].as_str().unwrap());
    // Neither the tokens nor their digests are shown.
    let text = linux.get("/api/v1/auth/sessions").await.text;
    for t in [&linux.token, &windows.token] {
        let t = t.as_deref().unwrap();
        assert!(!text.contains(t));
        assert!(!text.contains(&t["arm_sess_".len()..][..12]));
    }
    assert!(!text.contains("token"), "{text}");

    // A use after a minute's idleness is recorded...
    let w_id = w["id"].as_str().unwrap();
    idle(&server, w_id, 5 * 60_000);
    let before = last_seen(&linux, w_id).await;
    assert!(works(&windows).await);
    // Recorded by the writer after the answer, shortly.
    eventually(10, "the use recorded", || async {
        last_seen(&linux, w_id).await > before + chrono::Duration::minutes(4)
    })
    .await;
    // ...but within the minute a use writes nothing, so reads stay reads.
    idle(&server, w_id, 30_000);
    let idle_at = last_seen(&linux, w_id).await;
    assert!(works(&windows).await);
    let still = last_seen(&linux, w_id).await;
    assert_eq!(idle_at, still);
}

#[tokio::test]
async fn a_use_is_answered_while_another_program_holds_the_database_and_recorded_after() {
    if crate::common::sqlite_only("another program holding the write lock") {
        return;
    }
    let server = trusting_proxy();
    let owner = server.owner().await;
    let a = company(&owner, "Sessões Ocupadas Ltda", 1102).await;
    user(&owner, &a, "bia@sessoes.test", "company_admin").await;
    let bia = sign_in(&server, "bia@sessoes.test", CHROME, "203.0.113.11").await;
    let id = current_id(&bia).await;
    idle(&server, &id, 5 * 60_000);
    // Read from the file: a request would record its own use.
    let db = rusqlite::Connection::open(server.db_path()).unwrap();
    db.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
    let last_seen = |db: &rusqlite::Connection| -> i64 {
        db.query_row(
            "SELECT last_seen_at FROM sessions WHERE id = ?1",
            [&id],
            |r| r.get(0),
        )
        .unwrap()
    };
    let before = last_seen(&db);

    // Another program takes the database's write lock: armario's writer waits for it (up to
    // its five-second busy timeout). The use after the idle minutes is still answered at once,
    // and recorded once the lock is let go.
    db.execute_batch("BEGIN IMMEDIATE").unwrap();
    let answered = tokio::time::timeout(std::time::Duration::from_secs(3), works(&bia)).await;
    db.execute_batch("ROLLBACK").unwrap();
    assert_eq!(answered, Ok(true), "the read waited for the writer");
    eventually(10, "the use recorded", || async {
        last_seen(&db) > before + 4 * 60_000
    })
    .await;
}

#[tokio::test]
async fn ending_one_session_or_all_others_leaves_the_rest_working() {
    let server = trusting_proxy();
    let owner = server.owner().await;
    let a = company(&owner, "Fim de Sessão Ltda", 1102).await;
    let bia = user(&owner, &a, "bia@fim.test", "member").await;
    let one = sign_in(&server, "bia@fim.test", CHROME, "203.0.113.1").await;
    let two = sign_in(&server, "bia@fim.test", FIREFOX, "203.0.113.2").await;
    let three = sign_in(&server, "bia@fim.test", CHROME, "203.0.113.3").await;
    let two_id = current_id(&two).await;

    let r = one.delete(&format!("/api/v1/auth/sessions/{two_id}")).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    assert!(!works(&two).await, "the ended session still works");
    assert!(works(&one).await && works(&three).await);
    assert_eq!(mine(&one).await.len(), 2);
    // Gone is gone: ending it again, or a made-up id, is a 404.
    let r = one.delete(&format!("/api/v1/auth/sessions/{two_id}")).await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found", None);
    let r = one.delete("/api/v1/auth/sessions/not-a-session").await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found", None);

    let r = one.delete("/api/v1/auth/other-sessions").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["ended"], 1);
    assert!(works(&one).await, "end-others ended the current session");
    assert!(!works(&three).await);
    let left = mine(&one).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["current"], true);

    // Each end is in the audit log: who, whose, how many; never a token.
    let ended = audit_events(&owner, "action=session.ended").await;
    assert_eq!(ended.len(), 1, "{ended:?}");
    assert_eq!(ended[0]["actor_id"], bia.as_str());
    assert_eq!(ended[0]["target_id"], bia.as_str());
    assert_eq!(ended[0]["company_id"], a.as_str());
    assert_eq!(ended[0]["details"]["count"], 1);
    assert_eq!(ended[0]["details"]["session_id"], two_id.as_str());
    let others = audit_events(&owner, "action=session.others_ended").await;
    assert_eq!(others.len(), 1, "{others:?}");
    assert_eq!(others[0]["details"]["count"], 1);
    let all = serde_json::to_string(&audit_events(&owner, "").await).unwrap();
    for c in [&one, &two, &three] {
        let t = c.token.as_deref().unwrap();
        assert!(
            !all.contains(&t["arm_sess_".len()..][..12]),
            "a token in the audit log"
        );
    }
}

#[tokio::test]
async fn a_company_admin_reaches_only_their_company_and_a_member_only_themselves() {
    let server = trusting_proxy();
    let owner = server.owner().await;
    let a = company(&owner, "Alfa Sessões", 1103).await;
    let b = company(&owner, "Bravo Sessões", 1104).await;
    user(&owner, &a, "admin@alfa-s.test", "company_admin").await;
    let a_member = user(&owner, &a, "membro@alfa-s.test", "member").await;
    let b_admin = user(&owner, &b, "admin@bravo-s.test", "company_admin").await;
    let admin = sign_in(&server, "admin@alfa-s.test", CHROME, "203.0.113.4").await;
    let member = sign_in(&server, "membro@alfa-s.test", FIREFOX, "203.0.113.5").await;
    let member2 = sign_in(&server, "membro@alfa-s.test", CHROME, "203.0.113.6").await;
    let bravo = sign_in(&server, "admin@bravo-s.test", CHROME, "198.51.100.7").await;
    let b_session = current_id(&bravo).await;
    let owner_session = current_id(&owner).await;
    let member_session = current_id(&member).await;

    // The admin sees their company's sessions, and only those.
    let listed = all_pages(&admin, &format!("/api/v1/companies/{a}/sessions")).await;
    assert_eq!(listed.len(), 3, "{listed:?}");
    assert!(listed.iter().all(|s| s["company_id"] == a.as_str()));
    let per_user = all_pages(
        &admin,
        &format!("/api/v1/companies/{a}/sessions?user_id={a_member}"),
    )
    .await;
    assert_eq!(per_user.len(), 2);
    // Another company, its user, its session or the owner's session: not found.
    for path in [
        format!("/api/v1/companies/{b}/sessions"),
        format!("/api/v1/companies/{a}/sessions?user_id={b_admin}"),
    ] {
        let r = admin.get(&path).await;
        assert_error(&r, StatusCode::NOT_FOUND, "not_found", None);
        assert!(!r.text.contains(&b_session));
    }
    for path in [
        format!("/api/v1/companies/{a}/sessions/{b_session}"),
        format!("/api/v1/companies/{a}/sessions/{owner_session}"),
        format!("/api/v1/companies/{b}/sessions/{b_session}"),
        format!("/api/v1/companies/{a}/users/{b_admin}/sessions"),
        format!("/api/v1/companies/{b}/users/{b_admin}/sessions"),
    ] {
        let r = admin.delete(&path).await;
        assert_error(&r, StatusCode::NOT_FOUND, "not_found", None);
    }
    assert!(works(&bravo).await && works(&owner).await);
    // The platform-wide routes are the owner's.
    for r in [
        admin.get("/api/v1/sessions").await,
        admin.delete(&format!("/api/v1/sessions/{b_session}")).await,
        admin
            .delete(&format!("/api/v1/users/{b_admin}/sessions"))
            .await,
    ] {
        assert_error(&r, StatusCode::FORBIDDEN, "forbidden", None);
    }
    assert!(works(&bravo).await);

    // A member sees and ends only their own.
    let r = member.get(&format!("/api/v1/companies/{a}/sessions")).await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden", None);
    let admin_session = current_id(&admin).await;
    let r = member
        .delete(&format!("/api/v1/auth/sessions/{admin_session}"))
        .await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found", None);
    let r = member
        .delete(&format!("/api/v1/companies/{a}/sessions/{admin_session}"))
        .await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden", None);
    assert!(works(&admin).await);

    // The admin ends one of the member's sessions, then all of them.
    let r = admin
        .delete(&format!("/api/v1/companies/{a}/sessions/{member_session}"))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    assert!(!works(&member).await && works(&member2).await);
    let r = admin
        .delete(&format!("/api/v1/companies/{a}/users/{a_member}/sessions"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["ended"], 1);
    assert!(!works(&member2).await);

    // The owner sees everyone's, per user too, and ends anyone's.
    let everyone = all_pages(&owner, "/api/v1/sessions").await;
    assert_eq!(everyone.len(), 3, "{everyone:?}");
    let bs = all_pages(&owner, &format!("/api/v1/sessions?user_id={b_admin}")).await;
    assert_eq!(ids(&bs), vec![b_session.clone()]);
    let r = owner.get("/api/v1/sessions?user_id=cmp_1").await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("user_id"));
    let r = owner
        .delete(&format!("/api/v1/users/{b_admin}/sessions"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["ended"], 1);
    assert!(!works(&bravo).await);

    let all = audit_events(&owner, "action=session.all_ended").await;
    assert_eq!(all.len(), 2, "{all:?}");
    assert_eq!(all[0]["target_id"], b_admin.as_str());
    assert_eq!(all[0]["company_id"], b.as_str());
    assert_eq!(all[1]["target_id"], a_member.as_str());
    assert_eq!(all[1]["details"]["count"], 1);
}
