-- SQLite's version 30 changes how its own search index (FTS5) is kept; PostgreSQL has no such
-- index, so its schema is unchanged. The version moves so both stores keep one numbering.
SELECT 1;
