//! Every table of the schema and every text column of a table with personal data is classified
//! in `personal_columns`.

use rusqlite::Connection;

use super::*;

/// Every table is classified, and every text or blob column of a table with personal data
/// is either sealed, emptied or named as clear; what a restore writes instead covers every sealed
/// column.
#[test]
fn every_table_and_text_column_is_classified() {
    let mut conn = Connection::open_in_memory().unwrap();
    crate::db::migrate::apply(&mut conn).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for table in &tables {
        let personal = BY_COMPANY.iter().find(|p| p.table == table);
        match personal {
            None => assert!(
                NOT_PERSONAL.contains(&table.as_str()) || DERIVED_INDEXES.contains(&table.as_str()),
                "table {table} is neither in BY_COMPANY nor in NOT_PERSONAL"
            ),
            Some(p) => {
                assert!(!NOT_PERSONAL.contains(&table.as_str()), "{table} twice");
                let clear = CLEAR
                    .iter()
                    .find(|(t, _)| t == table)
                    .map_or(&[][..], |(_, c)| *c);
                let columns: Vec<(String, String)> = conn
                    .prepare(&format!(
                        "SELECT name, type FROM pragma_table_info('{table}')"
                    ))
                    .unwrap()
                    .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                    .unwrap()
                    .collect::<Result<_, _>>()
                    .unwrap();
                for (column, ty) in columns {
                    if ty == "INTEGER" {
                        continue;
                    }
                    let sealed =
                        p.sealed.contains(&column.as_str()) || p.emptied.contains(&column.as_str());
                    assert!(
                        sealed != clear.contains(&column.as_str()),
                        "{table}.{column} ({ty}) must be either sealed, emptied or clear"
                    );
                }
                if let Unreadable::Replace(with) = p.unreadable {
                    for column in p.sealed.iter().chain(p.emptied) {
                        assert!(
                            with.iter().any(|(c, _)| c == column),
                            "{table}.{column} has nothing to stand in for it"
                        );
                    }
                }
                // The company expression is valid SQL over the table.
                rows_page(&crate::db::Db::sqlite(&conn), p, p.sealed, 0).unwrap();
            }
        }
    }
}
