-- Plans become objects: a name (unique, folded), a description and limits as a JSON map of
-- named non-negative integers; `max_users` is required and armario enforces it, the other
-- names are for applications. Each company points at its plan and carries a trial end date and
-- a subscription status. Links carry the application's own id for the company.
--
-- Every company keeps the user limit it has: one plan per (folded name, max_users) in use. The
-- combination most companies of a name share keeps the plain name; any other gets the limit
-- appended ("Ouro (10 usuários)"), so no company's effective limit changes.

CREATE TABLE plans (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    name_fold    TEXT NOT NULL UNIQUE,
    description  TEXT NOT NULL DEFAULT '',
    limits       TEXT NOT NULL CHECK (json_valid(limits)
                                      AND json_type(limits, '$.max_users') = 'integer'),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);

CREATE TEMP TABLE plan_combos AS
SELECT fold, max_users, name,
       ROW_NUMBER() OVER (PARTITION BY fold ORDER BY n DESC, max_users) AS rank,
       'pln_' || lower(hex(randomblob(16))) AS id
  FROM (SELECT armario_search_text(plan) AS fold, max_users, MIN(plan) AS name, COUNT(*) AS n
          FROM companies GROUP BY 1, 2);

UPDATE plan_combos SET name = name || ' (' || max_users || ' usuários)' WHERE rank > 1;

INSERT INTO plans (id, name, name_fold, description, limits, created_at, updated_at)
SELECT id, name, armario_search_text(name), '', json_object('max_users', max_users),
       CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
       CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
  FROM plan_combos;

ALTER TABLE companies ADD COLUMN plan_id TEXT REFERENCES plans (id);
UPDATE companies SET plan_id = (SELECT p.id FROM plan_combos p
                                 WHERE p.fold = armario_search_text(companies.plan)
                                   AND p.max_users = companies.max_users);
DROP TABLE plan_combos;
ALTER TABLE companies DROP COLUMN plan;
ALTER TABLE companies DROP COLUMN max_users;
CREATE INDEX companies_plan_id ON companies (plan_id);

-- A date (YYYY-MM-DD), or NULL when the company has no trial.
ALTER TABLE companies ADD COLUMN trial_ends_at TEXT;
ALTER TABLE companies ADD COLUMN subscription_status TEXT NOT NULL DEFAULT 'active'
    CHECK (subscription_status IN ('trial', 'active', 'past_due', 'cancelled'));

ALTER TABLE links ADD COLUMN external_id TEXT;
CREATE UNIQUE INDEX links_application_external_id ON links (application_id, external_id)
    WHERE external_id IS NOT NULL;
