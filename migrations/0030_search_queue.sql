-- The company search index is written once per write transaction, not once per statement.
--
-- FTS5 keeps the terms of the rows written in a transaction in memory and writes them out as a
-- new segment whenever a savepoint opens, and SQLite opens one for every statement that fires a
-- trigger inside a transaction. With the index's triggers writing it directly, a batch of
-- company creates committed together wrote a segment (and FTS5's merges of them) per create,
-- as many as the same creates committed one by one. The triggers now append the change to
-- `company_search_queue`, and the writer applies the queue to the index in one statement just
-- before each commit (`src/db/search_queue.rs`): the same transaction, so no reader ever sees a
-- company without its index entry, and one segment per batch.
--
-- An update that leaves the folded text as it was (most edits of a company) no longer touches
-- the index at all.
--
-- Anything that writes `companies` outside armario's writer (a script with `sqlite3`) leaves
-- its changes in the queue; the server applies them when it starts.
CREATE TABLE IF NOT EXISTS company_search_queue (
    seq      INTEGER PRIMARY KEY,
    doc      INTEGER NOT NULL,
    fold     TEXT,
    removed  INTEGER NOT NULL
);

DROP TRIGGER IF EXISTS company_search_insert;
DROP TRIGGER IF EXISTS company_search_delete;
DROP TRIGGER IF EXISTS company_search_update;
CREATE TRIGGER company_search_insert AFTER INSERT ON companies BEGIN
    INSERT INTO company_search_queue (doc, fold, removed) VALUES (new.rowid, new.search_fold, 0);
END;
CREATE TRIGGER company_search_delete AFTER DELETE ON companies BEGIN
    INSERT INTO company_search_queue (doc, fold, removed) VALUES (old.rowid, old.search_fold, 1);
END;
CREATE TRIGGER company_search_update AFTER UPDATE OF search_fold ON companies
    WHEN old.search_fold IS NOT new.search_fold
BEGIN
    INSERT INTO company_search_queue (doc, fold, removed) VALUES (old.rowid, old.search_fold, 1);
    INSERT INTO company_search_queue (doc, fold, removed) VALUES (new.rowid, new.search_fold, 0);
END;
