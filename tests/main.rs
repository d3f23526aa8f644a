//! The integration suite: one test binary, one module per area (`cargo test --test suite
//! core_users::` runs one). Most tests start the server inside this process through
//! `armario::app::serve_until` on `127.0.0.1:0`; the few that need a real process (the CLI,
//! signals, SIGKILL, logs, start-up failures) spawn the binary through the same fixture.
//! A new file `tests/x.rs` becomes part of the suite with one line here: `mod x;`.

mod backup_support;
mod common;

mod alerts;
mod api_language;
mod app_roles;
mod approvals_queue;
mod apps;
mod audit_names;
mod backup_compat;
mod backup_engine;
mod backup_operations;
mod backup_s3;
mod backup_scratch;
mod backup_server;
mod backup_stop;
mod capabilities;
mod clients;
mod cnpj;
mod company_keys;
mod company_sort;
mod config_schema;
mod contract;
mod core_audit;
mod core_bad_input;
mod core_canary;
mod core_cli;
mod core_companies;
mod core_cookies;
mod core_headers;
mod core_isolation;
mod core_lifecycle;
mod core_sessions;
mod core_setup;
mod core_users;
mod crash_suite;
mod deploy;
mod docs_browser;
mod e2e;
mod email_address;
mod erasure;
mod erasure_backups;
mod export;
mod external_ids;
mod hosts;
mod input_refusals;
mod invitations;
mod invitations_more;
mod keys;
mod list_pages;
mod lockout;
mod magic_link;
mod mail_outbox;
mod master_key;
mod metrics;
mod mfa;
mod oidc_flow;
mod oidc_keys;
mod oidc_rp;
mod plan_name;
mod plans;
mod privacy_requests;
mod provisioning;
mod replicas;
mod request_types;
mod search_fold;
mod sessions_view;
mod settings;
mod signup_squat;
mod smoke;
mod spec_document;
mod storage;
mod storage_full;
mod store_both;
mod store_move;
mod web_surface;
mod webhook_failures;
mod webhooks;

/// With `autotests = false`, a file in `tests/` that is not declared above would never run.
#[test]
fn every_test_file_is_a_module_of_the_suite() {
    let main = include_str!("main.rs");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    for entry in std::fs::read_dir(dir).expect("tests/") {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .to_string();
        let Some(module) = name.strip_suffix(".rs").filter(|m| *m != "main") else {
            continue;
        };
        assert!(
            main.lines().any(|l| l == format!("mod {module};")),
            "tests/{name} is not part of the suite: add `mod {module};` to tests/main.rs"
        );
    }
}
mod audit_chain;
mod reports;
mod retention;
mod retention_settings;
