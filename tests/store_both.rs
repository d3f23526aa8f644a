//! The storage layer's one interface, on both stores: the same storage functions, run through
//! `Store` on a SQLite file and on a throwaway PostgreSQL 15, give the same answers, the same
//! refusals and the same counts.

use std::collections::BTreeMap;

use armario::crypto::cell::CELL_MAGIC;
use armario::crypto::company_keys::KeyRing;
use armario::crypto::MasterKey;
use armario::db::{self, Batching, Store, Synchronous};
use armario::domain::company::{CompanyStatus, NewCompany};
use armario::domain::plan::PlanInput;
use armario::domain::user::{Role, UserFilter, UserStatus};
use armario::error::DomainError;
use armario::ids::{CompanyId, PlanId, UserId};

use crate::common::postgres::Postgres;

fn ring() -> std::sync::Arc<KeyRing> {
    std::sync::Arc::new(KeyRing::new(&MasterKey::generate(), &[]))
}

fn plan(name: &str, max_users: i64) -> PlanInput {
    PlanInput {
        name: name.into(),
        description: format!("{name}, for the test"),
        limits: BTreeMap::from([("max_users".to_string(), max_users)]),
    }
}

/// What a run of the same calls gave on one store.
#[derive(Debug, PartialEq)]
struct Seen {
    version: u32,
    plans: Vec<(String, i64, i64)>,
    same_id: String,
    same_name: String,
    usage_total: i64,
    usage_rows: Vec<(String, String, i64)>,
    snapshot: (i64, i64),
    people: Vec<(String, String)>,
    signed_in_as: Option<String>,
    sealed_in_the_store: Vec<bool>,
}

fn conflict_field(e: DomainError) -> String {
    match e {
        DomainError::Conflict { field, .. } => field,
        other => format!("not a conflict: {other:?}"),
    }
}

async fn exercise(store: &Store) -> Seen {
    let version = store.read(db::schema_version).await.unwrap();
    let basic = PlanId::generate();
    let pro = PlanId::generate();
    let (b, p) = (basic.clone(), pro.clone());
    store
        .write(move |c| {
            db::plans::insert(c, &b, &plan("Básico", 5), 1_000)?;
            db::plans::insert(c, &p, &plan("Profissional", 50), 2_000)
        })
        .await
        .unwrap();
    // A key taken twice is the constraint's refusal, named by its column; a name taken twice
    // is the storage function's own check. Neither leaves anything behind.
    let b = basic.clone();
    let same_id = store
        .write(move |c| db::plans::insert(c, &b, &plan("Outro", 1), 3_000))
        .await
        .map_err(conflict_field)
        .unwrap_err();
    let same_name = store
        .write(move |c| db::plans::insert(c, &PlanId::generate(), &plan("básico", 1), 3_000))
        .await
        .map_err(conflict_field)
        .unwrap_err();
    let p = pro.clone();
    store
        .write(move |c| db::plans::update(c, &p, &plan("Profissional", 60), 4_000))
        .await
        .unwrap();
    let plans = store
        .read(db::plans::list)
        .await
        .unwrap()
        .into_iter()
        .map(|p| {
            (
                p.plan.name.clone(),
                p.plan.limits["max_users"],
                p.plan.updated_at,
            )
        })
        .collect();

    // Usage counters are added to, never overwritten, whoever adds.
    let key = |day: &str, route: &'static str| db::usage::UsageKey {
        day: day.into(),
        application_id: "app_x".into(),
        company_id: String::new(),
        route_group: route,
    };
    for (day, route, n) in [
        ("2026-11-30", "companies", 3),
        ("2026-12-01", "companies", 4),
        ("2026-12-01", "companies", 5),
        ("2026-12-01", "users", 7),
    ] {
        let k = key(day, route);
        store
            .write(move |c| db::usage::add(c, &k, n))
            .await
            .unwrap();
    }
    let filter = || db::usage::UsageFilter {
        from_day: Some("2026-12-01".into()),
        ..Default::default()
    };
    let usage_total = store
        .read(move |c| db::usage::total(c, &filter()))
        .await
        .unwrap();
    let usage_rows = store
        .read(move |c| db::usage::query(c, &Default::default(), 10))
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.day, r.route_group, r.requests))
        .collect();

    // Two statements in one snapshot read the same store.
    let snapshot = store
        .read(|c| {
            db::in_snapshot(c, |c| {
                let plans: i64 = c.query_row("SELECT count(*) FROM plans", [], |r| r.get(0))?;
                let usage: i64 =
                    c.query_row("SELECT sum(requests) FROM usage_daily", [], |r| r.get(0))?;
                Ok((plans, usage))
            })
        })
        .await
        .unwrap();
    let (people, signed_in_as, sealed_in_the_store) = people(store).await;
    Seen {
        people,
        signed_in_as,
        sealed_in_the_store,
        version,
        plans,
        same_id,
        same_name,
        usage_total,
        usage_rows,
        snapshot,
    }
}

