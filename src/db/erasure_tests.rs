use rusqlite::Connection;

use super::*;
use crate::domain::erasure::DEFAULT_KEEP;

const ACME: &str = "cmp_acme";
const OTHER: &str = "cmp_other";

fn store() -> Connection {
    let mut c = Connection::open_in_memory().unwrap();
    c.pragma_update(None, "foreign_keys", "ON").unwrap();
    crate::db::migrate::apply(&mut c).unwrap();
    c
}

fn company(c: &Connection, id: &str, cnpj: &str, slug: &str, name: &str) {
    c.execute(
        "INSERT INTO companies (id, legal_name, trade_name, cnpj, slug, contact_email,
             contact_phone, status, created_at, updated_at, approved_at, plan_id)
         VALUES (?1, ?4, ?4, ?2, ?3, 'contato@' || ?3 || '.example', '+55 11 5555-0000',
             'active', 1000, 1000, 1000, (SELECT id FROM plans LIMIT 1))",
        [id, cnpj, slug, name],
    )
    .unwrap();
}

fn user(c: &Connection, id: &str, company: &str, email: &str, name: &str) {
    c.execute(
        "INSERT INTO users (id, company_id, email, name, role, status, password_hash,
             created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, 'member', 'active', 'x', 1000, 1000)",
        [id, company, email, name],
    )
    .unwrap();
    c.execute(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, ip, user_agent, id)
         VALUES (randomblob(32), ?1, 1, 99999999999999, ?2, 'Canary/' || ?1, 'ses_' || ?1)",
        [id, &format!("203.0.113.{}", email.len())],
    )
    .unwrap();
    event(
        c,
        Some(id),
        company,
        "auth.login",
        &format!(r#"{{"email":"{email}"}}"#),
    );
}

fn event(c: &Connection, actor: Option<&str>, company: &str, action: &str, details: &str) {
    c.execute(
        "INSERT INTO audit_events (at, actor_kind, actor_id, company_id, action, ip, details)
         VALUES (1, 'user', ?1, ?2, ?3, '198.51.100.7', ?4)",
        rusqlite::params![actor, company, action, details],
    )
    .unwrap();
    crate::db::audit_chain::link_event(&crate::db::Db::sqlite(c), c.last_insert_rowid()).unwrap();
}

/// Two companies with a person each, plus a second person in Acme.
fn seeded() -> Connection {
    let c = store();
    company(&c, ACME, "11222333000181", "acme", "Acme Canário Ltda");
    company(&c, OTHER, "11444777000161", "vizinha", "Vizinha Ltda");
    user(
        &c,
        "usr_ana",
        ACME,
        "ana.canario@example.com",
        "Ana Canário",
    );
    user(&c, "usr_bia", ACME, "bia@example.com", "Bia Souza");
    user(&c, "usr_caio", OTHER, "caio@example.com", "Caio Vizinho");
    c.execute(
        "INSERT INTO company_secrets (company_id, kind, sealed, key_id, hint, updated_at)
         VALUES (?1, 'omie', x'00', 'k1', '…abcd', 1)",
        [ACME],
    )
    .unwrap();
    c
}

fn dump(c: &Connection) -> String {
    let mut out = String::new();
    let tables: Vec<String> = c
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for t in tables {
        let mut stmt = c.prepare(&format!("SELECT * FROM \"{t}\"")).unwrap();
        let n = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(r) = rows.next().unwrap() {
            for i in 0..n {
                if let Ok(rusqlite::types::ValueRef::Text(s)) = r.get_ref(i) {
                    out.push_str(&String::from_utf8_lossy(s));
                    out.push('\n');
                }
            }
        }
    }
    out
}

fn person(user: &str, company: &str) -> Erasure {
    Erasure::new(ErasureKind::Person, company, Some(user), vec![], 5000)
}

fn acme() -> Erasure {
    let keep = DEFAULT_KEEP.iter().map(|s| s.to_string()).collect();
    Erasure::new(ErasureKind::Company, ACME, None, keep, 5000)
}

