-- Webhooks. An application's endpoints: where to send which events. The signing secrets
-- (the current one and, for a day after a rotation, the previous one) are sealed together as
-- one JSON value (associated data `webhook_endpoints/secrets/<id>`). `failing_since` is the
-- time of the first failed attempt after the last success: an endpoint failing for days is
-- disabled (`disabled_reason = 'failing'`) and the owner alerted.
CREATE TABLE webhook_endpoints (
    id                TEXT PRIMARY KEY,
    application_id    TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    url               TEXT NOT NULL,
    event_types       TEXT NOT NULL,
    enabled           INTEGER NOT NULL DEFAULT 1,
    secrets_sealed    BLOB NOT NULL,
    key_id            TEXT NOT NULL,
    previous_until    INTEGER,
    failing_since     INTEGER,
    disabled_reason   TEXT,
    disabled_at       INTEGER,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);
CREATE INDEX webhook_endpoints_app ON webhook_endpoints (application_id);

-- The webhook outbox: one row per (event, endpoint), written in the same transaction as the
-- change. Sent in order per (endpoint, company): a row waits while an older one of the same
-- pair is pending or failed. `failed` rows are retried; `dead` rows are the dead letters.
CREATE TABLE webhook_deliveries (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    endpoint_id      TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    company_id       TEXT NOT NULL,
    event_id         TEXT NOT NULL,
    event_type       TEXT NOT NULL,
    payload          TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'failed', 'delivered', 'dead')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    response_code    INTEGER,
    latency_ms       INTEGER,
    last_error       TEXT,
    created_at       INTEGER NOT NULL,
    last_attempt_at  INTEGER,
    delivered_at     INTEGER
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_order ON webhook_deliveries (endpoint_id, company_id, id);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id);
