//! Business operations: access checks, validation, the write and its audit event in one
//! transaction. No HTTP types here; handlers call these and map the result.

pub(crate) mod alerts;
pub(crate) mod app_access;
pub(crate) mod app_role_grants;
pub mod app_roles;
pub(crate) mod applications;
pub(crate) mod audit;
pub(crate) mod audit_chain;
pub(crate) mod auth;
pub(crate) mod backups;
pub(crate) mod brand;
pub(crate) mod change;
pub(crate) mod companies;
pub(crate) mod configs;
pub(crate) mod directory;
pub(crate) mod dpo;
pub(crate) mod email_address;
pub(crate) mod erasure;
pub mod erasure_backups;
pub(crate) mod export;
pub(crate) mod hosts;
pub(crate) mod invitations;
pub(crate) mod key_check;
pub(crate) mod keys;
pub(crate) mod limits;
pub(crate) mod links;
pub(crate) mod magic_link;
pub(crate) mod mfa;
pub(crate) mod mfa_admin;
pub(crate) mod mfa_check;
pub mod oidc;
pub(crate) mod overview;
pub(crate) mod password_reset;
pub(crate) mod plans;
pub(crate) mod privacy_requests;
pub(crate) mod provisioning;
pub(crate) mod recovery;
pub(crate) mod reports;
pub(crate) mod retention;
pub(crate) mod retention_settings;
pub mod search_upkeep;
pub mod secrets;
pub(crate) mod session_touch;
pub(crate) mod sessions;
pub mod setup;
pub(crate) mod signup;
pub(crate) mod throttle;
mod throttle_shared;
pub(crate) mod usage;
pub(crate) mod users;
pub(crate) mod webhooks;

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
    /// E-mail: the SMTP settings and the sender's wake-up bell.
    pub mail: Arc<crate::mail::Mail>,
    pub resets: Arc<throttle::ResetThrottle>,
    /// Magic-link requests, counted apart from password resets.
    pub magic_links: Arc<throttle::ResetThrottle>,
    /// Invitation acceptances per IP.
    pub invite_accepts: Arc<throttle::AcceptThrottle>,
    /// Wrong second-factor codes.
    pub mfa_throttle: Arc<throttle::MfaThrottle>,
    /// The OpenID provider: signing keys, issuer, revoked access tokens.
    pub oidc: Arc<oidc::Oidc>,
    /// Rung after every erasure: the pass that takes erased companies out of the backups.
    pub erasure_bell: Arc<erasure_backups::Bell>,
    /// The key of anonymised reports' pseudonyms, derived from the master key.
    pub report_key: Arc<crate::crypto::pseudonym::ReportKey>,
}

impl AppState {
    /// After an erasure: the log's older copies of the erased pages are checkpointed away, and
    /// the pass that carries erasures to the backups runs at once.
    pub async fn erased(&self) {
        if let Err(e) = self.store.checkpoint().await {
            tracing::warn!(error = %e, "the checkpoint after an erasure failed");
        }
        self.erasure_bell.ring();
    }

    /// The handle for writes to applications, credentials and links.
    pub fn key_writer(&self) -> directory::KeyWriter {
        directory::KeyWriter::new(self.store.clone(), self.directory.clone())
    }

    /// The handles a password reset needs.
    pub fn resets(&self) -> password_reset::Resets {
        password_reset::Resets {
            store: self.store.clone(),
            sealer: self.sealer.clone(),
            passwords: self.passwords.clone(),
            mail: self.mail.clone(),
            throttle: self.resets.clone(),
        }
    }

    /// The handles magic-link sign-in needs (besides signing in).
    pub fn magic_links(&self) -> magic_link::MagicLinks {
        magic_link::MagicLinks {
            store: self.store.clone(),
            sealer: self.sealer.clone(),
            mail: self.mail.clone(),
            throttle: self.magic_links.clone(),
        }
    }

    /// The handles invitations need.
    pub fn invites(&self) -> invitations::Invites {
        invitations::Invites {
            store: self.store.clone(),
            sealer: self.sealer.clone(),
            passwords: self.passwords.clone(),
            mail: self.mail.clone(),
            throttle: self.invite_accepts.clone(),
        }
    }

    /// The handles signing in needs.
    /// The handles an address change needs.
    pub fn addresses(&self) -> email_address::Addresses {
        email_address::Addresses {
            sign_in: self.sign_in(),
            sealer: self.sealer.clone(),
            mail: self.mail.clone(),
        }
    }

    pub fn sign_in(&self) -> auth::SignIn {
        auth::SignIn {
            store: self.store.clone(),
            passwords: self.passwords.clone(),
            throttle: self.throttle.clone(),
            metrics: self.metrics.clone(),
            session_ttl_secs: self.settings.session_ttl_secs,
            sealer: self.sealer.clone(),
            mfa_throttle: self.mfa_throttle.clone(),
        }
    }
}
