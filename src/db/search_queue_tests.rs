use rusqlite::{params, Connection};

use super::*;
use crate::db::migrate;

fn store() -> Connection {
    let mut conn = Connection::open_in_memory().unwrap();
    migrate::apply(&mut conn).unwrap();
    conn
}

fn add(conn: &Connection, i: u32, fold: &str) {
    conn.execute(
        "INSERT INTO companies (id, legal_name, cnpj, slug, status, created_at, updated_at,
             search_fold, sort_name)
         VALUES (?1, ?2, ?3, ?4, 'active', 0, 0, ?5, ?5)",
        params![
            format!("cmp_{i:032x}"),
            format!("Empresa {i}"),
            format!("{i:014}"),
            format!("empresa-{i}"),
            fold
        ],
    )
    .unwrap();
}

fn found(conn: &Connection, text: &str) -> Vec<i64> {
    conn.prepare("SELECT rowid FROM company_search WHERE company_search MATCH ?1 ORDER BY rowid")
        .unwrap()
        .query_map([text], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

fn queued(conn: &Connection) -> i64 {
    conn.query_row("SELECT count(*) FROM company_search_queue", [], |r| {
        r.get(0)
    })
    .unwrap()
}

fn segments(conn: &Connection) -> u64 {
    crate::db::search_upkeep::segments(conn).unwrap()
}

#[test]
fn changes_reach_the_index_when_the_queue_is_applied_in_their_order() {
    let conn = store();
    add(&conn, 1, "padaria sao paulo");
    add(&conn, 2, "mercado sao jose");
    assert_eq!(queued(&conn), 2);
    assert!(
        found(&conn, "paulo").is_empty(),
        "nothing is indexed before the queue is applied"
    );

    assert_eq!(apply(&conn).unwrap(), 2);
    assert_eq!(queued(&conn), 0);
    assert_eq!(found(&conn, "paulo"), vec![1]);
    assert_eq!(found(&conn, "sao"), vec![1, 2]);

    // An update queues the old text's removal, then the new text; a delete, its removal.
    conn.execute_batch(
        "UPDATE companies SET search_fold = 'padaria sao bento' WHERE rowid = 1;
         DELETE FROM companies WHERE rowid = 2;",
    )
    .unwrap();
    assert_eq!(queued(&conn), 3);
    apply(&conn).unwrap();
    assert!(found(&conn, "paulo").is_empty());
    assert_eq!(found(&conn, "bento"), vec![1]);
    assert_eq!(found(&conn, "sao"), vec![1]);
    // The index agrees with its content row by row.
    conn.execute(
        "INSERT INTO company_search (company_search, rank) VALUES ('integrity-check', 1)",
        [],
    )
    .unwrap();
}

#[test]
fn an_update_that_keeps_the_text_queues_nothing() {
    let conn = store();
    add(&conn, 1, "padaria sao paulo");
    apply(&conn).unwrap();
    conn.execute(
        "UPDATE companies SET search_fold = 'padaria sao paulo', legal_name = 'Outra' WHERE rowid = 1",
        [],
    )
    .unwrap();
    assert_eq!(queued(&conn), 0);
    assert_eq!(apply(&conn).unwrap(), 0);
}

#[test]
fn many_changes_applied_together_add_one_segment() {
    let conn = store();
    let before = segments(&conn);
    let tx = conn.unchecked_transaction().unwrap();
    for i in 0..50 {
        // Each statement fires a trigger inside the transaction, as each job of a batch does.
        add(&tx, i, &format!("empresa numero {i} ltda"));
    }
    apply(&tx).unwrap();
    tx.commit().unwrap();
    assert_eq!(segments(&conn), before + 1);
    assert_eq!(found(&conn, "ltda").len(), 50);
}

#[test]
fn an_empty_queue_writes_nothing() {
    let conn = store();
    let before = conn.total_changes();
    assert_eq!(apply(&conn).unwrap(), 0);
    assert_eq!(conn.total_changes(), before);
}
