//! Keeping the company search index in few pieces.
//!
//! FTS5 keeps its index as a set of segments: each write transaction adds one, and its automatic
//! merges keep a few per level, so an index built by `rebuild` or grown company by company holds
//! ten or more. A search looks each trigram up in every segment: on a million companies, merging
//! eleven segments into one made the search by name about 10% faster. Merging is done a slice
//! at a time (`merge` with a negative page count merges every level into one, incrementally),
//! each slice its own short write, so other writes wait for a slice, never for the whole index.
//!
//! Changes reach the index once per write transaction: the triggers on `companies` queue them
//! in `company_search_pending` (migration 0031) and [`index_pending`] hands the queue over just
//! before the commit. Written statement by statement, the index wrote a segment each time a
//! statement opened a savepoint after a company changed: one per company in a batch.
use crate::db::sql::Db;

/// Segments above which the index is merged into one. FTS5's own merges keep up to three per
/// level, and the small ones cost a search little (their pages stay cached); a `rebuild` leaves
/// about a dozen large ones. Merging rewrites the whole index (150 MB for a million companies),
/// so a platform adding companies every day merges about once a day, not on every look.
pub const MERGE_ABOVE: u64 = 8;

/// Leaf pages (about 4 KiB each) merged per slice: a few milliseconds of the writer.
pub const SLICE_PAGES: u32 = 256;

/// How many segments the search index holds (one row of `company_search_idx` per leaf page of
/// each segment's term index, keyed by segment).
pub fn segments(conn: &Db) -> rusqlite::Result<u64> {
    let n: i64 = conn
        .prepare_cached("SELECT COUNT(DISTINCT segid) FROM company_search_idx")?
        .query_row([], |r| r.get(0))?;
    Ok(n.max(0) as u64)
}

/// Merges up to `pages` leaf pages of the index towards a single segment. Returns whether there
/// was work to do (FTS5 changes rows of its own tables only when it merges).
pub fn merge_slice(conn: &Db, pages: u32) -> rusqlite::Result<bool> {
    let conn = conn.sqlite_only("the company search index")?;
    let before = conn.total_changes();
    conn.prepare_cached("INSERT INTO company_search (company_search, rank) VALUES ('merge', ?1)")?
        .execute([-i64::from(pages)])?;
    Ok(conn.total_changes() - before >= 2)
}

/// Hands the queued changes of companies' search text to the index and empties the queue: one
/// statement, so the index writes them as one segment at the commit. Run inside a write transaction (the one that queued them, just before its commit;
/// at start, one of its own for what another program's writes left queued), so the queue is
/// never applied twice. Returns whether there was any.
pub fn index_pending(conn: &Db) -> rusqlite::Result<bool> {
    let queued: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM company_search_pending)")?
        .query_row([], |r| r.get(0))?;
    if queued {
        // Of a company's queued changes only two matter: its first, when it removes the text
        // the index holds (a rename or a removal of a company that was there before), and its
        // last, when it adds the text the company ends with. A NULL command adds, 'delete'
        // removes. In order of rowid, since FTS5 writes out what it holds whenever a change
        // comes for a smaller rowid, or adds a rowid twice.
        conn.prepare_cached(
            "INSERT INTO company_search (company_search, rowid, search_fold)
             SELECT op, rid, text FROM (
                 SELECT op, rid, text, seq,
                        row_number() OVER (PARTITION BY rid ORDER BY seq) AS nth,
                        row_number() OVER (PARTITION BY rid ORDER BY seq DESC) AS nth_last
                 FROM company_search_pending)
             WHERE (op = 'delete' AND nth = 1) OR (op IS NULL AND nth_last = 1)
             ORDER BY rid, seq",
        )?
        .execute([])?;
        conn.prepare_cached("DELETE FROM company_search_pending")?
            .execute([])?;
    }
    Ok(queued)
}