/// A company with its key and two people: their e-mails and names are sealed under the
/// company's key as they are written, read back in clear, and found by the e-mail's index.
async fn people(store: &Store) -> (Vec<(String, String)>, Option<String>, Vec<bool>) {
    let company = CompanyId::generate();
    let (c1, c2) = (company.clone(), company.clone());
    store
        .write(move |c| {
            let new = NewCompany {
                legal_name: "Selada Comércio Ltda".into(),
                trade_name: None,
                cnpj: "11222333000181".into(),
                slug: "selada".into(),
                contact_email: None,
                contact_phone: None,
                plan: "Básico".into(),
                max_users: 5,
                plan_id: None,
                display_name: None,
                primary_color: None,
                logo_data_url: None,
            };
            db::companies::insert(c, &c1, &new, CompanyStatus::Active, 5_000)?;
            for (email, name) in [
                ("ana@selada.test", "Ana Souza"),
                ("bia@selada.test", "Bia Lima"),
            ] {
                db::users::insert(
                    c,
                    &db::users::InsertUser {
                        id: &UserId::generate(),
                        company_id: Some(&c1),
                        email,
                        name,
                        role: Role::Member,
                        status: UserStatus::Active,
                        password_hash: "not-a-hash",
                    },
                    5_000,
                )?;
            }
            Ok(())
        })
        .await
        .unwrap();
    let mut people: Vec<(String, String)> = store
        .read(move |c| {
            let filter = UserFilter {
                company: Some(c2),
                ..Default::default()
            };
            db::users::list(c, &filter, None, 10)
        })
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|u| (u.email, u.name))
        .collect();
    people.sort();
    let signed_in_as = store
        .read(|c| db::users::find_for_login(c, "bia@selada.test"))
        .await
        .unwrap()
        .map(|(u, _)| u.name);
    let sealed = store
        .read(|c| {
            let mut stmt = c.prepare("SELECT email, name FROM users ORDER BY id")?;
            let cells = stmt
                .query_map([], |r| {
                    Ok([r.get::<_, Vec<u8>>(0)?, r.get::<_, Vec<u8>>(1)?])
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(cells
                .into_iter()
                .flatten()
                .map(|cell| cell.starts_with(CELL_MAGIC))
                .collect())
        })
        .await
        .unwrap();
    (people, signed_in_as, sealed)
}

#[tokio::test]
async fn the_same_storage_calls_answer_the_same_on_sqlite_and_postgresql() {
    let Some(pg) = Postgres::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let sqlite = Store::open(
        &dir.path().join("armario.db"),
        Synchronous::Normal,
        2,
        Batching::new(8),
        Some(ring()),
    )
    .unwrap();
    let on_sqlite = exercise(&sqlite).await;
    sqlite.close().await;

    let url = pg.database("stores");
    let postgres =
        tokio::task::spawn_blocking(move || Store::open_postgres(&url, None, 4, Some(ring())))
            .await
            .unwrap()
            .unwrap();
    let on_postgres = exercise(&postgres).await;

    assert_eq!(on_sqlite.version, db::migrate::latest_version());
    assert_eq!(on_sqlite.same_id, "id");
    assert_eq!(on_sqlite.same_name, "name");
    assert_eq!(on_sqlite.usage_total, 16);
    assert_eq!(on_sqlite.snapshot, (2, 19));
    assert_eq!(
        on_sqlite.people,
        vec![
            ("ana@selada.test".to_string(), "Ana Souza".to_string()),
            ("bia@selada.test".to_string(), "Bia Lima".to_string())
        ]
    );
    assert_eq!(on_sqlite.signed_in_as.as_deref(), Some("Bia Lima"));
    assert_eq!(on_sqlite.sealed_in_the_store, vec![true; 4]);
    assert_eq!(on_postgres, on_sqlite);
    drop(postgres);
    drop(pg);
}
