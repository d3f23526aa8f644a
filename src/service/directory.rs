//! The application directory: every live key digest and every link, held in memory so an
//! application request is authenticated and authorised without touching the database, and an
//! invalid key costs one SHA-256 and one hash-map miss. Rebuilt after every change to
//! applications, credentials or links, on the writer thread so rebuilds apply in commit order.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use crate::clock::now_ms;
use crate::crypto::token::{self, TokenHash};
use crate::db;
use crate::db::Store;
use crate::domain::AppPrincipal;
use crate::error::{DomainError, DomainResult};
use crate::ids::{ApplicationId, CompanyId, CredentialId, LinkId};

struct KeyEntry {
    credential_id: CredentialId,
    application_id: ApplicationId,
    expires_at: Option<i64>,
    app_active: bool,
}

#[derive(Clone, Debug)]
pub struct LinkEntry {
    pub link_id: LinkId,
    pub scopes: Vec<String>,
}

impl LinkEntry {
    pub fn has(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

#[derive(Default)]
struct Snapshot {
    keys: HashMap<TokenHash, KeyEntry>,
    links: HashMap<ApplicationId, HashMap<CompanyId, LinkEntry>>,
}

#[derive(Default)]
pub struct AppDirectory {
    snapshot: RwLock<Arc<Snapshot>>,
}

fn load(conn: &rusqlite::Connection) -> DomainResult<Snapshot> {
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
    for l in db::links::all(conn)? {
        snap.links.entry(l.application_id).or_default().insert(
            l.company_id,
            LinkEntry {
                link_id: l.id,
                scopes: l.scopes,
            },
        );
    }
    Ok(snap)
}

impl AppDirectory {
    /// Rebuilds the directory from the store.
    pub async fn reload(self: &Arc<Self>, store: &Store) -> DomainResult<()> {
        let this = self.clone();
        store
            .write(move |tx| {
                let snap = load(tx)?;
                *this.snapshot.write().expect("directory lock") = Arc::new(snap);
                Ok(())
            })
            .await
    }

    fn current(&self) -> Arc<Snapshot> {
        self.snapshot.read().expect("directory lock").clone()
    }

    /// Authenticates an application key: 401 when unknown, revoked or expired; 403 when the
    /// application is disabled.
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
        Ok(AppPrincipal {
            application_id: entry.application_id.clone(),
            credential_id: entry.credential_id.clone(),
            ip,
        })
    }

    /// The application's link to a company, if any.
    pub fn link(&self, app: &ApplicationId, company: &CompanyId) -> Option<LinkEntry> {
        self.current().links.get(app)?.get(company).cloned()
    }

    /// Every company linked to the application, with the link.
    pub fn linked(&self, app: &ApplicationId) -> Vec<(CompanyId, LinkEntry)> {
        let snap = self.current();
        let mut out: Vec<_> = snap
            .links
            .get(app)
            .map(|m| m.iter().map(|(c, l)| (c.clone(), l.clone())).collect())
            .unwrap_or_default();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }
}
