//! Tests of sealing and opening a copy.

use super::*;

/// A database at `<dir>/s.db` with armario's schema and the rows `sql` inserts.
fn migrated_copy(dir: &Path, sql: &str) -> std::path::PathBuf {
    let path = dir.join("s.db");
    let mut conn = Connection::open(&path).unwrap();
    crate::db::migrate::apply(&mut conn).unwrap();
    conn.execute_batch(sql).unwrap();
    path
}

/// A copy with one company, `cmp_a`, named after `word`, and its user `usr_a`, whose e-mail is
/// `<word>.a@example.com` and e-mail index `x'0102'`.
fn one_company_copy(dir: &Path, word: &str) -> std::path::PathBuf {
    let name = format!("{}{}", word[..1].to_uppercase(), &word[1..]);
    migrated_copy(
        dir,
        &format!(
            "INSERT INTO companies (id, legal_name, cnpj, slug, status, created_at, updated_at, search_fold, sort_name)
             VALUES ('cmp_a', '{name} Alfa Ltda', '11222333000181', '{word}-alfa', 'active', 1, 1, '{word} alfa', '{word} alfa');
             INSERT INTO users (id, company_id, email, name, role, status, password_hash, created_at, updated_at, search_fold, email_index)
             VALUES ('usr_a', 'cmp_a', '{word}.a@example.com', 'Pessoa {name}', 'company_admin', 'active', 'x', 1, 1, 'pessoa {word}', x'0102');"
        ),
    )
}

fn test_ring() -> KeyRing {
    KeyRing::new(&crate::crypto::MasterKey::generate(), &[])
}

