//! Wiring: settings → data directory → store → state; and the `serve` loop with its signals.

use std::io::IsTerminal;
use std::sync::Arc;

use crate::access::Operator;
use crate::config::{LogFormat, Settings};
use crate::crypto::{Passwords, Sealer};
use crate::datadir::{self, DataDirLock};
use crate::db::Store;
use crate::logging;
use crate::metrics::Metrics;
use crate::service::directory::AppDirectory;
use crate::service::limits::Limits;
use crate::service::throttle::{LoginThrottle, SignupThrottle};
use crate::service::usage::UsageRecorder;
use crate::service::{setup, AppState};

pub fn init_tracing(format: LogFormat) {
    use tracing_subscriber::prelude::*;
    use tracing_subscriber::{fmt, EnvFilter};
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let registry = tracing_subscriber::registry().with(filter);
    let _ = match format {
        LogFormat::Json => {
            let json = fmt::format()
                .json()
                .with_current_span(true)
                .with_span_list(true);
            registry
                .with(logging::RequestIdLayer)
                .with(
                    fmt::layer()
                        .json()
                        .event_format(logging::WithRequestId(json))
                        .with_writer(std::io::stderr),
                )
                .try_init()
        }
        LogFormat::Text => registry
            .with(
                fmt::layer()
                    .with_ansi(colour_wanted(
                        std::io::stderr().is_terminal(),
                        std::env::var_os("NO_COLOR"),
                    ))
                    .with_writer(std::io::stderr),
            )
            .try_init(),
    };
}

/// Colour codes only for a person at a terminal: not into a pipe, a file or journald (which
/// would store the escape bytes), and never when `NO_COLOR` is set to anything
/// (<https://no-color.org>).
pub fn colour_wanted(terminal: bool, no_color: Option<std::ffi::OsString>) -> bool {
    terminal && no_color.is_none_or(|v| v.is_empty())
}

/// Opens the application for a console command, as the operator who holds the master key: the
/// key must open the sealed values already stored, or the command refuses to act.
pub async fn open_as_operator(settings: Settings) -> Result<(AppState, Operator), String> {
    let operator = Operator::holding(&datadir::master_key(&settings)?);
    let how_to_pass = datadir::how_to_pass_a_key(&settings);
    let state = open_state(settings)?;
    if let Err(message) =
        crate::service::key_check::check_sealed(&state.store, &state.sealer, &how_to_pass).await
    {
        state.store.close().await;
        return Err(message);
    }
    // As at a server's start: a command that finds users by e-mail needs the indexes of an
    // upgraded store, and must not add an address an unindexed user already has.
    if let Err(e) = state.store.seal_pending().await {
        state.store.close().await;
        return Err(format!("cannot seal the companies' data: {e}"));
    }
    Ok((state, operator))
}

/// Opens everything the application needs. Used by `serve` and by CLI commands.
pub fn open_state(settings: Settings) -> Result<AppState, String> {
    // The key first: a command refused for want of a key leaves no file or directory behind.
    let key = datadir::master_key(&settings)?;
    let previous = datadir::previous_keys(&settings)?;
    datadir::ensure(&settings.data_dir)?;
    let ring = Arc::new(crate::crypto::company_keys::KeyRing::new(&key, &previous));
    let store = match &settings.database_url {
        Some(url) => Store::open_postgres(
            url.expose(),
            settings.database_ca_file.as_deref(),
            settings.read_pool_size + 2,
            Some(ring.clone()),
        )
        .map_err(|e| format!("cannot open the PostgreSQL store: {e}"))?,
        None => Store::open(
            &settings.db_path(),
            settings.synchronous,
            settings.read_pool_size,
            crate::db::Batching::new(settings.write_batch_max),
            Some(ring.clone()),
        )
        .map_err(|e| {
            format!(
                "cannot open the database {}: {e}",
                settings.db_path().display()
            )
        })?,
    };
    let backups = crate::service::backups::engine(&settings, &key)?;
    let mail = crate::mail::MailSettings::from_config(&settings.smtp)?;
    let limits = Limits::from_settings(&settings);
    let throttle = match &settings.database_url {
        // Replicas may share the database: a lockout must hold on all of them.
        Some(_) => LoginThrottle::new(&limits).shared(store.clone(), ring),
        None => LoginThrottle::new(&limits),
    };
    Ok(AppState {
        store,
        passwords: Passwords::new(settings.password_hash_workers as usize),
        sealer: Arc::new(Sealer::new(&key, &previous)),
        settings: Arc::new(settings),
        throttle: Arc::new(throttle),
        signups: Arc::new(SignupThrottle::new(&limits)),
        directory: Arc::new(AppDirectory::default()),
        usage: Arc::new(UsageRecorder::default()),
        backups: Arc::new(backups),
        metrics: Arc::new(Metrics::default()),
        key_check: Arc::default(),
        mail: crate::mail::Mail::new(mail),
        resets: Arc::default(),
        invite_accepts: Arc::default(),
        magic_links: Arc::default(),
        mfa_throttle: Arc::new(crate::service::throttle::MfaThrottle::new(&limits)),
        oidc: Arc::default(),
        erasure_bell: Arc::default(),
        report_key: Arc::new(crate::crypto::pseudonym::ReportKey::derive(&key)),
    })
}

