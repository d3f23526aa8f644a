use super::*;

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn load_env(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
    Settings::load(&Overrides::default(), env(pairs))
}

#[test]
fn layers_override_in_order_and_files_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let toml_path = dir.path().join("armario.toml");
    std::fs::write(
        &toml_path,
        "addr = \"0.0.0.0:1\"\nsession_ttl_secs = 60\n[backup]\ns3_bucket = \"b\"\nretention_days = 7\n",
    )
    .unwrap();
    let key_path = dir.path().join("key");
    std::fs::write(&key_path, "secret-value\n").unwrap();
    let key_path = key_path.display().to_string();
    let o = Overrides {
        config: Some(toml_path),
        addr: Some("127.0.0.1:3".into()),
        ..Default::default()
    };
    let vars = env(&[
        ("ARMARIO_ADDR", "127.0.0.1:2"),
        ("ARMARIO_MASTER_KEY_FILE", &key_path),
        ("ARMARIO_BACKUP_S3_PATH_STYLE", "yes"),
        ("ARMARIO_CONFIG", "ignored: the flag wins"),
        ("HOME", "/root"),
    ]);
    let s = Settings::load(&o, vars).unwrap();
    assert_eq!(s.addr, "127.0.0.1:3");
    assert_eq!(s.session_ttl_secs, 60);
    assert_eq!(s.backup.s3_bucket.as_deref(), Some("b"));
    assert_eq!(s.backup.retention_days, Some(7));
    assert_eq!(s.backup.s3_path_style, Some(true));
    assert_eq!(s.master_key.as_ref().unwrap().expose(), "secret-value");
}

#[test]
fn defaults_without_any_setting() {
    let s = load_env(&[]).unwrap();
    assert_eq!(s.addr, "127.0.0.1:8080");
    assert_eq!(s.data_dir, PathBuf::from("armario-data"));
    assert_eq!(s.synchronous, Synchronous::Full);
    assert_eq!(s.read_pool_size, super::default_readers());
    assert_eq!(s.max_body_bytes, 262144);
    assert_eq!(s.usage_flush_secs, 5);
    assert_eq!(s.signup_max_total, 100);
    assert_eq!(s.login_backoff_max_ms, 2000);
    assert!(!s.trust_proxy && !s.cookie_secure);
}

#[test]
fn empty_values_are_unset() {
    let s = load_env(&[("ARMARIO_MASTER_KEY", ""), ("ARMARIO_READ_POOL_SIZE", " ")]).unwrap();
    assert!(s.master_key.is_none());
    assert_eq!(s.read_pool_size, super::default_readers());
}

#[test]
fn bad_values_name_the_key() {
    for (var, value, reason) in [
        (
            "ARMARIO_SYNCHRONOUS",
            "sometimes",
            "expected full or normal",
        ),
        ("ARMARIO_ADDR", "127.0.0.1:http", "port"),
        ("ARMARIO_ADDR", "localhost", "host:port"),
        ("ARMARIO_READ_POOL_SIZE", "eight", "eight"),
        ("ARMARIO_MAX_BODY_BYTES", "big", "expected a whole number"),
        ("ARMARIO_COOKIE_SECURE", "perhaps", "expected true or false"),
        ("ARMARIO_TRUST_PROXY", "maybe", "maybe"),
        ("ARMARIO_SESSION_TTL_SECS", "0", "at least 1"),
        ("ARMARIO_USAGE_FLUSH_SECS", "soon", "soon"),
        ("ARMARIO_SIGNUP_MAX_PER_IP", "-1", "-1"),
        ("ARMARIO_BACKUP_RETENTION_DAYS", "a month", "a month"),
    ] {
        let err = load_env(&[(var, value)]).unwrap_err().to_string();
        assert!(err.contains(var), "{var}: {err}");
        assert!(err.contains(reason), "{var}: {err}");
    }
}