fn cell(conn: &Connection, sql: &str) -> Value {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

fn indexes(path: &Path) -> BTreeSet<String> {
    let conn = Connection::open(path).unwrap();
    let mut stmt = conn
        .prepare("SELECT sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL")
        .unwrap();
    let found = stmt.query_map([], |r| r.get(0)).unwrap();
    found.collect::<Result<_, _>>().unwrap()
}

/// The sealed copy has no index: those over sealed columns and the others alike are listed,
/// and the restore builds every one of them again. It has no e-mail index either: the start
/// after the restore works each one out again, and the users' index finds the address.
#[test]
fn the_copy_is_made_without_indexes_and_the_restore_builds_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = one_company_copy(dir.path(), "indice");
    let before = indexes(&path);
    let ring = Arc::new(test_ring());
    let keys = seal_snapshot(&path, &ring).unwrap().keys;
    let email_index = |path: &Path| -> Value {
        let conn = Connection::open(path).unwrap();
        cell(&conn, "SELECT email_index FROM users WHERE id = 'usr_a'")
    };
    assert_eq!(
        email_index(&path),
        Value::Null,
        "the copy keeps no e-mail index"
    );
    let sealed = indexes(&path);
    assert!(
        sealed.is_empty(),
        "the sealed copy keeps no index: {sealed:?}"
    );
    let left_out = before.clone();
    for name in [
        "companies_sort_name_id",
        "companies_slug_live",
        "users_email_index_live",
        "audit_events_company",
        "company_configs_app",
    ] {
        assert!(
            left_out.iter().any(|sql| sql.contains(name)),
            "{name} is left out of the sealed copy: {left_out:?}"
        );
    }
    {
        let conn = Connection::open(&path).unwrap();
        let listed: i64 = conn
            .query_row("SELECT count(*) FROM backup_set_aside_indexes", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(listed as usize, left_out.len());
    }
    unseal_snapshot(&path, &keys).unwrap();
    assert_eq!(indexes(&path), before);
    let conn = Connection::open(&path).unwrap();
    let gone: bool = conn
        .query_row(
            "SELECT NOT EXISTS (SELECT 1 FROM sqlite_schema WHERE name = 'backup_set_aside_indexes')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(gone);
    assert_eq!(email_index(&path), Value::Null);
    // The start after a restore.
    crate::db::company_keys::register(&conn, Some(ring.clone())).unwrap();
    crate::db::company_keys::seal_pending(&crate::db::Db::sqlite(&conn), 2).unwrap();
    let found: String = conn
        .query_row(
            "SELECT id FROM users INDEXED BY users_email_index WHERE email_index = ?1",
            [ring.email_index("indice.a@example.com")],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(found, "usr_a");
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
}

/// Two companies sealed; one key withheld: the other company opens whole, the withheld one's
/// rows are replaced or gone, and no clear canary is left in the file's bytes.
#[test]
fn a_withheld_key_leaves_nothing_of_its_company_in_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = migrated_copy(
        dir.path(),
            "INSERT INTO companies (id, legal_name, cnpj, slug, status, created_at, updated_at, search_fold, sort_name)
             VALUES ('cmp_a', 'Canario Alfa Ltda', '11222333000181', 'canario-alfa', 'active', 1, 1, 'canario alfa', 'canario alfa'),
                    ('cmp_b', 'Vizinha Beta Ltda', '11444777000161', 'vizinha-beta', 'active', 1, 1, 'vizinha beta', 'vizinha beta');
             INSERT INTO users (id, company_id, email, name, role, status, password_hash, created_at, updated_at, search_fold)
             VALUES ('usr_a', 'cmp_a', 'canario.a@example.com', 'Pessoa Canario', 'company_admin', 'active', 'x', 1, 1, 'pessoa canario'),
                    ('usr_b', 'cmp_b', 'vizinha.b@example.com', 'Pessoa Vizinha', 'company_admin', 'active', 'x', 1, 1, 'pessoa vizinha');
             INSERT INTO audit_events (at, actor_kind, company_id, action, ip, details)
             VALUES (1, 'system', 'cmp_a', 'user.created', '203.0.113.9', '{\"email\":\"canario.a@example.com\"}');",
    );
    let mut keys = seal_snapshot(&path, &test_ring()).unwrap().keys;
    assert_eq!(keys.len(), 2);
    // The search index holds no trigram of a sealed name either.
    let found = |conn: &Connection, word: &str| -> i64 {
        conn.query_row(
            "SELECT count(*) FROM company_search WHERE company_search MATCH ?1",
            [word],
            |r| r.get(0),
        )
        .unwrap()
    };
    {
        let conn = Connection::open(&path).unwrap();
        assert_eq!(
            found(&conn, "canario"),
            0,
            "the sealed snapshot's search index"
        );
        assert_eq!(
            found(&conn, "vizinha"),
            0,
            "the sealed snapshot's search index"
        );
        // Not even in segments waiting to be merged: the index holds nothing.
        let segments: i64 = conn
            .query_row("SELECT count(*) FROM company_search_idx", [], |r| r.get(0))
            .unwrap();
        assert_eq!(segments, 0, "the sealed snapshot's search index is empty");
    }
    let bytes = std::fs::read(&path).unwrap();
    for canary in ["canario", "Canario", "vizinha", "203.0.113.9"] {
        assert!(
            !bytes.windows(canary.len()).any(|w| w == canary.as_bytes()),
            "{canary} is in clear in the sealed snapshot"
        );
    }
    keys.remove("cmp_a");
    let report = unseal_snapshot(&path, &keys).unwrap();
    assert_eq!(report.unreadable, BTreeSet::from(["cmp_a".to_string()]));
    let conn = Connection::open(&path).unwrap();
    assert_eq!(
        found(&conn, "vizinha"),
        1,
        "the restored index finds the readable company"
    );
    assert_eq!(found(&conn, "canario"), 0, "nor the unreadable one");
    assert_eq!(
        cell(&conn, "SELECT email FROM users WHERE id = 'usr_b'"),
        Value::Text("vizinha.b@example.com".into())
    );
    assert_eq!(
        cell(&conn, "SELECT name FROM users WHERE id = 'usr_a'"),
        Value::Text("Titular apagado".into())
    );
    assert_eq!(
        cell(&conn, "SELECT details FROM audit_events"),
        Value::Text("{}".into())
    );
    drop(conn);
    let bytes = std::fs::read(&path).unwrap();
    assert!(!bytes.windows(7).any(|w| w == b"canario" || w == b"Canario"));
}

/// A table larger than a page is sealed and opened whole, a page at a time.
#[test]
fn tables_larger_than_a_page_are_sealed_and_opened_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let rows = personal::PAGE * 2 + 1;
    {
        let mut conn = Connection::open(&path).unwrap();
        crate::db::migrate::apply(&mut conn).unwrap();
        conn.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
             INSERT INTO audit_events (at, actor_kind, company_id, action, ip, details)
             SELECT i, 'system', 'cmp_' || (i % 3), 'user.created', '198.51.100.' || (i % 250),
                    '{\"email\":\"p' || i || '@example.com\"}' FROM n",
            [rows as i64],
        )
        .unwrap();
    }
    let in_clear = |path: &Path| -> i64 {
        Connection::open(path)
            .unwrap()
            .query_row(
                "SELECT count(*) FROM audit_events WHERE typeof(details) = 'text' OR typeof(ip) = 'text'",
                [],
                |r| r.get(0),
            )
            .unwrap()
    };
    let keys = seal_snapshot(&path, &test_ring()).unwrap().keys;
    assert_eq!(keys.len(), 3);
    assert_eq!(in_clear(&path), 0);
    let report = unseal_snapshot(&path, &keys).unwrap();
    assert_eq!(report.opened, 2 * rows as u64);
    assert!(report.unreadable.is_empty());
    let conn = Connection::open(&path).unwrap();
    let clear: i64 = conn
        .query_row(
            "SELECT count(*) FROM audit_events WHERE details LIKE '{\"email\":%' AND ip LIKE '198.51.100.%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(clear, rows as i64);
}

/// The copy is sealed under each company's own key from the store (opened with the master
/// key), and the manifest gets those keys; a key that does not open stops the run and names
/// its company, since what it seals would be lost to the backup.
#[test]
fn the_store_keys_seal_the_copy_and_a_key_that_does_not_open_stops_it() {
    let ring = test_ring();
    let (key_a, sealed_a) = ring.new_company_key("cmp_a");
    let companies = "INSERT INTO companies (id, legal_name, cnpj, slug, status, created_at, updated_at, search_fold, sort_name)
         VALUES ('cmp_a', 'Chave Alfa Ltda', '11222333000181', 'chave-alfa', 'active', 1, 1, 'chave alfa', 'chave alfa'),
                ('cmp_b', 'Chave Beta Ltda', '11444777000161', 'chave-beta', 'active', 1, 1, 'chave beta', 'chave beta');
         DELETE FROM company_keys;";
    let with_keys = |dir: &Path, sealed_b: &[u8]| {
        let path = migrated_copy(dir, companies);
        let conn = Connection::open(&path).unwrap();
        let insert = "INSERT INTO company_keys (company_id, sealed, key_id, created_at) VALUES (?1, ?2, ?3, 1)";
        conn.execute(
            insert,
            rusqlite::params!["cmp_a", sealed_a.bytes, sealed_a.key_id],
        )
        .unwrap();
        conn.execute(
            insert,
            rusqlite::params!["cmp_b", sealed_b, sealed_a.key_id],
        )
        .unwrap();
        path
    };

    let dir = tempfile::tempdir().unwrap();
    let (_, sealed_b) = ring.new_company_key("cmp_b");
    let path = with_keys(dir.path(), &sealed_b.bytes);
    let keys = seal_snapshot(&path, &ring).unwrap().keys;
    assert_eq!(keys.len(), 2);
    assert_eq!(keys["cmp_a"], *key_a, "the store's own key, not a new one");
    let conn = Connection::open(&path).unwrap();
    let Value::Blob(name) = cell(&conn, "SELECT legal_name FROM companies WHERE id = 'cmp_a'")
    else {
        panic!("legal_name is not sealed")
    };
    assert_eq!(
        open_cell(&key_a, &aad("companies", "legal_name", "cmp_a"), &name),
        Some(Value::Text("Chave Alfa Ltda".into()))
    );
    let kept: i64 = conn
        .query_row(
            "SELECT count(*) FROM company_keys WHERE sealed IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(kept, 0, "the copy keeps none of the store's keys");

    let dir = tempfile::tempdir().unwrap();
    let path = with_keys(dir.path(), b"not a sealed key");
    let Err(refused) = seal_snapshot(&path, &ring) else {
        panic!("a key that does not open was taken");
    };
    let refused = refused.to_string();
    assert!(
        refused.contains("cmp_b") && refused.contains("does not open"),
        "{refused}"
    );
}

/// The audit events the store sealed are left as they are: the seal reads only the rows the
/// index of events in clear lists, and sets that index aside for the restore to build.
#[test]
fn events_the_store_sealed_are_left_as_they_are() {
    let ring = test_ring();
    let (key_a, sealed_a) = ring.new_company_key("cmp_a");
    let dir = tempfile::tempdir().unwrap();
    let path = migrated_copy(
        dir.path(),
        "INSERT INTO companies (id, legal_name, cnpj, slug, status, created_at, updated_at, search_fold, sort_name)
         VALUES ('cmp_a', 'Registro Alfa Ltda', '11222333000181', 'registro-alfa', 'active', 1, 1, 'registro alfa', 'registro alfa');
         DELETE FROM company_keys;",
    );
    let stored = crate::crypto::cell::seal_cell(
        &key_a,
        &aad("audit_events", "details", "cmp_a"),
        &Value::Text("{\"n\":1}".into()),
    )
    .unwrap();
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute(
            "INSERT INTO company_keys (company_id, sealed, key_id, created_at) VALUES ('cmp_a', ?1, ?2, 1)",
            rusqlite::params![sealed_a.bytes, sealed_a.key_id],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO audit_events (id, at, actor_kind, company_id, action, ip, details)
             VALUES (1, 1, 'user', 'cmp_a', 'user.updated', NULL, ?1),
                    (2, 2, 'user', 'cmp_a', 'user.updated', '203.0.113.1', '{\"n\":2}')",
            [&stored],
        )
        .unwrap();
    }
    let keys = seal_snapshot(&path, &ring).unwrap().keys;
    let conn = Connection::open(&path).unwrap();
    assert_eq!(
        cell(&conn, "SELECT details FROM audit_events WHERE id = 1"),
        stored,
        "a cell the store sealed is not sealed again"
    );
    let Value::Blob(second) = cell(&conn, "SELECT details FROM audit_events WHERE id = 2") else {
        panic!("the event in clear is sealed")
    };
    assert_eq!(
        open_cell(&key_a, &aad("audit_events", "details", "cmp_a"), &second),
        Some(Value::Text("{\"n\":2}".into()))
    );
    let listed: i64 = conn
        .query_row(
            "SELECT count(*) FROM backup_set_aside_indexes WHERE sql LIKE '%audit_events_unsealed%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(listed, 1, "the index of events in clear is set aside");
    drop(conn);
    assert!(!indexes(&path)
        .iter()
        .any(|i| i.contains("audit_events_unsealed")));
    unseal_snapshot(&path, &keys).unwrap();
    let conn = Connection::open(&path).unwrap();
    let pending: i64 = conn
        .query_row(
            "SELECT count(*) FROM audit_events INDEXED BY audit_events_unsealed
             WHERE company_id IS NOT NULL AND (typeof(details) = 'text' OR typeof(ip) = 'text')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        pending, 2,
        "restored in clear, both wait for the server to seal them"
    );
}

/// A backup made before e-mail indexes were left out sealed them: a restore still opens them.
#[test]
fn an_older_backups_sealed_email_index_is_opened() {
    let dir = tempfile::tempdir().unwrap();
    let path = one_company_copy(dir.path(), "antiga");
    let keys = seal_snapshot(&path, &test_ring()).unwrap().keys;
    {
        let conn = Connection::open(&path).unwrap();
        let older = crate::crypto::cell::seal_cell(
            &keys["cmp_a"],
            &aad("users", "email_index", "cmp_a"),
            &Value::Blob(vec![1, 2]),
        )
        .unwrap();
        conn.execute("UPDATE users SET email_index = ?1", [older])
            .unwrap();
    }
    unseal_snapshot(&path, &keys).unwrap();
    let conn = Connection::open(&path).unwrap();
    assert_eq!(
        cell(&conn, "SELECT email_index FROM users WHERE id = 'usr_a'"),
        Value::Blob(vec![1, 2])
    );
}

/// The counts the seal takes before the indexes go are the sealed copy's own, the list of
/// indexes set aside and the emptied search index included: the verification compares them
/// with the stored copy.
#[test]
fn the_counts_taken_while_sealing_are_the_sealed_copys() {
    let dir = tempfile::tempdir().unwrap();
    let path = migrated_copy(
        dir.path(),
            "INSERT INTO companies (id, legal_name, cnpj, slug, status, created_at, updated_at, search_fold, sort_name)
             VALUES ('cmp_a', 'Contada Alfa Ltda', '11222333000181', 'contada-alfa', 'active', 1, 1, 'contada alfa', 'contada alfa'),
                    ('cmp_b', 'Contada Beta Ltda', '11444777000161', 'contada-beta', 'active', 1, 1, 'contada beta', 'contada beta');
             INSERT INTO users (id, company_id, email, name, role, status, password_hash, created_at, updated_at, search_fold, email_index)
             VALUES ('usr_a', 'cmp_a', 'contada.a@example.com', 'Pessoa Contada', 'company_admin', 'active', 'x', 1, 1, 'pessoa contada', x'0102');
             INSERT INTO audit_events (at, actor_kind, company_id, action, ip, details)
             VALUES (1, 'system', 'cmp_a', 'user.created', '203.0.113.9', '{}'),
                    (2, 'system', NULL, 'settings.updated', NULL, '{}');",
    );
    let taken = seal_snapshot(&path, &test_ring()).unwrap().facts;
    let conn = Connection::open(&path).unwrap();
    let counted = facts_of(&conn).unwrap();
    assert_eq!(taken, counted);
    assert_eq!(taken.row_counts["companies"], 2);
    assert_eq!(taken.row_counts["audit_events"], 2);
    assert!(
        taken.row_counts["backup_set_aside_indexes"] > 10,
        "{taken:?}"
    );
}
