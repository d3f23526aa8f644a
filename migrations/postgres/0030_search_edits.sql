-- SQLite's version 30 changes when its own search index (FTS5) is rewritten; PostgreSQL has no
-- such index, so its schema is unchanged. The version moves so both stores keep one numbering.
SELECT 1;
