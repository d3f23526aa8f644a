//! How the C allocator keeps memory. glibc's defaults suit short programs, not a server: each
//! thread that allocates may get an arena of its own (up to eight per core), and after a large
//! block is freed the threshold for mapping large blocks rises to its size, so every later
//! password hash (19 MiB) and search buffer stays in an arena for good. On the million-company
//! bench that held a server at 125–135 MiB resident; with two arenas and large blocks always
//! mapped (and unmapped when freed) it stays under 85 MiB at the same requests/s.
//! An operator's own `MALLOC_ARENA_MAX` or `MALLOC_MMAP_THRESHOLD_` is left as they set it.

/// Blocks this large or larger are mapped on their own and given back when freed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: i32 = 128 * 1024;
/// Arenas threads share; the server's hot path is two cores' worth of threads.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const ARENAS: i32 = 2;

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

#[cfg(test)]
mod tests {
    #[test]
    fn glibc_takes_the_bounds() {
        assert!(super::bound());
    }
}
