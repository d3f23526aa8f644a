-- The company wall's test, written so the planner can estimate it. As `a = b OR …` with no
-- column on either side of the scope's comparison, PostgreSQL guessed that the wall keeps one
-- row in two hundred, and a page of the owner's companies list (every company visible) was
-- planned as a scan of the whole table and a sort instead of a walk down the sort order's
-- index. A CASE is estimated at one row in two: the list walks its index again. Who sees
-- what is unchanged: the platform scope sees every row; a company's transaction only rows of
-- that company; with neither set, nothing.
CREATE OR REPLACE FUNCTION armario_sees(row_company TEXT) RETURNS BOOLEAN
LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN coalesce(current_setting('armario.scope', true), '') = 'platform' THEN true
        ELSE row_company IS NOT NULL
             AND row_company = nullif(current_setting('armario.company_id', true), '')
    END
$$;

-- The number of companies per status, kept by triggers as SQLite's version 26 keeps it: the
-- owner's companies list shows how many there are on every page, and counting the rows (each
-- through the wall) grows with the platform. Derived, like SQLite's: `migrate-store` does not
-- copy it, the triggers fill it as the companies arrive.
CREATE TABLE IF NOT EXISTS company_counts (
    status  TEXT PRIMARY KEY,
    n       BIGINT NOT NULL
);

CREATE FUNCTION armario_company_counts() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE company_counts SET n = n - 1 WHERE status = OLD.status;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO company_counts (status, n) VALUES (NEW.status, 1)
        ON CONFLICT (status) DO UPDATE SET n = company_counts.n + 1;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER company_counts_insert_delete AFTER INSERT OR DELETE ON companies
    FOR EACH ROW EXECUTE FUNCTION armario_company_counts();
CREATE TRIGGER company_counts_update AFTER UPDATE OF status ON companies
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION armario_company_counts();

-- The companies already there, every one of them (the migration reads past the wall).
SELECT set_config('armario.scope', 'platform', true);
DELETE FROM company_counts;
INSERT INTO company_counts (status, n) SELECT status, count(*) FROM companies GROUP BY status;
SELECT set_config('armario.scope', '', true);
