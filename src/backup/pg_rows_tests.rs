use super::*;
use crate::crypto::MasterKey;
use serde_json::json;

const DUMP: &[u8] = b"PGDMP\x01\x0e\x00 a dump's bytes, as pg_dump wrote them";

fn row(table: &'static str, company: Option<&str>, row: Value) -> SideRow {
    SideRow {
        table,
        company: company.map(str::to_string),
        row: match row {
            Value::Object(m) => m,
            _ => unreachable!(),
        },
    }
}

/// A snapshot of `DUMP` and `rows`, sealed; its keys.
fn snapshot(dir: &Path, rows: Vec<SideRow>) -> (PathBuf, CompanyKeys) {
    let path = dir.join("snapshot.dump");
    std::fs::write(&path, DUMP).unwrap();
    let ring = KeyRing::new(&MasterKey::generate(), &[]);
    let mut writer = Writer::new(&path, &ring);
    for r in rows {
        writer.row(r).unwrap();
    }
    (path.clone(), writer.finish().unwrap())
}

fn company(id: &str, name: &str) -> SideRow {
    row(
        "companies",
        Some(id),
        json!({"id": id, "legal_name": name, "cnpj": "11222333000181", "slug": "slug", "contact_email": null}),
    )
}

#[test]
fn rows_are_sealed_after_the_dump_and_open_with_their_keys() {
    let dir = tempfile::tempdir().unwrap();
    let rows = vec![
        company("cmp_a", "Empresa Alfa"),
        row(
            "invitations",
            Some("cmp_a"),
            json!({"id": 7, "company_id": "cmp_a", "email": "alfa@example.com"}),
        ),
    ];
    let (path, keys) = snapshot(dir.path(), rows.clone());
    let bytes = std::fs::read(&path).unwrap();
    assert!(bytes.starts_with(DUMP));
    let text = String::from_utf8_lossy(&bytes);
    assert!(!text.contains("Empresa Alfa") && !text.contains("alfa@example.com"));
    assert!(
        text.contains("11222333000181"),
        "what is not personal stays in clear"
    );
    assert_eq!(keys.keys().collect::<Vec<_>>(), ["cmp_a"]);

    split(&path).unwrap();
    assert_eq!(
        std::fs::read(&path).unwrap(),
        DUMP,
        "the dump alone is left"
    );
    let mut opener = Opener::new(&path, &keys).unwrap();
    let opened: Vec<SideRow> = (&mut opener).map(|r| r.unwrap()).collect();
    assert_eq!(opened, rows);
    assert_eq!(opener.opened, 3, "the name, the slug and the address");
    assert!(opener.unreadable.is_empty());
}

#[test]
fn a_company_whose_key_is_gone_gets_what_unreadable_says() {
    let dir = tempfile::tempdir().unwrap();
    let rows = vec![
        company("cmp_gone", "Empresa Canario"),
        company("cmp_kept", "Empresa Vizinha"),
        row(
            "invitations",
            Some("cmp_gone"),
            json!({"id": 1, "company_id": "cmp_gone", "email": "canario@example.com"}),
        ),
        row(
            "dpo_contacts",
            None,
            json!({"scope": "platform", "name": "Encarregado"}),
        ),
    ];
    let (path, mut keys) = snapshot(dir.path(), rows);
    keys.remove("cmp_gone");
    split(&path).unwrap();
    let mut opener = Opener::new(&path, &keys).unwrap();
    let opened: Vec<SideRow> = (&mut opener).map(|r| r.unwrap()).collect();
    assert_eq!(
        opened.len(),
        3,
        "the erased company's invitation is left out: {opened:?}"
    );
    let gone = &opened[0].row;
    assert_eq!(gone["legal_name"], "Empresa apagada");
    assert_eq!(gone["cnpj"], "11222333000181");
    assert!(gone["slug"].as_str().unwrap().starts_with("apagada-"));
    assert_eq!(opened[1].row["legal_name"], "Empresa Vizinha");
    assert_eq!(
        opened[2].row["name"], "Encarregado",
        "not a company's row: in clear"
    );
    assert_eq!(opener.unreadable.iter().collect::<Vec<_>>(), ["cmp_gone"]);
    assert_eq!(opener.left_out.get("invitations"), Some(&1));
}

#[test]
fn a_snapshot_from_before_the_rows_is_the_dump_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.dump");
    std::fs::write(&path, DUMP).unwrap();
    split(&path).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), DUMP);
    let keys = CompanyKeys::new();
    assert_eq!(Opener::new(&path, &keys).unwrap().count(), 0);
}

#[test]
fn a_row_moved_to_another_company_does_not_open() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut keys) = snapshot(dir.path(), vec![company("cmp_a", "Empresa Alfa")]);
    split(&path).unwrap();
    let rows = std::fs::read_to_string(rows_beside(&path)).unwrap();
    std::fs::write(rows_beside(&path), rows.replace("cmp_a", "cmp_b")).unwrap();
    let key = keys.remove("cmp_a").unwrap();
    keys.insert("cmp_b".into(), key);
    let mut opener = Opener::new(&path, &keys).unwrap();
    let opened: Vec<SideRow> = (&mut opener).map(|r| r.unwrap()).collect();
    assert_eq!(opened[0].row["legal_name"], "Empresa apagada");
}
