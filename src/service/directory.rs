//! The application directory: every live key digest and every link, held in memory so an
//! application request is authenticated and authorised without touching the database, and an
//! invalid key costs one SHA-256 and one hash-map miss.
//!
//! Every write to applications, credentials or links goes through [`KeyWriter`], which
//! rebuilds the directory on the writer thread right after the commit: rebuilds apply in commit
//! order, and no caller can forget one.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use crate::clock::now_ms;
use crate::crypto::token::{self, TokenHash};
use crate::db;
use crate::db::Db;
use crate::db::Store;
use crate::domain::principal::{AppLinks, LinkEntry};
use crate::domain::AppPrincipal;
use crate::error::{DomainError, DomainResult};
use crate::ids::{ApplicationId, CompanyId, CredentialId};

struct KeyEntry {
    credential_id: CredentialId,
    application_id: ApplicationId,
    expires_at: Option<i64>,
    app_active: bool,
}

#[derive(Default)]
struct Snapshot {
    keys: HashMap<TokenHash, KeyEntry>,
    links: HashMap<ApplicationId, AppLinks>,
    /// Applications whose status is active.
    active: std::collections::HashSet<ApplicationId>,
}

#[derive(Default)]
pub struct AppDirectory {
    snapshot: RwLock<Arc<Snapshot>>,
}

fn load(conn: &Db) -> DomainResult<Snapshot> {
    let mut snap = Snapshot::default();
    for k in db::applications::live_keys(conn)? {
        let Ok(hash) = <TokenHash>::try_from(k.key_hash.as_slice()) else {
            continue;
        };
        snap.keys.insert(
            hash,
            KeyEntry {
                credential_id: k.credential_id,
                application_id: k.application_id,
                expires_at: k.expires_at,
                app_active: k.app_active,
            },
        );
    }
    let mut links: HashMap<ApplicationId, HashMap<CompanyId, LinkEntry>> = HashMap::new();
    for l in db::links::all(conn)? {
        links.entry(l.application_id).or_default().insert(
            l.company_id,
            LinkEntry {
                link_id: l.id,
                scopes: l.scopes,
            },
        );
    }
    snap.links = links.into_iter().map(|(a, m)| (a, Arc::new(m))).collect();
    snap.active = db::applications::active_ids(conn)?.into_iter().collect();
    Ok(snap)
}

impl AppDirectory {
    /// Rebuilds the directory from the store (at start; later writes rebuild it themselves).
    pub(crate) async fn reload(self: &Arc<Self>, store: &Store) -> DomainResult<()> {
        let this = self.clone();
        store.write(move |tx| this.rebuild(tx)).await
    }

    pub(crate) fn rebuild(&self, conn: &Db) -> DomainResult<()> {
        let snap = load(conn)?;
        *self.snapshot.write().expect("directory lock") = Arc::new(snap);
        Ok(())
    }

    fn current(&self) -> Arc<Snapshot> {
        self.snapshot.read().expect("directory lock").clone()
    }

    /// Authenticates an application key: 401 when unknown, revoked or expired; 403 when the
    /// application is disabled. The principal carries the application's links.
    /// The principal of an application that proved itself another way (a signed access token
    /// from the client-credentials grant): 403 when the application is disabled or gone.
    pub fn principal(
        &self,
        app: &ApplicationId,
        credential: CredentialId,
        ip: Option<String>,
    ) -> DomainResult<AppPrincipal> {
        let snap = self.current();
        if !snap.active.contains(app) {
            return Err(DomainError::Forbidden("the application is disabled".into()));
        }
        let links = snap.links.get(app).cloned().unwrap_or_default();
        Ok(AppPrincipal::new(app.clone(), credential, ip, links))
    }

    /// Whether the application exists and is active.
    pub fn active(&self, app: &ApplicationId) -> bool {
        self.current().active.contains(app)
    }

    pub fn authenticate(&self, key: &str, ip: Option<String>) -> DomainResult<AppPrincipal> {
        let unknown =
            || DomainError::Unauthorized("the API key is invalid, revoked or expired".into());
        if !token::well_formed(key, token::API_KEY_PREFIX) {
            return Err(unknown());
        }
        let hash = token::digest(key);
        let snap = self.current();
        let (stored, entry) = snap.keys.get_key_value(&hash).ok_or_else(unknown)?;
        if !token::constant_time_eq(stored, &hash) {
            return Err(unknown());
        }
        if entry.expires_at.is_some_and(|exp| exp <= now_ms()) {
            return Err(unknown());
        }
        if !entry.app_active {
            return Err(DomainError::Forbidden("the application is disabled".into()));
        }
        let links = snap
            .links
            .get(&entry.application_id)
            .cloned()
            .unwrap_or_default();
        Ok(AppPrincipal::new(
            entry.application_id.clone(),
            entry.credential_id.clone(),
            ip,
            links,
        ))
    }
}

/// The only handle that writes applications, credentials or links. Each write and the
/// directory rebuild it causes happen in the same writer job: the rebuild follows the commit,
/// so a revoked key stops working as soon as the revocation is acknowledged.
#[derive(Clone)]
pub struct KeyWriter {
    store: Store,
    directory: Arc<AppDirectory>,
}

impl KeyWriter {
    pub fn new(store: Store, directory: Arc<AppDirectory>) -> Self {
        Self { store, directory }
    }

    /// The store it writes to, for reads beside its writes.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Runs `f` in one write transaction, then rebuilds the directory from the committed data.
    pub async fn write<T, F>(&self, f: F) -> DomainResult<T>
    where
        T: Send + 'static,
        F: FnMut(&Db<'_>) -> DomainResult<T> + Send + 'static,
    {
        let directory = self.directory.clone();
        self.store
            .write_directory_then(f, move |conn| directory.rebuild(conn))
            .await
    }

    /// [`KeyWriter::write`] in a transaction opened for `company` when there is one (a
    /// company's admin or a linked application changing that company's link).
    pub async fn write_within<T, F>(&self, company: Option<CompanyId>, f: F) -> DomainResult<T>
    where
        T: Send + 'static,
        F: FnMut(&Db<'_>) -> DomainResult<T> + Send + 'static,
    {
        let directory = self.directory.clone();
        self.store
            .write_directory_within(company, f, move |conn| directory.rebuild(conn))
            .await
    }

    /// Reads, as `Store::read`.
    pub async fn read<T, F>(&self, f: F) -> DomainResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Db) -> DomainResult<T> + Send + 'static,
    {
        self.store.read(f).await
    }
}
