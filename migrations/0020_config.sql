-- Per-company configuration declared by applications. An application's schema (a checked
-- subset of JSON Schema, stored as sent) with a version raised by each change, and the
-- owner's defaults for it. Values are kept per (company, application) as one JSON object; a
-- schema change never rewrites them: values that no longer fit are reported on read.
-- `IF NOT EXISTS`: a database rolled back to an older `user_version` (tests/plan_name.rs)
-- applies this again over the tables it already has.
CREATE TABLE IF NOT EXISTS app_config_schemas (
    application_id  TEXT PRIMARY KEY REFERENCES applications (id) ON DELETE CASCADE,
    schema          TEXT NOT NULL,
    version         INTEGER NOT NULL,
    defaults        TEXT NOT NULL DEFAULT '{}',
    updated_at      INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS company_configs (
    company_id      TEXT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    application_id  TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    config          TEXT NOT NULL,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (company_id, application_id)
);
CREATE INDEX IF NOT EXISTS company_configs_app ON company_configs (application_id);