/// Installs the SIGTERM and SIGINT handlers now, before the server says it listens, and returns
/// the future that resolves on either. Handlers installed lazily, on the future's first poll,
/// left a window after "listening on" in which a SIGTERM killed the process outright instead of
/// stopping it cleanly.
fn shutdown_signal() -> Result<impl std::future::Future<Output = ()>, String> {
    use tokio::signal::unix::{signal, SignalKind};
    let handler = |kind: SignalKind| {
        signal(kind).map_err(|e| format!("could not install a signal handler: {e}"))
    };
    let mut term = handler(SignalKind::terminate())?;
    let mut int = handler(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => {},
            _ = int.recv() => {},
        }
        tracing::info!("shutting down: finishing in-flight requests");
    })
}

/// Where a started server listens, and the setup link's token when no owner exists yet.
#[derive(Debug, Clone)]
pub struct Started {
    pub addr: std::net::SocketAddr,
    pub setup_token: Option<String>,
}

/// Serves until SIGTERM or SIGINT: what `armario serve` runs.
pub async fn serve(settings: Settings) -> Result<(), String> {
    serve_until(settings, shutdown_signal, |_| {}).await
}

/// Serves until the future that `shutdown` makes resolves. `shutdown` is called once the
/// listener is bound and just before the server says it listens, so a signal handler it
/// installs leaves no window; `started` hears where the server listens and the setup token
/// (tests start servers in their own process this way, on `127.0.0.1:0`).
pub async fn serve_until<S, F>(
    settings: Settings,
    shutdown: S,
    started: impl FnOnce(Started),
) -> Result<(), String>
where
    S: FnOnce() -> Result<F, String>,
    F: std::future::Future<Output = ()> + Send,
{
    datadir::ensure(&settings.data_dir)?;
    let _lock: DataDirLock = datadir::lock(&settings.data_dir)?;
    let listener = tokio::net::TcpListener::bind(&settings.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", settings.addr))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    datadir::generate_key_for_new_data_dir(&settings)?;
    let how_to_pass = datadir::how_to_pass_a_key(&settings);
    let state = open_state(settings)?;
    let checked =
        crate::service::key_check::check(&state.store, &state.sealer, &state.backups, &how_to_pass)
            .await;
    match checked {
        Ok(report) => {
            let _ = state.key_check.set(report);
        }
        Err(message) => {
            state.store.close().await;
            return Err(message);
        }
    }
    // After the key check: a wrong key must not seal anything.
    let sealed = state
        .store
        .seal_pending()
        .await
        .map_err(|e| format!("cannot seal the companies' data: {e}"))?;
    if sealed != crate::db::company_keys::SealReport::default() {
        tracing::info!(
            indexes_recomputed = sealed.indexes_recomputed,
            keys_created = sealed.keys_created,
            users_sealed = sealed.users_sealed,
            secrets_sealed = sealed.secrets_sealed,
            events_sealed = sealed.events_sealed,
            "sealed personal data under the companies' keys"
        );
    }
    // Other replicas sharing a PostgreSQL database tell their writes: the kept rows and the
    // application directory follow them. Heard before the directory's first load, so a change
    // made between the two is not missed.
    if let Some(url) = &state.settings.database_url {
        let directory = state.directory.clone();
        state
            .store
            .on_directory_change(Arc::new(move |db| directory.rebuild(db)));
        state
            .store
            .listen_for_replicas(url.expose(), state.settings.database_ca_file.as_deref());
    }
    state
        .directory
        .reload(&state.store)
        .await
        .map_err(|e| e.to_string())?;
    crate::service::oidc::keys::load(&state.store, &state.sealer, &state.oidc)
        .await
        .map_err(|e| crate::service::oidc::keys::unusable(e).to_string())?;
    crate::service::oidc::inspect::load_revoked(&state.store, &state.oidc)
        .await
        .map_err(|e| e.to_string())?;
    crate::service::hosts::report_rule_breakers(
        &state.store,
        crate::service::hosts::base_domain(&state.settings),
    )
    .await
    .map_err(|e| e.to_string())?;
    let flush_secs = state.settings.usage_flush_secs;
    let (stop_tx, mut stop_rx) = tokio::sync::watch::channel(false);
    let usage_task = {
        let (usage, store) = (state.usage.clone(), state.store.clone());
        tokio::spawn(async move {
            let stop = async move {
                let _ = stop_rx.wait_for(|stopped| *stopped).await;
            };
            usage
                .run(store, std::time::Duration::from_secs(flush_secs), stop)
                .await;
        })
    };
    let backup_task = {
        let recorder = Arc::new(crate::service::backups::SchedulerRecorder {
            engine: state.backups.clone(),
            store: state.store.clone(),
            metrics: state.metrics.clone(),
        });
        let stop = stopped(&stop_tx);
        tracing::info!(target = %state.backups.target().describe(), "backups scheduled");
        tokio::spawn(crate::backup::run_scheduler(
            state.backups.clone(),
            recorder,
            stop,
        ))
    };
    let base = state
        .settings
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{local}"));
    let setup_token = setup::issue_token_if_needed(&state.store)
        .await
        .map_err(|e| e.to_string())?;
    if let Some(token) = &setup_token {
        let minutes = setup::SETUP_TOKEN_TTL_MS / 60_000;
        tracing::warn!("no owner exists yet. Create the first owner within {minutes} minutes at: {base}/admin/setup#token={token}");
        tracing::warn!("or from this machine: armario admin create --email you@example.com");
    }
    state.mail.set_base_url(&base);
    state.oidc.set_issuer(&base);
    let mail_task = {
        tokio::spawn(crate::mail::sender::run(
            state.store.clone(),
            state.sealer.clone(),
            state.mail.clone(),
            state.metrics.clone(),
            stopped(&stop_tx),
        ))
    };
    let alert_task = {
        tokio::spawn(crate::service::alerts::run(
            state.store.clone(),
            state.sealer.clone(),
            state.mail.clone(),
            std::time::Duration::from_secs(state.settings.alert_check_secs),
            stopped(&stop_tx),
        ))
    };
    let signing_key_task = {
        tokio::spawn(crate::service::oidc::key_schedule::run(
            state.store.clone(),
            state.sealer.clone(),
            state.oidc.clone(),
            std::time::Duration::from_secs(state.settings.signing_key_check_secs),
            crate::service::oidc::key_schedule::rotate_after_ms(
                state.settings.signing_key_rotation_days,
            ),
            stopped(&stop_tx),
        ))
    };
    let webhook_task = {
        tokio::spawn(crate::service::webhooks::sender::run(
            state.store.clone(),
            state.sealer.clone(),
            crate::service::webhooks::sender::Policy {
                allow_private: state.settings.webhooks_allow_private,
                retry_base_ms: state.settings.webhook_retry_base_ms,
                max_attempts: state.settings.webhook_max_attempts,
            },
            stopped(&stop_tx),
        ))
    };
    let erasure_backups_task = {
        tokio::spawn(crate::service::erasure_backups::run(
            state.key_writer(),
            state.backups.clone(),
            state.erasure_bell.clone(),
            stopped(&stop_tx),
        ))
    };
    // The audit chain's check, then the prune it allows: one walk over the events serves both.
    let retention_task = {
        tokio::spawn(crate::service::retention::run(
            state.store.clone(),
            crate::service::retention::policy(&state.settings),
            stopped(&stop_tx),
        ))
    };
    let search_task = {
        tokio::spawn(crate::service::search_upkeep::run(
            state.store.clone(),
            stopped(&stop_tx),
        ))
    };
    let trim_task = {
        tokio::spawn(crate::heap::keep_trimmed(
            crate::heap::TRIM_EVERY,
            stopped(&stop_tx),
        ))
    };
    if !state.mail.configured() {
        tracing::warn!(
            "no SMTP server is set (smtp.host): e-mail stays queued in the outbox until one is"
        );
    }
    let shutdown = shutdown()?;
    tracing::info!(data_dir = %state.settings.data_dir.display(), "listening on http://{local}");
    started(Started {
        addr: local,
        setup_token,
    });
    let store = state.store.clone();
    let result = crate::server::serve(listener, state, shutdown).await;
    let _ = stop_tx.send(true);
    let _ = usage_task.await;
    let _ = backup_task.await;
    let _ = mail_task.await;
    let _ = alert_task.await;
    let _ = signing_key_task.await;
    let _ = webhook_task.await;
    let _ = erasure_backups_task.await;
    let _ = retention_task.await;
    let _ = search_task.await;
    let _ = trim_task.await;
    store.close().await;
    tracing::info!("stopped; the store is closed");
    result.map_err(|e| format!("server error: {e}"))
}

/// Resolves once `stop` says the server is stopping: each background task's stop signal.
fn stopped(stop: &tokio::sync::watch::Sender<bool>) -> impl std::future::Future<Output = ()> {
    let mut rx = stop.subscribe();
    async move {
        let _ = rx.wait_for(|stopped| *stopped).await;
    }
}

#[cfg(test)]
mod tests {
    use super::colour_wanted;

    #[test]
    fn colour_only_on_a_terminal_without_no_color() {
        assert!(colour_wanted(true, None));
        assert!(colour_wanted(true, Some("".into())));
        assert!(!colour_wanted(true, Some("1".into())));
        assert!(!colour_wanted(false, None));
    }
}
