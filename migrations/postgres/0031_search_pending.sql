-- SQLite's version 31 queues changes to its own search index (FTS5) and writes them once per
-- transaction; PostgreSQL has no such index, so its schema is unchanged. The version moves so
-- both stores keep one numbering.
SELECT 1;
