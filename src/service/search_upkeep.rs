//! Merges the company search index into one segment when it has gathered several, at start and
//! daily (see `db::search_upkeep`). Each slice is a write of its own, with a pause after it, so
//! requests' writes go between them and readers refill their caches (every commit empties them).

use std::time::{Duration, Instant};

use crate::db::search_upkeep::{merge_slice, segments, MERGE_ABOVE, SLICE_PAGES};
use crate::db::Store;
use crate::error::DomainResult;

const EVERY: Duration = Duration::from_secs(24 * 60 * 60);

/// The pause after each slice.
const PAUSE: Duration = Duration::from_millis(10);

/// A bound on one run's slices, far above what a large index needs (a million companies: about
/// 150 MB of index, 150 slices).
const MAX_SLICES: u32 = 100_000;

/// What one run did: the segments it found, and the slices it merged (0 when it left the index
/// as it was).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Upkeep {
    pub segments: u64,
    pub slices: u32,
}

pub async fn run_once(store: &Store) -> DomainResult<Upkeep> {
    if store.path().is_none() {
        // PostgreSQL keeps no FTS5 index: there is nothing to merge.
        return Ok(Upkeep {
            segments: 0,
            slices: 0,
        });
    }
    let found = store.read(|c| Ok(segments(c)?)).await?;
    let mut slices = 0;
    if found > MERGE_ABOVE {
        while slices < MAX_SLICES && store.write(|tx| Ok(merge_slice(tx, SLICE_PAGES)?)).await? {
            slices += 1;
            tokio::time::sleep(PAUSE).await;
        }
    }
    Ok(Upkeep {
        segments: found,
        slices,
    })
}

pub async fn run(store: Store, stop: impl std::future::Future<Output = ()>) {
    tokio::pin!(stop);
    loop {
        let started = Instant::now();
        tokio::select! {
            _ = &mut stop => return,
            result = run_once(&store) => match result {
                Ok(u) if u.slices > 0 => tracing::info!(
                    segments = u.segments,
                    slices = u.slices,
                    ms = started.elapsed().as_millis() as u64,
                    "search index merged into one segment"
                ),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "merging the search index failed"),
            },
        }
        tokio::select! {
            _ = &mut stop => return,
            _ = tokio::time::sleep(EVERY) => {}
        }
    }
}
