//! Where personal data lives, by company: the columns a backup seals under the company's own
//! data key, and what a restore writes in their place when that key is gone because the company
//! was erased. Every table of the schema is classified here; its test fails until a new
//! table (or a new text column of a listed table) is.

pub use super::personal_indexes::{
    drop_all_indexes, drop_pending_index, rebuild_set_aside_indexes, restore_indexes,
    resume_search_index, set_indexes_aside, suspend_indexes, suspend_search_index,
};
pub use super::personal_rows::{
    empty_all, make_unreadable, present, present_emptied, present_openable, rows_page, seal_all,
    set_row, Row, PAGE,
};

/// The personal columns of one table and how a row finds its company.
pub struct PersonalColumns {
    pub table: &'static str,
    /// An SQL expression over the row giving its company's id (NULL: not a company's row, left
    /// in clear).
    pub company: &'static str,
    /// The columns that identify a row (`rowid`, or the primary key of a table without one).
    pub key: &'static [&'static str],
    /// The columns sealed under the company's key.
    pub sealed: &'static [&'static str],
    /// Columns a backup leaves empty (NULL) instead of sealing them: worked out from sealed ones
    /// (an e-mail's keyed index), they are worked out again when the restored store starts.
    /// A restore still opens them where an older backup sealed them.
    pub emptied: &'static [&'static str],
    /// What a restore does with a row whose company's key is gone.
    pub unreadable: Unreadable,
    /// For a table the store seals itself: the partial index listing its rows still in clear,
    /// and that index's condition. A backup seals only those rows, not the whole table.
    pub pending: Option<Pending>,
}

/// A partial index over the rows of a table that are still in clear.
pub struct Pending {
    pub index: &'static str,
    /// The index's `WHERE`, which a query must repeat to read it.
    pub rows: &'static str,
}

