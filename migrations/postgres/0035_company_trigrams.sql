-- The companies' search text, indexed by trigram where the company wall lets a search use it.
--
-- A search matches `search_fold LIKE '%…%'`. Behind row-level security PostgreSQL runs a
-- function that is not leak-proof (`LIKE`, and pg_trgm's operators) only on the rows the wall
-- has let through, so no index can serve it and every search read every company. Equality of
-- texts is leak-proof: `company_trigrams` holds one row per distinct trigram (three characters)
-- of each company's folded search text, and a search looks its text's rarest trigrams up by
-- equality (`db::company_list`), as the file looks them up in its FTS5 index; the `LIKE` still
-- decides on the rows found, so answers are unchanged.
--
-- Derived from `companies.search_fold` by the triggers below, whichever code path writes a
-- company. It holds trigrams of companies' names in clear: behind the same wall as the
-- companies, left out of a backup's data (the names travel sealed beside the dump) and built
-- again after a restore (`db::pg::backup`); `migrate-store` does not copy it but builds it
-- once after the companies are copied.
CREATE TABLE IF NOT EXISTS company_trigrams (
    trigram     TEXT NOT NULL,
    company_id  TEXT NOT NULL,
    PRIMARY KEY (trigram, company_id)
);
ALTER TABLE company_trigrams ENABLE ROW LEVEL SECURITY;
ALTER TABLE company_trigrams FORCE ROW LEVEL SECURITY;
CREATE POLICY company_wall ON company_trigrams
    USING (armario_sees(company_id)) WITH CHECK (armario_sees(company_id));

-- The distinct trigrams of a text, as `db::search_terms::trigrams` counts them (characters, not
-- bytes).
CREATE FUNCTION armario_trigrams(t TEXT) RETURNS TEXT[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT substr(t, i, 3)), '{}')
    FROM generate_series(1, char_length(t) - 2) AS i
$$;

CREATE FUNCTION armario_company_trigrams() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        DELETE FROM company_trigrams
        WHERE trigram = ANY (armario_trigrams(OLD.search_fold)) AND company_id = OLD.id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO company_trigrams (trigram, company_id)
        SELECT t, NEW.id FROM unnest(armario_trigrams(NEW.search_fold)) AS t;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER company_trigrams_insert_delete AFTER INSERT OR DELETE ON companies
    FOR EACH ROW EXECUTE FUNCTION armario_company_trigrams();
CREATE TRIGGER company_trigrams_update AFTER UPDATE OF search_fold ON companies
    FOR EACH ROW WHEN (OLD.search_fold IS DISTINCT FROM NEW.search_fold)
    EXECUTE FUNCTION armario_company_trigrams();

-- The companies already there (the migration reads past the wall).
SELECT set_config('armario.scope', 'platform', true);
INSERT INTO company_trigrams (trigram, company_id)
SELECT t, c.id FROM companies c, unnest(armario_trigrams(c.search_fold)) AS t;
SELECT set_config('armario.scope', '', true);
