//! The tables a move copies, read from the SQLite schema this binary creates: their columns in
//! declared order, their primary keys (the order rows are read and hashed in) and an order in
//! which every table comes after the tables it references.

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::Connection;

/// Tables derived from others: rebuilt by the target's own triggers, never copied.
const DERIVED: &[&str] = &["company_search", "company_counts"];

#[derive(Clone, Debug)]
pub struct Shape {
    pub name: String,
    pub columns: Vec<Column>,
    /// Indexes into `columns`, in key order.
    pub key: Vec<usize>,
    /// Whether the schema itself writes rows here (the audit chain's genesis anchor): a new
    /// target holds them already, and a move replaces them with the source's.
    pub seeded: bool,
}

#[derive(Clone, Debug)]
pub struct Column {
    pub name: String,
    /// The declared SQLite type (`INTEGER`, `TEXT`, `BLOB`, …).
    pub declared: String,
}

impl Shape {
    pub fn column_list(&self) -> String {
        self.columns
            .iter()
            .map(|c| format!("\"{}\"", c.name))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

pub fn tables() -> Result<Vec<Shape>, String> {
    let conn = crate::db::migrate::schema_in_memory().map_err(|e| e.to_string())?;
    read(&conn).map_err(|e| format!("cannot read the schema: {e}"))
}

fn read(conn: &Connection) -> rusqlite::Result<Vec<Shape>> {
    let names: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
             ORDER BY name",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let names: Vec<String> = names
        .into_iter()
        .filter(|n| {
            !DERIVED
                .iter()
                .any(|d| n == d || n.starts_with(&format!("{d}_")))
        })
        .collect();
    let mut shapes = BTreeMap::new();
    let mut refs: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for name in &names {
        let mut columns = Vec::new();
        let mut keyed = Vec::new();
        let mut stmt =
            conn.prepare("SELECT name, type, pk FROM pragma_table_info(?1) ORDER BY cid")?;
        let mut rows = stmt.query([name])?;
        while let Some(r) = rows.next()? {
            let pk: i64 = r.get(2)?;
            if pk > 0 {
                keyed.push((pk, columns.len()));
            }
            columns.push(Column {
                name: r.get(0)?,
                declared: r.get::<_, String>(1)?.to_ascii_uppercase(),
            });
        }
        keyed.sort();
        let key = if keyed.is_empty() {
            (0..columns.len()).collect()
        } else {
            keyed.into_iter().map(|k| k.1).collect()
        };
        let seeded: bool = conn.query_row(
            &format!("SELECT EXISTS (SELECT 1 FROM \"{name}\")"),
            [],
            |r| r.get(0),
        )?;
        let targets: BTreeSet<String> = conn
            .prepare("SELECT DISTINCT \"table\" FROM pragma_foreign_key_list(?1)")?
            .query_map([name], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        refs.insert(
            name.clone(),
            targets.into_iter().filter(|t| t != name).collect(),
        );
        shapes.insert(
            name.clone(),
            Shape {
                name: name.clone(),
                columns,
                key,
                seeded,
            },
        );
    }
    let mut ordered = Vec::with_capacity(shapes.len());
    let mut placed = BTreeSet::new();
    while placed.len() < names.len() {
        let ready: Vec<String> = names
            .iter()
            .filter(|n| !placed.contains(*n))
            .filter(|n| refs[*n].iter().all(|t| placed.contains(t)))
            .cloned()
            .collect();
        assert!(
            !ready.is_empty(),
            "the schema's foreign keys form a cycle among {:?}",
            names
                .iter()
                .filter(|n| !placed.contains(*n))
                .collect::<Vec<_>>()
        );
        for n in ready {
            ordered.push(shapes.remove(&n).expect("shape"));
            placed.insert(n);
        }
    }
    Ok(ordered)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_table_comes_after_what_it_references_and_derived_ones_are_left_out() {
        let tables = super::tables().unwrap();
        let pos = |n: &str| tables.iter().position(|t| t.name == n).unwrap();
        assert!(pos("plans") < pos("companies"));
        assert!(pos("companies") < pos("users"));
        assert!(pos("users") < pos("sessions"));
        assert!(pos("app_roles") < pos("user_app_roles"));
        assert!(!tables.iter().any(|t| t.name.starts_with("company_search")));
        assert!(!tables.iter().any(|t| t.name == "company_counts"));
        let users = &tables[pos("users")];
        assert_eq!(users.key.len(), 1);
        assert_eq!(users.columns[users.key[0]].name, "id");
        let seeded: Vec<&str> = tables
            .iter()
            .filter(|t| t.seeded)
            .map(|t| t.name.as_str())
            .collect();
        assert_eq!(seeded, ["audit_chain_anchor"]);
    }
}
