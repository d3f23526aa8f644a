//! The storage layer on its own: `src/db/` functions on a fresh SQLite file opened by the
//! store, so migrations, pragmas and constraints are the ones the server runs with.

use armario::db::{self, migrate, Batching, Store, Synchronous};
use armario::domain::application::{Link, NewApplication};
use armario::domain::company::{CompanyFilter, CompanyStatus, NewCompany};
use armario::domain::company_sort::{CompanyCursor, CompanySort, SortKey};
use armario::domain::cursor;
use armario::error::DomainError;
use armario::ids::{ApplicationId, CompanyId, LinkId};

use crate::common::cnpj;

/// Oldest first: ids are time-ordered, so this is also the order of the ids.
const OLDEST: CompanySort = CompanySort {
    key: SortKey::Created,
    descending: false,
};

fn open(dir: &tempfile::TempDir) -> Store {
    Store::open(
        &dir.path().join("armario.db"),
        Synchronous::Normal,
        2,
        Batching::new(1),
        None,
    )
    .expect("open the store")
}

fn new_company(seed: u32) -> NewCompany {
    NewCompany {
        legal_name: format!("Empresa {seed}"),
        trade_name: None,
        cnpj: cnpj(seed),
        slug: format!("empresa-{seed}"),
        contact_email: None,
        contact_phone: None,
        plan: "free".into(),
        max_users: 10,
        plan_id: None,
        display_name: None,
        primary_color: None,
        logo_data_url: None,
    }
}

async fn insert_company(store: &Store, c: NewCompany) -> Result<CompanyId, DomainError> {
    store
        .write(move |tx| {
            let id = CompanyId::generate();
            db::companies::insert(tx, &id, &c, CompanyStatus::Active, 1)?;
            Ok(id)
        })
        .await
}

async fn insert_app(store: &Store) -> ApplicationId {
    store
        .write(|tx| {
            let id = ApplicationId::generate();
            let app = NewApplication {
                name: "Integrador".into(),
                description: None,
                contact_email: None,
            };
            db::applications::insert(tx, &id, &app, 1)?;
            Ok(id)
        })
        .await
        .unwrap()
}

async fn insert_link(
    store: &Store,
    app: &ApplicationId,
    company: &CompanyId,
) -> Result<LinkId, DomainError> {
    let link = Link {
        provisioning: None,
        id: LinkId::generate(),
        application_id: app.clone(),
        company_id: company.clone(),
        application_name: String::new(),
        company_name: String::new(),
        scopes: vec!["company:read".into()],
        created_at: 1,
        updated_at: 1,
        external_id: None,
    };
    store
        .write(move |tx| {
            db::links::insert(tx, &link)?;
            Ok(link.id.clone())
        })
        .await
}

#[tokio::test]
async fn migrations_bring_a_new_file_to_the_latest_version_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    let version = store.read(armario::db::schema_version).await.unwrap();
    assert_eq!(version, migrate::latest_version());
    assert!(version > 0);
    store.close().await;

    // Opening again applies nothing and keeps the data.
    let store = open(&dir);
    insert_company(&store, new_company(1)).await.unwrap();
    store.close().await;
    let store = open(&dir);
    let version = store.read(armario::db::schema_version).await.unwrap();
    assert_eq!(version, migrate::latest_version());
    let terms = store.search_terms();
    let page = store
        .read(move |c| {
            db::company_list::list(c, &terms, &CompanyFilter::default(), OLDEST, None, 10)
        })
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    store.close().await;
}

#[tokio::test]
async fn a_taken_cnpj_or_slug_is_a_conflict_naming_the_column() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    insert_company(&store, new_company(1)).await.unwrap();
    let same_cnpj = NewCompany {
        slug: "outra".into(),
        ..new_company(1)
    };
    let same_slug = NewCompany {
        cnpj: cnpj(2),
        ..new_company(1)
    };
    for (company, field) in [(same_cnpj, "cnpj"), (same_slug, "slug")] {
        match insert_company(&store, company).await {
            Err(DomainError::Conflict { field: f, .. }) => assert_eq!(f, field),
            other => panic!("expected a conflict on {field}, got {other:?}"),
        }
    }
    store.close().await;
}

#[tokio::test]
async fn company_pages_follow_the_id_order_without_gaps_or_repeats() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    let mut ids = Vec::new();
    for seed in 1..=7 {
        ids.push(insert_company(&store, new_company(seed)).await.unwrap());
    }
    ids.sort_by_key(|id| id.to_string());
    let mut seen = Vec::new();
    let mut after: Option<CompanyCursor> = None;
    loop {
        let from = after.clone();
        let terms = store.search_terms();
        let page = store
            .read(move |c| {
                db::company_list::list(c, &terms, &CompanyFilter::default(), OLDEST, from, 3)
            })
            .await
            .unwrap();
        assert!(page.items.len() <= 3);
        seen.extend(page.items.iter().map(|c| c.id.clone()));
        match page.next_cursor {
            Some(cursor) => {
                let key = cursor::open(Some(cursor)).expect("cursor").unwrap();
                after = Some(OLDEST.open(&key).expect("cursor"));
            }
            None => break,
        }
    }
    assert_eq!(seen, ids);
    store.close().await;
}

#[tokio::test]
async fn links_need_both_ends_are_unique_and_go_with_their_application() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    let company = insert_company(&store, new_company(1)).await.unwrap();
    let app = insert_app(&store).await;

    // Foreign keys are on: a link to a company that does not exist is refused.
    let missing = insert_link(&store, &app, &CompanyId::generate()).await;
    assert!(
        matches!(missing, Err(DomainError::Internal(ref m)) if m.contains("FOREIGN KEY")),
        "{missing:?}"
    );

    insert_link(&store, &app, &company).await.unwrap();
    let twice = insert_link(&store, &app, &company).await;
    assert!(
        matches!(twice, Err(DomainError::Conflict { .. })),
        "{twice:?}"
    );

    let gone = app.clone();
    store
        .write(move |tx| db::applications::delete(tx, &gone))
        .await
        .unwrap();
    let links = store.read(db::links::all).await.unwrap();
    assert!(links.is_empty(), "{links:?}");
    store.close().await;
}
