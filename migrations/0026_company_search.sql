-- Reads that stay fast with a million companies.
--
-- Name search: `search_fold LIKE '%…%'` cannot use a B-tree index, so every search read the
-- whole table. `company_search` is an FTS5 index over the folded search text (names and slug)
-- with the trigram tokenizer: a query of three characters or more is looked up by its
-- trigrams, and the `LIKE` of before still decides on the rows found, so answers are unchanged.
-- The CNPJ is searched by its beginning, a range of the `companies_cnpj_id` B-tree: its digits'
-- trigrams ("000", "001" of every head office) are in nearly every row, so a trigram lookup of
-- a CNPJ would read most of the index.
-- It holds no text of its own (external content over `companies`, by rowid) and the triggers
-- below keep it in step with every insert, update and delete, whichever code path makes them.
-- The rowids of `companies` must stay stable: after a `VACUUM`, run
-- `INSERT INTO company_search (company_search) VALUES ('rebuild')`.
--
-- The companies list shows how many companies match: counting a million rows on every page is
-- too slow, so `company_counts` keeps the number per status, also kept by triggers.
--
-- Safe to run again (a database rolled back to an older version replays it).
CREATE VIRTUAL TABLE IF NOT EXISTS company_search USING fts5(
    search_fold, content = 'companies', content_rowid = 'rowid', tokenize = 'trigram'
);
CREATE TRIGGER IF NOT EXISTS company_search_insert AFTER INSERT ON companies BEGIN
    INSERT INTO company_search (rowid, search_fold) VALUES (new.rowid, new.search_fold);
END;
CREATE TRIGGER IF NOT EXISTS company_search_delete AFTER DELETE ON companies BEGIN
    INSERT INTO company_search (company_search, rowid, search_fold)
        VALUES ('delete', old.rowid, old.search_fold);
END;
CREATE TRIGGER IF NOT EXISTS company_search_update AFTER UPDATE OF search_fold ON companies
BEGIN
    INSERT INTO company_search (company_search, rowid, search_fold)
        VALUES ('delete', old.rowid, old.search_fold);
    INSERT INTO company_search (rowid, search_fold) VALUES (new.rowid, new.search_fold);
END;
INSERT INTO company_search (company_search) VALUES ('rebuild');

CREATE TABLE IF NOT EXISTS company_counts (
    status  TEXT PRIMARY KEY,
    n       INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS company_counts_insert AFTER INSERT ON companies BEGIN
    INSERT INTO company_counts (status, n) VALUES (new.status, 1)
        ON CONFLICT (status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER IF NOT EXISTS company_counts_delete AFTER DELETE ON companies BEGIN
    UPDATE company_counts SET n = n - 1 WHERE status = old.status;
END;
CREATE TRIGGER IF NOT EXISTS company_counts_update AFTER UPDATE OF status ON companies
    WHEN old.status IS NOT new.status
BEGIN
    UPDATE company_counts SET n = n - 1 WHERE status = old.status;
    INSERT INTO company_counts (status, n) VALUES (new.status, 1)
        ON CONFLICT (status) DO UPDATE SET n = n + 1;
END;
DELETE FROM company_counts;
INSERT INTO company_counts (status, n) SELECT status, COUNT(*) FROM companies GROUP BY status;
