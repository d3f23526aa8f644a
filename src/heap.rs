//! How the C allocator keeps memory. glibc's defaults suit short programs, not a server: each
//! thread that allocates may get an arena of its own (up to eight per core), and after a large
//! block is freed the threshold for mapping large blocks rises to its size, so every later
//! password hash (19 MiB) and search buffer stays in an arena for good. On the million-company
//! bench that held a server at 125–135 MiB resident; with large blocks always mapped (and
//! unmapped when freed) and the heap trimmed every 30 s, it stays under 85 MiB. Arenas are
//! bounded at eight: with two, a tenth of the search's time went to threads waiting on their
//! locks (1,400–1,450 searches/s at a p99 of 26 ms against 1,970–2,050/s and 19 ms with eight
//! and four readers, 64–69 MiB at peak).
//! An operator's own `MALLOC_ARENA_MAX` or `MALLOC_MMAP_THRESHOLD_` is left as they set it.

/// Blocks this large or larger are mapped on their own and given back when freed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: i32 = 128 * 1024;
/// Arenas threads share (glibc's own bound is eight per core).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const ARENAS: i32 = 8;

/// Applies the bounds before any thread starts; returns whether glibc took both.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
// `mallopt` is a C function the libc crate exposes only as unsafe; no safe wrapper exists.
#[allow(unsafe_code)]
pub fn bound() -> bool {
    let mut ok = true;
    if std::env::var_os("MALLOC_MMAP_THRESHOLD_").is_none() {
        // SAFETY: mallopt takes two integers and changes only the allocator's parameters.
        ok &= unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD) } == 1;
    }
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: as above.
        ok &= unsafe { libc::mallopt(libc::M_ARENA_MAX, ARENAS) } == 1;
    }
    ok
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn bound() -> bool {
    true
}

/// Gives the system back every whole page the allocator holds free. free() returns memory only
/// from the top of an arena; the start (migrations, the key check, the directory load) and
/// every burst of requests leave free pages between live blocks that stay resident until
/// asked for. Trimming a few MiB takes well under a millisecond.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
// `malloc_trim` is a C function the libc crate exposes only as unsafe; no safe wrapper exists.
#[allow(unsafe_code)]
pub fn give_back() {
    // SAFETY: malloc_trim takes an integer (the slack to keep at the top) and only returns
    // free pages to the system; no live block moves.
    unsafe { libc::malloc_trim(0) };
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn give_back() {}

/// Seconds between two trims while the server runs; the first comes a second after the start.
pub const TRIM_EVERY: std::time::Duration = std::time::Duration::from_secs(30);

/// Trims the heap a second after the server starts (the start's one-time work is done), then
/// every `every`, until `stop` resolves. Each trim runs on a blocking thread: it holds an
/// arena's lock while it walks it.
pub async fn keep_trimmed(every: std::time::Duration, stop: impl std::future::Future<Output = ()>) {
    tokio::pin!(stop);
    let mut wait = std::time::Duration::from_secs(1);
    loop {
        tokio::select! {
            _ = &mut stop => return,
            _ = tokio::time::sleep(wait) => {}
        }
        let _ = tokio::task::spawn_blocking(give_back).await;
        wait = every;
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn glibc_takes_the_bounds() {
        assert!(super::bound());
    }

    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[test]
    fn freed_pages_between_live_blocks_leave_the_process() {
        fn resident_kib() -> u64 {
            let status = std::fs::read_to_string("/proc/self/status").unwrap();
            let line = status.lines().find(|l| l.starts_with("RssAnon:")).unwrap();
            line.split_whitespace().nth(1).unwrap().parse().unwrap()
        }
        // Small blocks (under the mapping threshold) interleaved: freeing every other one
        // leaves 16 MiB of free pages that free() alone cannot return, since live blocks
        // sit above them.
        let mut blocks: Vec<Vec<u8>> = (0..512).map(|_| vec![1u8; 64 * 1024]).collect();
        let mut kept = Vec::new();
        for (i, b) in blocks.drain(..).enumerate() {
            if i % 2 == 1 {
                kept.push(b);
            }
        }
        let before = resident_kib();
        super::give_back();
        let after = resident_kib();
        assert!(
            before >= after + 8 * 1024,
            "trimming gave back {} KiB of 16 MiB free",
            before.saturating_sub(after)
        );
        assert!(kept.iter().all(|b| b.iter().all(|&x| x == 1)));
    }
}
