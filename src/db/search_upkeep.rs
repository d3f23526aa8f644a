//! Keeping the company search index in few pieces.
//!
//! FTS5 keeps its index as a set of segments: each write transaction adds one, and its automatic
//! merges keep a few per level, so an index built by `rebuild` or grown company by company holds
//! ten or more. A search looks each trigram up in every segment: on a million companies, merging
//! eleven segments into one made the search by name about 10% faster. Merging is done a slice
//! at a time (`merge` with a negative page count merges every level into one, incrementally),
//! each slice its own short write, so other writes wait for a slice, never for the whole index.

use rusqlite::Connection;

/// Segments above which the index is merged into one. FTS5's own merges keep up to three per
/// level, and the small ones cost a search little (their pages stay cached); a `rebuild` leaves
/// about a dozen large ones. Merging rewrites the whole index (150 MB for a million companies),
/// so a platform adding companies every day merges about once a day, not on every look.
pub const MERGE_ABOVE: u64 = 8;

/// Leaf pages (about 4 KiB each) merged per slice: a few milliseconds of the writer.
pub const SLICE_PAGES: u32 = 256;

/// How many segments the search index holds (one row of `company_search_idx` per leaf page of
/// each segment's term index, keyed by segment).
pub fn segments(conn: &Connection) -> rusqlite::Result<u64> {
    let n: i64 = conn
        .prepare_cached("SELECT COUNT(DISTINCT segid) FROM company_search_idx")?
        .query_row([], |r| r.get(0))?;
    Ok(n.max(0) as u64)
}

/// Merges up to `pages` leaf pages of the index towards a single segment. Returns whether there
/// was work to do (FTS5 changes rows of its own tables only when it merges).
pub fn merge_slice(conn: &Connection, pages: u32) -> rusqlite::Result<bool> {
    let before = conn.total_changes();
    conn.prepare_cached("INSERT INTO company_search (company_search, rank) VALUES ('merge', ?1)")?
        .execute([-i64::from(pages)])?;
    Ok(conn.total_changes() - before >= 2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::migrate;

    fn store_with_companies(n: usize) -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate::apply(&mut conn).unwrap();
        // One transaction per company, as the API writes them: one segment each, before
        // FTS5's own merges.
        for i in 0..n {
            conn.execute(
                "INSERT INTO companies (id, legal_name, cnpj, slug, status, created_at, updated_at,
                     search_fold, sort_name)
                 VALUES (?1, ?2, ?3, ?4, 'active', 0, 0, ?5, ?5)",
                rusqlite::params![
                    format!("cmp_{i:032x}"),
                    format!("Padaria São Paulo {i} Ltda"),
                    format!("{i:014}"),
                    format!("padaria-{i}"),
                    format!("padaria sao paulo {i} ltda padaria-{i}"),
                ],
            )
            .unwrap();
        }
        conn
    }

    fn found(conn: &Connection, text: &str) -> Vec<i64> {
        let mut stmt = conn
            .prepare(
                "SELECT rowid FROM company_search WHERE company_search MATCH ?1 ORDER BY rowid",
            )
            .unwrap();
        stmt.query_map([text], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    #[test]
    fn an_edit_that_keeps_the_folded_text_leaves_the_index_alone() {
        let conn = store_with_companies(3);
        let id = "cmp_00000000000000000000000000000001";
        let before = conn.total_changes();
        // What `companies::refresh_search` does after an edit of the contact e-mail.
        conn.execute(
            "UPDATE companies SET search_fold = search_fold, sort_name = sort_name,
                 contact_email = 'novo@empresa.test' WHERE id = ?1",
            [id],
        )
        .unwrap();
        // The company's row, and not one row of the index's tables (migration 0030).
        assert_eq!(conn.total_changes() - before, 1);

        conn.execute(
            "UPDATE companies SET search_fold = 'mercado sao bento' WHERE id = ?1",
            [id],
        )
        .unwrap();
        assert_eq!(found(&conn, "bento"), vec![2]);
        assert_eq!(found(&conn, "padaria").len(), 2);
        conn.execute(
            "INSERT INTO company_search (company_search, rank) VALUES ('integrity-check', 1)",
            [],
        )
        .unwrap();
    }

    #[test]
    fn slices_merge_the_index_into_one_segment_with_the_same_answers() {
        let conn = store_with_companies(300);
        let before = segments(&conn).unwrap();
        assert!(before > MERGE_ABOVE, "{before} segments");
        let answers = (found(&conn, "\"o 12\""), found(&conn, "\"pau\""));
        assert_eq!(answers.1.len(), 300);

        let mut slices = 0;
        while merge_slice(&conn, 4).unwrap() {
            slices += 1;
            assert!(slices < 10_000, "the merge never ends");
        }
        assert!(slices > 1, "merged in {slices} slice(s)");
        assert_eq!(segments(&conn).unwrap(), 1);
        assert_eq!((found(&conn, "\"o 12\""), found(&conn, "\"pau\"")), answers);
        conn.execute(
            "INSERT INTO company_search (company_search) VALUES ('integrity-check')",
            [],
        )
        .unwrap();
        // Nothing left: a further slice changes nothing.
        assert!(!merge_slice(&conn, 4).unwrap());
    }
}
