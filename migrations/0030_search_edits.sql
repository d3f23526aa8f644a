-- An edit that leaves a company's folded search text as it was no longer touches the search
-- index. Every write that may change a company's names rewrites `search_fold`
-- (`db::companies::refresh_search`), and `AFTER UPDATE OF search_fold` fires whether or not the
-- value changed: each such edit deleted the company's trigrams from the FTS5 index and wrote
-- them again, a new index segment and its merges per edit.
DROP TRIGGER IF EXISTS company_search_update;
CREATE TRIGGER company_search_update AFTER UPDATE OF search_fold ON companies
    WHEN old.search_fold IS NOT new.search_fold
BEGIN
    INSERT INTO company_search (company_search, rowid, search_fold)
        VALUES ('delete', old.rowid, old.search_fold);
    INSERT INTO company_search (rowid, search_fold) VALUES (new.rowid, new.search_fold);
END;
