//! The scratch databases a backup's check restores into (`backup::PgDatabase::check_dump`):
//! how they are named, and the sweep of those a check that stopped half-way left behind.

use crate::db::sql::Db;

/// A new scratch database's name: the prefix, the second it is made, a random part.
pub(super) fn new_name() -> String {
    format!(
        "{SCRATCH_PREFIX}{}_{:016x}",
        now_secs(),
        rand::random::<u64>()
    )
}

/// What a check's scratch database is named: the prefix, the second it was made, a random part.
const SCRATCH_PREFIX: &str = "armario_verify_";
/// How old a check's scratch database must be to be taken for one left by a check that
/// stopped (killed, the server gone): no check runs that long.
const SCRATCH_STALE_SECS: u64 = 6 * 3600;

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Drops the scratch databases that checks which stopped half-way left behind: those named
/// by a check and made more than [`SCRATCH_STALE_SECS`] ago. One still in use (or that
/// cannot be dropped) is left, and said in the log.
pub(super) fn sweep(db: &Db) {
    let now = now_secs();
    let names: Vec<String> = match db
        .prepare("SELECT datname FROM pg_database WHERE starts_with(datname, ?1)")
        .and_then(|mut s| {
            s.query_map([SCRATCH_PREFIX], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()
        }) {
        Ok(names) => names,
        Err(e) => {
            tracing::warn!(error = %e, "cannot list the backup checks' scratch databases");
            return;
        }
    };
    for name in names {
        let made = name
            .strip_prefix(SCRATCH_PREFIX)
            .and_then(|rest| rest.split('_').next())
            .and_then(|secs| secs.parse::<u64>().ok());
        // A name from before the time was in it, or one made long ago.
        let stale = made.is_none_or(|made| now.saturating_sub(made) > SCRATCH_STALE_SECS);
        if !stale || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            continue;
        }
        match db.execute_batch(&format!("DROP DATABASE IF EXISTS \"{name}\"")) {
            Ok(()) => {
                tracing::info!(database = %name, "a stopped backup check's scratch database dropped")
            }
            Err(e) => {
                tracing::warn!(database = %name, error = %e, "a stopped backup check's scratch database is still there")
            }
        }
    }
}
