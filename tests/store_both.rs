//! The storage layer's one interface, on both stores: the same storage functions, run through
//! `Store` on a SQLite file and on a throwaway PostgreSQL 15, give the same answers, the same
//! refusals and the same counts.

use std::collections::BTreeMap;

use armario::crypto::cell::CELL_MAGIC;
use armario::crypto::company_keys::KeyRing;
use armario::crypto::MasterKey;
use armario::db::search_terms::SearchTerms;
use armario::db::{self, Batching, Db, Store, Synchronous};
use armario::domain::application::{Link, NewApplication};
use armario::domain::audit::{Actor, AuditCtx, AuditFilter, NewAuditEvent};
use armario::domain::company::CompanyFilter;
use armario::domain::company::{CompanyStatus, NewCompany};
use armario::domain::company_sort::CompanySort;
use armario::domain::plan::PlanInput;
use armario::domain::user::{Role, UserFilter, UserPatch, UserStatus};
use armario::error::DomainError;
use armario::ids::{ApplicationId, CompanyId, CredentialId, LinkId, PlanId, SessionId, UserId};

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
    keys: Keys,
    audit: Vec<Vec<Option<String>>>,
    renamed: (Option<(String, String)>, bool),
    companies: Companies,
    owners: Owners,
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
    let (people, signed_in_as, sealed_in_the_store, company) = people(store).await;
    let keys = sessions_and_keys(store, company.clone()).await;
    let audit = audit(store, company).await;
    let renamed = renamed(store).await;
    let companies = companies(store).await;
    let owners = owners(store).await;
    Seen {
        owners,
        companies,
        renamed,
        audit,
        keys,
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

/// A company on the basic plan with the CNPJ every company of the test shares.
fn new_company(legal_name: &str, trade_name: Option<&str>, slug: &str) -> NewCompany {
    NewCompany {
        legal_name: legal_name.into(),
        trade_name: trade_name.map(str::to_string),
        cnpj: "11222333000181".into(),
        slug: slug.into(),
        contact_email: None,
        contact_phone: None,
        plan: "Básico".into(),
        max_users: 5,
        plan_id: None,
        display_name: None,
        primary_color: None,
        logo_data_url: None,
    }
}

/// An active person (no company: the platform's owner) with an address and a name.
fn insert_person(
    c: &Db,
    id: &UserId,
    company: Option<&CompanyId>,
    (email, name): (&str, &str),
    role: Role,
    now: i64,
) -> armario::error::DomainResult<()> {
    let person = db::users::InsertUser {
        id,
        company_id: company,
        email,
        name,
        role,
        status: UserStatus::Active,
        password_hash: "not-a-hash",
    };
    db::users::insert(c, &person, now)
}

/// A company with its key and two people: their e-mails and names are sealed under the
/// company's key as they are written, read back in clear, and found by the e-mail's index.
async fn people(store: &Store) -> (Vec<(String, String)>, Option<String>, Vec<bool>, CompanyId) {
    let company = CompanyId::generate();
    let (c1, c2) = (company.clone(), company.clone());
    store
        .write(move |c| {
            let new = new_company("Selada Comércio Ltda", None, "selada");
            db::companies::insert(c, &c1, &new, CompanyStatus::Active, 5_000)?;
            for (email, name) in [
                ("ana@selada.test", "Ana Souza"),
                ("bia@selada.test", "Bia Lima"),
            ] {
                insert_person(
                    c,
                    &UserId::generate(),
                    Some(&c1),
                    (email, name),
                    Role::Member,
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
    (people, signed_in_as, sealed, company)
}

/// A company's events, their IP and details sealed under its key, listed with the names of
/// their actor, company and target, as an admin of the company reads them.
async fn audit(store: &Store, company: CompanyId) -> Vec<Vec<Option<String>>> {
    let co = company.clone();
    store
        .write(move |c| {
            let admin = db::users::find_for_login(c, "ana@selada.test")?
                .expect("ana")
                .0;
            let ctx = AuditCtx {
                actor: Actor::User(admin.id.clone()),
                ip: Some("198.51.100.4".into()),
            };
            let event = NewAuditEvent::new("user.updated")
                .company(&co)
                .target("user", &admin.id)
                .details(serde_json::json!({ "fields": ["name"] }));
            db::audit::insert(c, &ctx, &event, 9_000)?;
            let event = NewAuditEvent::new("company.updated")
                .company(&co)
                .target("company", &co);
            db::audit::insert(
                c,
                &AuditCtx {
                    actor: Actor::System,
                    ip: None,
                },
                &event,
                9_001,
            )
        })
        .await
        .unwrap();
    let filter = AuditFilter {
        company_id: Some(company.clone()),
        names_within: Some(company),
        ..Default::default()
    };
    store
        .read(move |c| db::audit::list(c, &filter, None, 10))
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|e| {
            vec![
                Some(e.action),
                Some(e.actor_kind),
                e.ip,
                Some(e.details.to_string()),
                e.actor_name,
                e.company_name,
                e.target_name,
            ]
        })
        .collect()
}

/// The companies as the owner's list shows them, a pending sign-up with the same CNPJ, and
/// the counts.
#[derive(Debug, PartialEq)]
struct Companies {
    listed: Vec<(String, String, String, i64, i64, usize)>,
    active: u64,
    all: u64,
    by_status: Vec<(String, i64)>,
}

async fn companies(store: &Store) -> Companies {
    store
        .write(|c| {
            let new = new_company("Selada Filial Ltda", Some("Selada"), "selada-filial");
            db::companies::insert(
                c,
                &CompanyId::generate(),
                &new,
                CompanyStatus::Pending,
                11_000,
            )
        })
        .await
        .unwrap();
    store
        .read(|c| {
            let terms = SearchTerms::default();
            let all = CompanyFilter::default();
            let page = db::company_list::list(c, &terms, &all, CompanySort::default(), None, 10)?;
            let listed = page
                .items
                .into_iter()
                .map(|co| {
                    (
                        co.legal_name,
                        co.status.as_str().to_string(),
                        co.plan,
                        co.max_users,
                        co.user_count,
                        co.conflicts.len(),
                    )
                })
                .collect();
            let active = CompanyFilter {
                status: Some(CompanyStatus::Active),
                ..Default::default()
            };
            Ok(Companies {
                listed,
                active: db::company_list::count(c, &terms, &active)?,
                all: db::company_list::count(c, &terms, &all)?,
                by_status: db::companies::count_by_status(c)?,
            })
        })
        .await
        .unwrap()
}

/// The platform's owner with the alert topics they switched off, and companies found by slug.
#[derive(Debug, PartialEq)]
struct Owners {
    owners: Vec<(String, Vec<String>)>,
    by_slug: Vec<String>,
}

async fn owners(store: &Store) -> Owners {
    store
        .write(|c| {
            let owner = UserId::generate();
            insert_person(
                c,
                &owner,
                None,
                ("dona@plataforma.test", "Dona"),
                Role::Owner,
                12_000,
            )?;
            db::alerts::set_optouts(c, &owner, &["mail", "backups"])
        })
        .await
        .unwrap();
    store
        .read(|c| {
            let owners = db::alerts::owners(c)?
                .into_iter()
                .map(|(_, email, mut off)| {
                    off.sort();
                    (email, off)
                })
                .collect();
            let by_slug = db::links::companies_with_slugs(c, &["selada", "nenhuma"])?
                .into_iter()
                .map(|(_, slug)| slug)
                .collect();
            Ok(Owners { owners, by_slug })
        })
        .await
        .unwrap()
}

/// A person renamed and moved to a new address: found by the new one, not by the old.
async fn renamed(store: &Store) -> (Option<(String, String)>, bool) {
    store
        .write(|c| {
            let bia = db::users::find_for_login(c, "bia@selada.test")?
                .expect("bia")
                .0;
            let patch = UserPatch {
                name: Some("Beatriz Lima".into()),
                email: Some("beatriz@selada.test".into()),
                role: None,
            };
            db::users::update(c, &bia.id, &patch, 10_000)
        })
        .await
        .unwrap();
    store
        .read(|c| {
            let now = db::users::find_for_login(c, "beatriz@selada.test")?
                .map(|(u, _)| (u.name, u.email));
            let before = db::users::find_for_login(c, "bia@selada.test")?.is_some();
            Ok((now, before))
        })
        .await
        .unwrap()
}

/// What a session and an application's key looked like along their lives.
#[derive(Debug, PartialEq)]
struct Keys {
    session_found: bool,
    sessions_ended: usize,
    session_after: bool,
    live_keys: Vec<(bool, bool)>,
    linked: Vec<(String, Vec<String>)>,
    live_after_revoking: usize,
}

/// A person's session found by its token's digest and ended; an application with a key and a
/// link to the company, as the key directory reads them, and the key revoked.
async fn sessions_and_keys(store: &Store, company: CompanyId) -> Keys {
    let (_, token) = armario::crypto::token::generate("ses_");
    let (_, key_hash) = armario::crypto::token::generate("ak_");
    let user = UserId::generate();
    let app = ApplicationId::generate();
    let credential = CredentialId::generate();
    let (u, a, k, co) = (
        user.clone(),
        app.clone(),
        credential.clone(),
        company.clone(),
    );
    store
        .write(move |c| {
            insert_person(
                c,
                &u,
                Some(&co),
                ("caio@selada.test", "Caio Reis"),
                Role::CompanyAdmin,
                6_000,
            )?;
            db::sessions::insert(
                c,
                &db::sessions::NewSession {
                    id: &SessionId::generate(),
                    hash: &token,
                    user_id: &u,
                    expires_at: i64::MAX / 2,
                    ip: Some("203.0.113.7"),
                    user_agent: None,
                },
                6_000,
            )?;
            let new = NewApplication {
                name: "ERP".into(),
                description: None,
                contact_email: None,
            };
            db::applications::insert(c, &a, &new, 6_000)?;
            db::applications::insert_credential(
                c,
                &db::applications::InsertCredential {
                    id: &k,
                    application_id: &a,
                    label: "production",
                    key_hash: &key_hash,
                    key_prefix: "ak_x",
                    expires_at: None,
                },
                6_000,
            )?;
            db::links::insert(
                c,
                &Link {
                    id: LinkId::generate(),
                    application_id: a.clone(),
                    company_id: co.clone(),
                    application_name: String::new(),
                    company_name: String::new(),
                    scopes: vec!["company:read".into(), "users:read".into()],
                    created_at: 6_000,
                    updated_at: 6_000,
                    provisioning: None,
                    external_id: None,
                },
            )
        })
        .await
        .unwrap();
    let session_found = store
        .read(move |c| db::users::by_session(c, &token, 7_000))
        .await
        .unwrap()
        .is_some_and(|(s, u, _)| s.user_id == user && u.id == user);
    let u = user.clone();
    let sessions_ended = store
        .write(move |c| db::sessions::delete_for_user(c, &u))
        .await
        .unwrap();
    let session_after = store
        .read(move |c| db::users::by_session(c, &token, 7_000))
        .await
        .unwrap()
        .is_some();
    let live_keys = store
        .read(db::applications::live_keys)
        .await
        .unwrap()
        .into_iter()
        .map(|k| (k.key_hash == key_hash, k.app_active))
        .collect();
    let linked = store
        .read(db::links::all)
        .await
        .unwrap()
        .into_iter()
        .map(|l| (l.company_name, l.scopes))
        .collect();
    store
        .write(move |c| db::applications::revoke_credential(c, &credential, 8_000))
        .await
        .unwrap();
    let live_after_revoking = store.read(db::applications::live_keys).await.unwrap().len();
    Keys {
        session_found,
        sessions_ended,
        session_after,
        live_keys,
        linked,
        live_after_revoking,
    }
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
    assert_eq!(
        on_sqlite.keys,
        Keys {
            session_found: true,
            sessions_ended: 1,
            session_after: false,
            live_keys: vec![(true, true)],
            linked: vec![(
                "Selada Comércio Ltda".to_string(),
                vec!["company:read".to_string(), "users:read".to_string()]
            )],
            live_after_revoking: 0,
        }
    );
    let some = |s: &str| Some(s.to_string());
    assert_eq!(
        on_sqlite.audit,
        vec![
            vec![
                some("company.updated"),
                some("system"),
                None,
                some("{}"),
                None,
                some("Selada Comércio Ltda"),
                some("Selada Comércio Ltda")
            ],
            vec![
                some("user.updated"),
                some("user"),
                some("198.51.100.4"),
                some(r#"{"fields":["name"]}"#),
                some("Ana Souza"),
                some("Selada Comércio Ltda"),
                some("Ana Souza")
            ],
        ]
    );
    assert_eq!(
        on_sqlite.renamed,
        (
            Some((
                "Beatriz Lima".to_string(),
                "beatriz@selada.test".to_string()
            )),
            false
        )
    );
    assert_eq!(
        on_sqlite.companies,
        Companies {
            listed: vec![
                (
                    "Selada Filial Ltda".into(),
                    "pending".into(),
                    "Básico".into(),
                    5,
                    0,
                    1
                ),
                (
                    "Selada Comércio Ltda".into(),
                    "active".into(),
                    "Básico".into(),
                    5,
                    3,
                    0
                ),
            ],
            active: 1,
            all: 2,
            by_status: vec![("active".into(), 1), ("pending".into(), 1)],
        }
    );
    assert_eq!(
        on_sqlite.owners,
        Owners {
            owners: vec![(
                "dona@plataforma.test".into(),
                vec!["backups".into(), "mail".into()]
            )],
            by_slug: vec!["selada".into()],
        }
    );
    assert_eq!(on_postgres, on_sqlite);
    drop(postgres);
    drop(pg);
}

/// A read opened for one company (`Store::read_in`, from a capability confined to it) sees
/// only that company's rows on PostgreSQL, whatever its query forgets to filter; a storage
/// function with its own filter answers as it does in the platform's read, and another
/// company's row asked for by its id is not there.
#[tokio::test]
async fn a_read_opened_for_a_company_sees_only_its_rows_on_postgresql() {
    let Some(pg) = Postgres::start() else { return };
    let url = pg.database("walled");
    let store =
        tokio::task::spawn_blocking(move || Store::open_postgres(&url, None, 4, Some(ring())))
            .await
            .unwrap()
            .unwrap();
    let (a, b) = (CompanyId::generate(), CompanyId::generate());
    let (a1, b1) = (a.clone(), b.clone());
    store
        .write(move |c| {
            for (id, name, slug, cnpj, people) in [
                (&a1, "Alfa Ltda", "alfa", "11222333000181", 2),
                (&b1, "Beta Ltda", "beta", "11444777000161", 3),
            ] {
                let mut new = new_company(name, None, slug);
                new.cnpj = cnpj.into();
                db::companies::insert(c, id, &new, CompanyStatus::Active, 5_000)?;
                for n in 0..people {
                    insert_person(
                        c,
                        &UserId::generate(),
                        Some(id),
                        (&format!("p{n}@{slug}.test"), &format!("Pessoa {n}")),
                        Role::Member,
                        5_000,
                    )?;
                }
            }
            Ok(())
        })
        .await
        .unwrap();
    let unfiltered = |c: &Db| -> armario::error::DomainResult<(i64, i64)> {
        let users = c.query_row("SELECT count(*) FROM users", [], |r| r.get(0))?;
        let companies = c.query_row("SELECT count(*) FROM companies", [], |r| r.get(0))?;
        Ok((users, companies))
    };
    assert_eq!(
        store.read(unfiltered).await.unwrap(),
        (5, 2),
        "the platform's read"
    );
    assert_eq!(
        store.read_for_company(a.clone(), unfiltered).await.unwrap(),
        (2, 1),
        "a read opened for Alfa counts only Alfa's rows"
    );
    assert_eq!(
        store.read_for_company(b.clone(), unfiltered).await.unwrap(),
        (3, 1)
    );
    let (a2, b2) = (a.clone(), b.clone());
    let (listed, other) = store
        .read_for_company(a.clone(), move |c| {
            let filter = UserFilter {
                company: Some(a2),
                ..Default::default()
            };
            let mut emails: Vec<String> = db::users::list(c, &filter, None, 10)?
                .items
                .into_iter()
                .map(|u| u.email)
                .collect();
            emails.sort();
            Ok((emails, db::companies::get(c, &b2)?.is_some()))
        })
        .await
        .unwrap();
    assert_eq!(listed, vec!["p0@alfa.test", "p1@alfa.test"]);
    assert!(!other, "Beta read by its id through Alfa's read");

    // A write opened for Alfa: an unfiltered update reaches Alfa's row alone, and a row for
    // Beta is refused, with nothing of the write kept.
    let renamed = store
        .write_for_company(a.clone(), |c| {
            Ok(c.execute("UPDATE companies SET display_name = 'Renomeada'", [])?)
        })
        .await
        .unwrap();
    assert_eq!(renamed, 1, "an unfiltered update through Alfa's write");
    let b3 = b.clone();
    let refused = store
        .write_for_company(a.clone(), move |c| {
            c.execute("UPDATE companies SET trade_name = 'Tentativa'", [])?;
            insert_person(
                c,
                &UserId::generate(),
                Some(&b3),
                ("intrusa@beta.test", "Intrusa"),
                Role::Member,
                6_000,
            )
        })
        .await;
    assert!(
        refused.is_err(),
        "a person written into Beta through Alfa's write"
    );
    let after = |c: &Db| -> armario::error::DomainResult<(i64, i64, i64)> {
        let renamed = c.query_row(
            "SELECT count(*) FROM companies WHERE display_name = 'Renomeada'",
            [],
            |r| r.get(0),
        )?;
        let tried = c.query_row(
            "SELECT count(*) FROM companies WHERE trade_name = 'Tentativa'",
            [],
            |r| r.get(0),
        )?;
        let users = c.query_row("SELECT count(*) FROM users", [], |r| r.get(0))?;
        Ok((renamed, tried, users))
    };
    assert_eq!(store.read(after).await.unwrap(), (1, 0, 5));
}

/// Writes that arrive together on PostgreSQL share one transaction (one commit), each in a
/// savepoint of its own: a write that fails leaves nothing and gets its own error, the others
/// commit and get theirs.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn writes_that_arrive_together_commit_together_and_fail_alone_on_postgresql() {
    let Some(pg) = Postgres::start() else { return };
    let url = pg.database("grouped");
    let store =
        tokio::task::spawn_blocking(move || Store::open_postgres(&url, None, 8, Some(ring())))
            .await
            .unwrap()
            .unwrap();
    const WRITES: usize = 40;
    let mut tasks = Vec::new();
    for n in 0..WRITES {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let id = CompanyId::generate();
            let own = id.clone();
            let write = move |c: &Db| -> armario::error::DomainResult<i64> {
                let mut new = new_company(&format!("Empresa {n}"), None, &format!("empresa-{n}"));
                new.cnpj = format!("{:014}", n);
                db::companies::insert(c, &id, &new, CompanyStatus::Active, 5_000)?;
                if n == 0 {
                    // The first batch holds on, so the others queue up behind it.
                    std::thread::sleep(std::time::Duration::from_millis(300));
                }
                if n % 7 == 3 {
                    return Err(DomainError::invalid(
                        "legal_name",
                        format!("write {n} refused"),
                    ));
                }
                Ok(c.query_row("SELECT txid_current()", [], |r| r.get(0))?)
            };
            // Every other write is opened for the company it creates.
            let out = if n % 2 == 0 {
                store.write(write).await
            } else {
                store.write_for_company(own, write).await
            };
            (n, out)
        }));
        if n == 0 {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
    let mut transactions = std::collections::BTreeSet::new();
    for task in tasks {
        let (n, out) = task.await.unwrap();
        match (n % 7 == 3, out) {
            (true, Err(DomainError::Invalid { field, message })) => {
                assert_eq!(
                    (field.as_str(), message),
                    ("legal_name", format!("write {n} refused"))
                );
            }
            (false, Ok(txid)) => {
                transactions.insert(txid);
            }
            (_, other) => panic!("write {n}: {other:?}"),
        }
    }
    let mut names: Vec<String> = store
        .read(|c| {
            Ok(c.prepare("SELECT legal_name FROM companies")?
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?)
        })
        .await
        .unwrap();
    names.sort();
    let expected: Vec<String> = {
        let mut v: Vec<String> = (0..WRITES)
            .filter(|n| n % 7 != 3)
            .map(|n| format!("Empresa {n}"))
            .collect();
        v.sort();
        v
    };
    assert_eq!(names, expected, "the refused writes left nothing");
    assert!(
        transactions.len() <= 3,
        "{} writes committed in {} transactions",
        expected.len(),
        transactions.len()
    );
}

#[tokio::test]
async fn statements_planned_once_leave_the_connection_planning_as_before_on_postgresql() {
    let Some(pg) = Postgres::start() else { return };
    let url = pg.database("generic_plans");
    tokio::task::spawn_blocking(move || {
        let client = armario::db::pg::connect(&url, None).unwrap();
        let session = armario::db::sql::pg::Session::new(client, None);
        let db = Db::postgres(&session);
        let mode = |db: &Db<'_>| -> rusqlite::Result<String> {
            db.query_row("SELECT current_setting('plan_cache_mode')", [], |r| {
                r.get(0)
            })
        };
        // Outside a transaction: the connection's setting, put back after, even after a
        // statement that failed.
        assert_eq!(db.generic_plans(mode).unwrap(), "force_generic_plan");
        assert_eq!(mode(&db).unwrap(), "auto");
        let failed = db.generic_plans(|db| db.execute_batch("SELECT no_such_column FROM users"));
        assert!(failed.is_err());
        assert_eq!(mode(&db).unwrap(), "auto", "a failed read left its setting");
        // Inside a transaction: the transaction's, and the statements after it plan as before.
        session.begin("").unwrap();
        assert_eq!(db.generic_plans(mode).unwrap(), "force_generic_plan");
        assert_eq!(mode(&db).unwrap(), "auto");
        session.rollback().unwrap();
        assert_eq!(mode(&db).unwrap(), "auto");
    })
    .await
    .unwrap();
    drop(pg);
}