/// What stands in for a company's rows once they can no longer be read.
pub enum Unreadable {
    /// The rows go: they only served the company (sessions, secrets, mail not yet sent).
    Delete,
    /// The sealed columns get these SQL expressions (over the row) instead.
    Replace(&'static [(&'static str, &'static str)]),
}

/// The company of a row of a table keyed by user.
const BY_USER: &str = "(SELECT u.company_id FROM users u WHERE u.id = user_id)";

pub const BY_COMPANY: &[PersonalColumns] = &[
    PersonalColumns {
        table: "companies",
        company: "id",
        key: &["rowid"],
        sealed: &[
            "legal_name",
            "trade_name",
            "contact_email",
            "contact_phone",
            "display_name",
            "logo_data_url",
            "search_fold",
            "sort_name",
            "slug",
        ],
        emptied: &[],
        pending: None,
        unreadable: Unreadable::Replace(&[
            ("legal_name", "'Empresa apagada'"),
            ("trade_name", "NULL"),
            ("contact_email", "NULL"),
            ("contact_phone", "NULL"),
            ("display_name", "NULL"),
            ("logo_data_url", "NULL"),
            ("search_fold", "''"),
            ("sort_name", "'empresa apagada'"),
            ("slug", "'apagada-' || lower(hex(randomblob(6)))"),
        ]),
    },
    PersonalColumns {
        table: "users",
        company: "company_id",
        key: &["rowid"],
        // The store seals all three under the company's key already. The e-mail's index is
        // left out of the copy, so an erased company's addresses cannot be tested against it;
        // the first start after a restore indexes every e-mail again (`seal_pending`).
        sealed: &["email", "name", "search_fold"],
        emptied: &["email_index"],
        pending: None,
        unreadable: Unreadable::Replace(&[
            (
                "email",
                "'apagado-' || lower(hex(randomblob(8))) || '@apagado.invalid'",
            ),
            ("name", "'Titular apagado'"),
            ("search_fold", "''"),
            ("email_index", "NULL"),
        ]),
    },
    PersonalColumns {
        table: "invitations",
        company: "company_id",
        key: &["rowid"],
        sealed: &["email"],
        emptied: &[],
        pending: None,
        unreadable: Unreadable::Delete,
    },
    PersonalColumns {
        table: "company_secrets",
        company: "company_id",
        key: &["company_id", "kind"],
        sealed: &["sealed", "hint"],
        emptied: &[],
        pending: None,
        unreadable: Unreadable::Delete,
    },
    PersonalColumns {
        table: "company_configs",
        company: "company_id",
        key: &["rowid"],
        sealed: &["config"],
        emptied: &[],
        pending: None,
        unreadable: Unreadable::Delete,
    },
    PersonalColumns {
        table: "dpo_contacts",
        company: "(SELECT c.id FROM companies c WHERE c.id = scope)",
        key: &["scope"],
        sealed: &["name", "email", "phone"],
        emptied: &[],
        pending: None,
        unreadable: Unreadable::Delete,
    },
    PersonalColumns {
        table: "audit_events",
        company: "company_id",
        key: &["rowid"],
        // The store seals both under the company's key already (an erased company's events
        // hold pseudonyms in clear, and are sealed here).
        sealed: &["ip", "details"],
        emptied: &[],
        pending: Some(Pending {
            index: "audit_events_unsealed",
            rows: crate::db::company_keys::EVENTS_UNSEALED,
        }),
        unreadable: Unreadable::Replace(&[("ip", "NULL"), ("details", "'{}'")]),
    },
    PersonalColumns {
        table: "outbox",
        company: "company_id",
        key: &["rowid"],
        sealed: &["recipient", "subject", "sealed"],
        emptied: &[],
        pending: None,
        unreadable: Unreadable::Delete,
    },
    PersonalColumns {
        table: "privacy_requests",
        company: "company_id",
        key: &["rowid"],
        sealed: &["details", "notes", "refusal_reason"],
        emptied: &[],
        pending: None,
        unreadable: Unreadable::Replace(&[
            ("details", "''"),
            ("notes", "NULL"),
            ("refusal_reason", "NULL"),
        ]),
    },
    PersonalColumns {
        table: "webhook_deliveries",
        company: "company_id",
        key: &["rowid"],
        sealed: &["payload"],
        emptied: &[],
        pending: None,
        unreadable: Unreadable::Delete,
    },
    PersonalColumns {
        table: "alerts",
        company: "company_id",
        key: &["rowid"],
        sealed: &["facts"],
        emptied: &[],
        pending: None,
        unreadable: Unreadable::Delete,
    },
    PersonalColumns {
        table: "sessions",
        company: BY_USER,
        key: &["token_hash"],
        sealed: &["ip", "user_agent"],
        emptied: &[],
        pending: None,
        unreadable: Unreadable::Delete,
    },
    PersonalColumns {
        table: "email_tokens",
        company: BY_USER,
        key: &["rowid"],
        sealed: &["new_email"],
        emptied: &[],
        pending: None,
        unreadable: Unreadable::Delete,
    },
    PersonalColumns {
        table: "oidc_requests",
        company: "company_id",
        key: &["rowid"],
        sealed: &["login_hint", "state", "nonce"],
        emptied: &[],
        pending: None,
        unreadable: Unreadable::Delete,
    },
];

/// Tables that hold no personal data of a company in clear: ids, states, times, hashes of
/// tokens, the owner's and the applications' own records, values sealed per user (second
/// factors) that are useless without the user's row.
pub const NOT_PERSONAL: &[&str] = &[
    "company_counts",
    "login_failures",
    "company_keys",
    "email_index_key",
    "alert_optouts",
    "app_config_schemas",
    "app_credentials",
    "app_roles",
    "applications",
    "audit_chain",
    "audit_chain_anchor",
    "audit_verification",
    "backup_runs",
    "company_domains",
    "erasures",
    "link_provisioning",
    "links",
    "login_links",
    "magic_links",
    "mfa_challenges",
    "mfa_policies",
    "mfa_recovery_codes",
    "oidc_assertions",
    "oidc_clients",
    "oidc_codes",
    "oidc_consents",
    "oidc_refresh_tokens",
    "oidc_revoked_tokens",
    "password_resets",
    "plans",
    "retention_settings",
    "setup_tokens",
    "signing_keys",
    "sqlite_sequence",
    "usage_daily",
    "user_app_roles",
    "user_totp",
    "webhook_endpoints",
];

/// Indexes derived from sealed columns (the trigram index of the companies' search text,
/// migration 0026), kept in step by triggers: sealing or replacing `companies.search_fold`
/// in a copy re-indexes the new value. They hold no value of their own, and a snapshot is better
/// off dropping them (trigrams of a company's name) and a restore rebuilding them
/// (`INSERT INTO company_search (company_search) VALUES ('rebuild')`).
pub const DERIVED_INDEXES: &[&str] = &[
    "company_search",
    "company_search_config",
    "company_search_data",
    "company_search_docsize",
    "company_search_idx",
    "company_search_pending",
];

/// Columns of the listed tables that stay in clear: ids, states, times, hashes, the CNPJ (kept
/// after an erasure by default), roles and languages.
pub const CLEAR: &[(&str, &[&str])] = &[
    (
        "companies",
        &[
            "id",
            "cnpj",
            "status",
            "primary_color",
            "plan_id",
            "trial_ends_at",
            "subscription_status",
        ],
    ),
    (
        "users",
        &[
            "id",
            "company_id",
            "role",
            "status",
            "password_hash",
            "language",
        ],
    ),
    (
        "invitations",
        &[
            "id",
            "company_id",
            "role",
            "token_hash",
            "created_by",
            "language",
        ],
    ),
    ("company_secrets", &["company_id", "kind", "key_id"]),
    ("company_configs", &["company_id", "application_id"]),
    ("dpo_contacts", &["scope"]),
    (
        "audit_events",
        &[
            "actor_kind",
            "actor_id",
            "company_id",
            "action",
            "target_kind",
            "target_id",
        ],
    ),
    (
        "outbox",
        &[
            "message_id",
            "kind",
            "company_id",
            "key_id",
            "status",
            "last_error",
        ],
    ),
    (
        "privacy_requests",
        &[
            "id",
            "company_id",
            "subject_id",
            "requested_by",
            "kind",
            "status",
        ],
    ),
    (
        "webhook_deliveries",
        &[
            "endpoint_id",
            "company_id",
            "event_id",
            "event_type",
            "status",
            "last_error",
        ],
    ),
    ("alerts", &["kind", "cause", "company_id"]),
    ("sessions", &["token_hash", "user_id", "id"]),
    ("email_tokens", &["token_hash", "user_id", "purpose"]),
    (
        "oidc_requests",
        &[
            "id",
            "application_id",
            "redirect_uri",
            "scope",
            "code_challenge",
            "company_id",
            "prompt",
        ],
    ),
];

#[cfg(test)]
#[path = "personal_columns_tests.rs"]
mod tests;
