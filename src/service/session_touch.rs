//! Recording a session's last use without holding its request. A signed-in request whose
//! session was last recorded a minute ago or more hands the update to the writer and goes on:
//! a long write (a retention run's slice, a backlog of creates) never makes a read wait, and
//! while one update of a session is queued, its other requests queue none.

use std::collections::HashSet;
use std::sync::{LazyLock, Mutex};

use crate::crypto::token::TokenHash;
use crate::db::{self, Store};
use crate::domain::session::LAST_SEEN_STEP_MS;

/// The sessions whose update is queued or being written.
static QUEUED: LazyLock<Mutex<HashSet<TokenHash>>> = LazyLock::new(Mutex::default);

/// Records a use of the session `hash` at `now`, in the background. It is a courtesy: a full
/// disk or a stopping server loses it, and the next use records it again.
pub fn record(store: &Store, hash: TokenHash, now: i64) {
    if !queued().insert(hash) {
        return;
    }
    let store = store.clone();
    tokio::spawn(async move {
        let before = now - LAST_SEEN_STEP_MS;
        let result = store
            .write(move |tx| db::session_list::touch(tx, &hash, now, before))
            .await;
        queued().remove(&hash);
        if let Err(e) = result {
            tracing::warn!(error = ?e, "could not record a session's last use");
        }
    });
}

fn queued() -> std::sync::MutexGuard<'static, HashSet<TokenHash>> {
    QUEUED.lock().unwrap_or_else(|p| p.into_inner())
}