#[test]
fn bad_values_in_the_file_name_the_key_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("armario.toml");
    std::fs::write(&path, "[backup]\nretention_days = \"forever\"\n").unwrap();
    let o = Overrides {
        config: Some(path),
        ..Default::default()
    };
    let err = Settings::load(&o, Vec::new()).unwrap_err().to_string();
    assert!(err.contains("backup.retention_days"), "{err}");
}

#[test]
fn a_bad_secret_is_named_without_its_value() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("armario.toml");
    std::fs::write(&path, "metrics_token = 123456789\n").unwrap();
    let o = Overrides {
        config: Some(path),
        ..Default::default()
    };
    let err = Settings::load(&o, Vec::new()).unwrap_err().to_string();
    assert!(err.contains("metrics_token"), "{err}");
    assert!(!err.contains("123456789"), "{err}");
}

#[test]
fn unknown_keys_name_the_nearest_known_one() {
    let err = load_env(&[("ARMARIO_BAKUP_S3_BUCKET", "b")])
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "unknown setting ARMARIO_BAKUP_S3_BUCKET in the environment; \
         did you mean ARMARIO_BACKUP_S3_BUCKET?"
    );
    let err = load_env(&[("ARMARIO_MASTR_KEY_FILE", "/k")])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("did you mean ARMARIO_MASTER_KEY_FILE?"),
        "{err}"
    );
}

#[test]
fn variables_read_elsewhere_are_not_settings_but_are_known() {
    let s = load_env(&[
        ("ARMARIO_URL", "http://127.0.0.1:1"),
        ("ARMARIO_SETUP_URL", "http://127.0.0.1:1/admin/setup"),
        ("ARMARIO_SCREENSHOTS", "/tmp/shots"),
        ("ARMARIO_MASTER_KEY_PREVIOUS", "aa,bb"),
    ])
    .unwrap();
    assert_eq!(s.master_key_previous.unwrap().expose(), "aa,bb");
}

#[test]
fn a_value_and_its_file_together_are_refused() {
    let err = load_env(&[
        ("ARMARIO_METRICS_TOKEN", "t"),
        ("ARMARIO_METRICS_TOKEN_FILE", "/nonexistent"),
    ])
    .unwrap_err()
    .to_string();
    assert!(err.contains("ARMARIO_METRICS_TOKEN_FILE"), "{err}");
}

#[test]
fn debug_redacts_every_secret() {
    let s = load_env(&[
        ("ARMARIO_MASTER_KEY", "mk-sentinel"),
        ("ARMARIO_MASTER_KEY_PREVIOUS", "prev-sentinel"),
        ("ARMARIO_METRICS_TOKEN", "token-sentinel"),
        ("ARMARIO_BACKUP_S3_ACCESS_KEY", "access-sentinel"),
        ("ARMARIO_BACKUP_S3_SECRET_KEY", "secret-sentinel"),
    ])
    .unwrap();
    let shown = format!("{s:?}");
    assert!(!shown.contains("sentinel"), "{shown}");
    assert!(shown.contains("<redacted>"), "{shown}");
}

#[test]
fn erasure_keep_defaults_to_fiscal_fields_and_names_an_unknown_one() {
    let s = load_env(&[]).unwrap();
    assert_eq!(s.erasure_keep, vec!["cnpj", "created_at"]);
    let s = load_env(&[("ARMARIO_ERASURE_KEEP", "cnpj, legal_name")]).unwrap();
    assert_eq!(s.erasure_keep, vec!["cnpj", "legal_name"]);
    let s = load_env(&[("ARMARIO_ERASURE_KEEP", "none")]).unwrap();
    assert!(s.erasure_keep.is_empty());
    let err = load_env(&[("ARMARIO_ERASURE_KEEP", "cnpj,password_hash")])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("ARMARIO_ERASURE_KEEP") && err.contains("password_hash"),
        "{err}"
    );
}
