//! Settings of the SQLite library itself, for the whole process, made before any file opens.

use std::os::raw::c_int;

/// Turns off SQLite's memory statistics, which armario never reads. While they are on, every
/// allocation SQLite makes (a page read into a cache, a search's buffers, a sort) passes through
/// one mutex for the whole process: with 16 company searches at once on a million companies, a
/// profile found the server spending a fifth of its time waking threads queued on it.
///
/// Returns whether SQLite took it: it refuses once it has started (after a connection opened in
/// this process), and then keeps counting, which costs speed and nothing else.
// `sqlite3_config` is a variadic C function; rusqlite has no safe wrapper for this option.
#[allow(unsafe_code)]
pub fn configure() -> bool {
    // SAFETY: SQLITE_CONFIG_MEMSTATUS takes one int. Called before SQLite is initialised it
    // changes only the library's settings; called after, it returns SQLITE_MISUSE and changes
    // nothing.
    let off: c_int = 0;
    let rc = unsafe { rusqlite::ffi::sqlite3_config(rusqlite::ffi::SQLITE_CONFIG_MEMSTATUS, off) };
    rc == rusqlite::ffi::SQLITE_OK
}

#[cfg(test)]
mod tests {
    /// `.cargo/config.toml` builds the bundled SQLite without SQLITE_ENABLE_MEMORY_MANAGEMENT,
    /// so each connection keeps its own page cache instead of sharing one behind a mutex.
    #[test]
    fn each_connection_has_a_page_cache_of_its_own() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let used: i64 = conn
            .query_row(
                "SELECT sqlite_compileoption_used('ENABLE_MEMORY_MANAGEMENT')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(used, 0, "SQLite was built with ENABLE_MEMORY_MANAGEMENT");
    }
}