/// Forgets the queued changes: for a caller that empties or rebuilds the whole index, after
/// which they would be applied twice.
pub fn forget_pending(conn: &Db) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM company_search_pending")?
        .execute([])
        .map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::migrate;

    fn store_with_companies(n: usize) -> rusqlite::Connection {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
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
            index_pending(&crate::db::Db::sqlite(&conn)).unwrap();
        }
        conn
    }

    fn found(conn: &Db, text: &str) -> Vec<i64> {
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
        assert!(index_pending(&crate::db::Db::sqlite(&conn)).unwrap());
        assert_eq!(found(&crate::db::Db::sqlite(&conn), "bento"), vec![2]);
        assert_eq!(found(&crate::db::Db::sqlite(&conn), "padaria").len(), 2);
        conn.execute(
            "INSERT INTO company_search (company_search, rank) VALUES ('integrity-check', 1)",
            [],
        )
        .unwrap();
    }

    #[test]
    fn a_transaction_s_changes_reach_the_index_as_one_segment_in_their_order() {
        let conn = store_with_companies(2);
        let before = segments(&crate::db::Db::sqlite(&conn)).unwrap();
        let tx = conn.unchecked_transaction().unwrap();
        // Statements one by one, as a batch of writes runs them: each opens a savepoint, where
        // FTS5 wrote out what it held whenever it was already part of the transaction.
        for i in 2..7 {
            tx.execute(
                "INSERT INTO companies (id, legal_name, cnpj, slug, status, created_at,
                     updated_at, search_fold, sort_name)
                 VALUES (?1, 'x', ?2, ?3, 'active', 0, 0, ?4, ?4)",
                rusqlite::params![
                    format!("cmp_{i:032x}"),
                    format!("{i:014}"),
                    format!("mercado-{i}"),
                    format!("mercado sao bento {i}"),
                ],
            )
            .unwrap();
        }
        // Renamed, then renamed again, then removed: the queue keeps the order.
        let renamed = "cmp_00000000000000000000000000000003";
        for name in ["loja sao jose", "loja sao pedro"] {
            tx.execute(
                "UPDATE companies SET search_fold = ?1 WHERE id = ?2",
                [name, renamed],
            )
            .unwrap();
        }
        tx.execute(
            "DELETE FROM companies WHERE id = 'cmp_00000000000000000000000000000004'",
            [],
        )
        .unwrap();
        // Nothing reached the index yet: it still answers as before the transaction.
        assert!(found(&crate::db::Db::sqlite(&tx), "bento").is_empty());
        assert!(index_pending(&crate::db::Db::sqlite(&tx)).unwrap());
        tx.commit().unwrap();

        assert_eq!(segments(&crate::db::Db::sqlite(&conn)).unwrap(), before + 1);
        assert_eq!(found(&crate::db::Db::sqlite(&conn), "bento"), vec![3, 6, 7]);
        assert_eq!(found(&crate::db::Db::sqlite(&conn), "pedro"), vec![4]);
        assert!(found(&crate::db::Db::sqlite(&conn), "jose").is_empty());
        let queued: i64 = conn
            .query_row("SELECT COUNT(*) FROM company_search_pending", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(queued, 0);
        assert!(!index_pending(&crate::db::Db::sqlite(&conn)).unwrap());
        conn.execute(
            "INSERT INTO company_search (company_search, rank) VALUES ('integrity-check', 1)",
            [],
        )
        .unwrap();
    }

    #[test]
    fn slices_merge_the_index_into_one_segment_with_the_same_answers() {
        let conn = store_with_companies(300);
        let before = segments(&crate::db::Db::sqlite(&conn)).unwrap();
        assert!(before > MERGE_ABOVE, "{before} segments");
        let answers = (
            found(&crate::db::Db::sqlite(&conn), "\"o 12\""),
            found(&crate::db::Db::sqlite(&conn), "\"pau\""),
        );
        assert_eq!(answers.1.len(), 300);

        let mut slices = 0;
        while merge_slice(&crate::db::Db::sqlite(&conn), 4).unwrap() {
            slices += 1;
            assert!(slices < 10_000, "the merge never ends");
        }
        assert!(slices > 1, "merged in {slices} slice(s)");
        assert_eq!(segments(&crate::db::Db::sqlite(&conn)).unwrap(), 1);
        assert_eq!(
            (
                found(&crate::db::Db::sqlite(&conn), "\"o 12\""),
                found(&crate::db::Db::sqlite(&conn), "\"pau\"")
            ),
            answers
        );
        conn.execute(
            "INSERT INTO company_search (company_search) VALUES ('integrity-check')",
            [],
        )
        .unwrap();
        // Nothing left: a further slice changes nothing.
        assert!(!merge_slice(&crate::db::Db::sqlite(&conn), 4).unwrap());
    }
}
