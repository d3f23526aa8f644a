-- The company search index (FTS5) is written once per write transaction, not once per
-- statement. FTS5 writes the terms it holds in memory out as a new index segment whenever a
-- statement inside a transaction opens a savepoint (SQLite opens one for nearly every INSERT or
-- UPDATE), so a group-committed batch of company creates wrote one segment per company, and
-- FTS5 then merged them: a fifth of the writer's time under 64 concurrent creates.
--
-- The triggers now queue each change of a company's search text in `company_search_pending`,
-- an ordinary table, and the writer hands the queue to the index in one statement just before
-- each commit (`db::search_upkeep::index_pending`), so the index first joins the transaction at
-- its end and writes one segment for the whole batch. Any connection that changes companies
-- queues the same way (the sqlite3 shell included); whatever it leaves queued, armario indexes
-- at its next write or start, and a search reads the queue beside the index meanwhile.
--
-- `op` is 'delete' for a removal (FTS5's command for external content, which needs the text as
-- it was indexed) and NULL for an addition; `seq` keeps their order.
CREATE TABLE IF NOT EXISTS company_search_pending (
    seq   INTEGER PRIMARY KEY,
    op    TEXT,
    rid   INTEGER NOT NULL,
    text  TEXT
);
DROP TRIGGER IF EXISTS company_search_insert;
DROP TRIGGER IF EXISTS company_search_delete;
DROP TRIGGER IF EXISTS company_search_update;
CREATE TRIGGER company_search_insert AFTER INSERT ON companies BEGIN
    INSERT INTO company_search_pending (op, rid, text) VALUES (NULL, new.rowid, new.search_fold);
END;
CREATE TRIGGER company_search_delete AFTER DELETE ON companies BEGIN
    INSERT INTO company_search_pending (op, rid, text)
        VALUES ('delete', old.rowid, old.search_fold);
END;
CREATE TRIGGER company_search_update AFTER UPDATE OF search_fold ON companies
    WHEN old.search_fold IS NOT new.search_fold
BEGIN
    INSERT INTO company_search_pending (op, rid, text)
        VALUES ('delete', old.rowid, old.search_fold);
    INSERT INTO company_search_pending (op, rid, text) VALUES (NULL, new.rowid, new.search_fold);
END;