fn verified(c: &Connection) {
    let report = crate::db::audit_chain::verify(&crate::db::Db::sqlite(c)).unwrap();
    assert!(report.broken.is_none(), "{:?}", report.broken);
}

#[test]
fn erasing_a_person_leaves_nothing_of_them_and_reapplies_as_a_no_op() {
    let c = seeded();
    let e = person("usr_ana", ACME);
    erase_person(&crate::db::Db::sqlite(&c), &e).unwrap();
    record(&crate::db::Db::sqlite(&c), &e).unwrap();
    let after = dump(&c);
    for canary in [
        "ana.canario@example.com",
        "Ana Canário",
        "203.0.113.23",
        "Canary/usr_ana",
    ] {
        assert!(!after.contains(canary), "{canary} survived");
    }
    assert!(after.contains("bia@example.com") && after.contains("caio@example.com"));
    assert!(after.contains(&format!("{}@apagado.invalid", e.pseudonym)));
    verified(&c);
    assert_eq!(
        reapply(
            &crate::db::Db::sqlite(&c),
            &ledger(&crate::db::Db::sqlite(&c)).unwrap()
        )
        .unwrap(),
        0
    );
    assert_eq!(
        reapply(
            &crate::db::Db::sqlite(&c),
            &ledger(&crate::db::Db::sqlite(&c)).unwrap()
        )
        .unwrap(),
        0
    );
    assert_eq!(dump(&c), after, "re-applying changed something");
    verified(&c);
}

#[test]
fn reapply_reaches_an_older_copy_and_skips_what_it_never_had() {
    let live = seeded();
    user(&live, "usr_late", ACME, "late@example.com", "Late Comer");
    let entries = [person("usr_late", ACME), acme()];
    for e in &entries {
        match e.kind {
            ErasureKind::Person => erase_person(&crate::db::Db::sqlite(&live), e).unwrap(),
            ErasureKind::Company => erase_company(&crate::db::Db::sqlite(&live), e).unwrap(),
        }
        record(&crate::db::Db::sqlite(&live), e).unwrap();
    }
    // The backup was taken before usr_late existed and before either erasure.
    let old = seeded();
    assert_eq!(
        reapply(
            &crate::db::Db::sqlite(&old),
            &ledger(&crate::db::Db::sqlite(&live)).unwrap()
        )
        .unwrap(),
        2
    );
    assert_eq!(
        reapply(
            &crate::db::Db::sqlite(&old),
            &ledger(&crate::db::Db::sqlite(&live)).unwrap()
        )
        .unwrap(),
        0
    );
    assert_eq!(
        ledger(&crate::db::Db::sqlite(&old)).unwrap(),
        ledger(&crate::db::Db::sqlite(&live)).unwrap()
    );
    let text = dump(&old);
    for canary in [
        "Ana Canário",
        "bia@example.com",
        "Acme Canário",
        "…abcd",
        "acme.example",
    ] {
        assert!(!text.contains(canary), "{canary} came back");
    }
    for kept in ["11222333000181", "Vizinha Ltda", "caio@example.com"] {
        assert!(text.contains(kept), "{kept} was lost");
    }
    let (status, created): (String, i64) = old
        .query_row(
            "SELECT status, created_at FROM companies WHERE id = ?1",
            [ACME],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((status.as_str(), created), ("cancelled", 1000));
    let live_users: Vec<(String, String)> = live
        .prepare(
            "SELECT id, email FROM users WHERE company_id = ?1 AND id <> 'usr_late' ORDER BY id",
        )
        .unwrap()
        .query_map([ACME], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let old_users: Vec<(String, String)> = old
        .prepare("SELECT id, email FROM users WHERE company_id = ?1 ORDER BY id")
        .unwrap()
        .query_map([ACME], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(old_users, live_users, "the same pseudonyms on every copy");
    verified(&old);
    verified(&live);
}
