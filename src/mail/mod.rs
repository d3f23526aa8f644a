//! E-mail that is never lost. A change that causes a message writes it to the outbox in its
//! own transaction ([`enqueue`]); the sender task ([`sender::run`]) delivers it afterwards with
//! retries and backoff, and dead-letters it after the last attempt. A crash between the two
//! loses nothing (the row is there at restart) and a change that rolls back sends nothing.

pub mod address_letters;
pub mod alert_letters;
pub mod letter;
pub mod magic_letter;
pub mod sender;
pub mod settings;

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tokio::sync::Notify;

use crate::crypto::{SealContext, Sealer};
use crate::db;
use crate::db::Db;
use crate::error::DomainResult;
pub use letter::{Brand, Letter};
pub use settings::{MailSettings, SmtpConfig};

/// The sealed part of a queued message.
#[derive(Serialize, Deserialize)]
pub(crate) struct SealedBody {
    pub text: String,
    pub html: String,
    pub has_logo: bool,
}

/// The associated data of a queued message's body: bound to its row.
pub(crate) fn context(row: &str) -> SealContext<'_> {
    SealContext {
        table: "outbox",
        column: "sealed",
        row,
    }
}

/// The mail side of the application state: the checked settings, and the bell that wakes the
/// sender when a message was queued.
pub struct Mail {
    pub settings: MailSettings,
    pub(crate) wake: Notify,
    base_url: std::sync::OnceLock<String>,
}

impl Mail {
    pub fn new(settings: MailSettings) -> Arc<Self> {
        Arc::new(Self {
            settings,
            wake: Notify::new(),
            base_url: std::sync::OnceLock::new(),
        })
    }

    /// Where links in messages point: `public_url`, or the address the server listens on. Set
    /// once the server is bound; never taken from a request's `Host`, which a caller chooses.
    pub fn set_base_url(&self, base: &str) {
        let _ = self.base_url.set(base.trim_end_matches('/').to_string());
    }

    pub fn base_url(&self) -> &str {
        self.base_url.get().map_or("", String::as_str)
    }

    /// The domain of `Message-ID`s.
    pub fn id_domain(&self) -> String {
        self.settings.id_domain()
    }

    /// Tells the sender a message is waiting (call after the write commits).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Whether a server is configured; without one messages wait in the outbox.
    pub fn configured(&self) -> bool {
        self.settings.smtp.is_some()
    }
}

/// Writes `letter` to the outbox inside the caller's transaction, its body sealed.
pub fn enqueue(
    tx: &Db,
    sealer: &Sealer,
    id_domain: &str,
    letter: &Letter,
    now: i64,
) -> DomainResult<()> {
    let message_id = format!("<{}@{id_domain}>", uuid::Uuid::new_v4().simple());
    let row = db::outbox::insert(
        tx,
        &db::outbox::NewMessage {
            message_id: &message_id,
            kind: letter.kind,
            recipient: &letter.to,
            company_id: letter.company_id.as_deref(),
            subject: &letter.subject,
        },
        now,
    )?;
    let body = SealedBody {
        text: letter.text.clone(),
        html: letter.html.clone(),
        has_logo: letter.has_logo,
    };
    let plain = serde_json::to_vec(&body).expect("a body serialises");
    let sealed = sealer.seal(&plain, &context(&row.to_string()));
    db::outbox::set_body(tx, row, &sealed.bytes, &sealed.key_id)
}
