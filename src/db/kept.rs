//! Rows read by key, kept in memory until the next write commits.
//!
//! The writer counts its commits (the store's generation). An entry is used only while the
//! generation it was read at is still the current one, so any committed write (by whatever
//! route, to whatever table) retires every entry at once, and a write acknowledged to a client
//! is never followed by an older copy. This suits rows read far more often than the store is
//! written, such as the company an application reads on every call: between writes the read
//! costs a lookup instead of a SQLite read transaction.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::error::DomainResult;

/// How many rows one generation keeps; past it, new reads are not kept.
const CAPACITY: usize = 4096;

/// The number of commits so far, bumped by the writer after each batch's commit and before it
/// answers any of the batch's jobs.
#[derive(Clone, Default)]
pub(super) struct Generation(Arc<AtomicU64>);

impl Generation {
    pub(super) fn bump(&self) {
        self.0.fetch_add(1, Ordering::Release);
    }

    fn current(&self) -> u64 {
        self.0.load(Ordering::Acquire)
    }
}

pub(super) struct Kept<K, V> {
    generation: Generation,
    entries: Mutex<Entries<K, V>>,
}

struct Entries<K, V> {
    generation: u64,
    rows: HashMap<K, V>,
}

impl<K: Eq + Hash, V: Clone> Kept<K, V> {
    pub(super) fn new(generation: Generation) -> Self {
        Self {
            generation,
            entries: Mutex::new(Entries {
                generation: 0,
                rows: HashMap::new(),
            }),
        }
    }

    /// The kept row for `key` when it was read since the last commit.
    pub(super) fn get(&self, key: &K) -> Option<V> {
        let now = self.generation.current();
        let entries = self.entries.lock().expect("kept rows lock");
        (entries.generation == now)
            .then(|| entries.rows.get(key).cloned())
            .flatten()
    }

    /// Reads `key` through `read` unless it is kept, and keeps what it found. The generation is
    /// taken before the read: a commit during it makes the row count as older, never newer.
    pub(super) async fn get_or_read<F>(&self, key: K, read: F) -> DomainResult<Option<V>>
    where
        F: std::future::Future<Output = DomainResult<Option<V>>>,
    {
        if let Some(row) = self.get(&key) {
            return Ok(Some(row));
        }
        let read_at = self.generation.current();
        let row = read.await?;
        if let Some(row) = &row {
            let mut entries = self.entries.lock().expect("kept rows lock");
            if entries.generation < read_at {
                entries.rows.clear();
                entries.generation = read_at;
            }
            if entries.generation == read_at && entries.rows.len() < CAPACITY {
                entries.rows.insert(key, row.clone());
            }
        }
        Ok(row)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_commit_retires_what_was_kept() {
        let generation = Generation::default();
        let kept = Kept::<u32, &str>::new(generation.clone());
        let first = kept
            .get_or_read(1, async { Ok(Some("old")) })
            .await
            .unwrap();
        assert_eq!(first, Some("old"));
        assert_eq!(kept.get(&1), Some("old"));
        generation.bump();
        assert_eq!(kept.get(&1), None, "a commit retires the kept row");
        let again = kept
            .get_or_read(1, async { Ok(Some("new")) })
            .await
            .unwrap();
        assert_eq!(again, Some("new"));
        assert_eq!(kept.get(&1), Some("new"));
    }

    #[tokio::test]
    async fn a_commit_during_the_read_keeps_nothing_usable() {
        let generation = Generation::default();
        let kept = Kept::<u32, &str>::new(generation.clone());
        let bump = generation.clone();
        let row = kept
            .get_or_read(1, async move {
                // The row was read, then a write committed before it was kept.
                bump.bump();
                Ok(Some("read before the commit"))
            })
            .await
            .unwrap();
        assert_eq!(row, Some("read before the commit"));
        assert_eq!(kept.get(&1), None);
    }

    #[tokio::test]
    async fn absent_rows_are_not_kept() {
        let kept = Kept::<u32, &str>::new(Generation::default());
        assert_eq!(kept.get_or_read(1, async { Ok(None) }).await.unwrap(), None);
        assert_eq!(kept.get(&1), None);
    }
}
