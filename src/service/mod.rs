//! Business operations: access checks, validation, the write and its audit event in one
//! transaction. No HTTP types here; handlers call these and map the result.

pub mod app_access;
pub mod applications;
pub mod audit;
pub mod auth;
pub mod backups;
pub(crate) mod change;
pub mod companies;
pub mod directory;
pub mod hosts;
pub mod key_check;
pub mod keys;
pub mod limits;
pub mod links;
pub mod overview;
pub mod recovery;
pub mod secrets;
pub mod setup;
pub mod signup;
pub mod throttle;
pub mod usage;
pub mod users;

use std::sync::Arc;

use crate::config::Settings;
use crate::crypto::{Passwords, Sealer};
use crate::db::Store;

/// Everything the application needs, passed to every handler. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub passwords: Passwords,
    pub sealer: Arc<Sealer>,
    pub settings: Arc<Settings>,
    pub throttle: Arc<throttle::LoginThrottle>,
    pub signups: Arc<throttle::SignupThrottle>,
    pub directory: Arc<directory::AppDirectory>,
    pub usage: Arc<usage::UsageRecorder>,
    pub backups: Arc<crate::backup::BackupEngine>,
    pub metrics: Arc<crate::metrics::Metrics>,
    /// The master key check made at start, for `/readyz`; unset outside `serve`.
    pub key_check: Arc<std::sync::OnceLock<key_check::KeyCheck>>,
}

impl AppState {
    /// The handle for writes to applications, credentials and links.
    pub fn key_writer(&self) -> directory::KeyWriter {
        directory::KeyWriter::new(self.store.clone(), self.directory.clone())
    }
}
