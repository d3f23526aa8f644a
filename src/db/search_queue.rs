//! Applying the company search index's queue (migration 0030): the triggers on `companies`
//! append each change of a folded text, and [`apply`] writes them all into the FTS5 index in
//! one statement, so a batch of writes adds one segment to the index instead of one per write.
//! The writer applies the queue just before every commit; the store at start, for changes made
//! outside it.

use rusqlite::Connection;

/// Writes every queued change into `company_search`, in the order they were made, and empties
/// the queue. A queue that is empty costs one read and writes nothing.
pub fn apply(conn: &Connection) -> rusqlite::Result<usize> {
    let waiting: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM company_search_queue)")?
        .query_row([], |r| r.get(0))?;
    if !waiting {
        return Ok(0);
    }
    // A non-NULL value in the column named after the table makes FTS5 read the row as a
    // command: 'delete' removes the terms of the text the row was indexed with.
    let applied = conn
        .prepare_cached(
            "INSERT INTO company_search (company_search, rowid, search_fold)
             SELECT CASE removed WHEN 1 THEN 'delete' END, doc, fold
             FROM company_search_queue ORDER BY seq",
        )?
        .execute([])?;
    conn.prepare_cached("DELETE FROM company_search_queue")?
        .execute([])?;
    Ok(applied)
}

/// Forgets the queue without applying it: before the index is emptied or rebuilt from the
/// companies' rows, which already hold every queued text.
pub fn discard(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch("DELETE FROM company_search_queue")
}

#[cfg(test)]
#[path = "search_queue_tests.rs"]
mod tests;
