-- Version 34 changes the PostgreSQL store only (its company wall, and the per-status company
-- counts this file has kept since version 26; see migrations/postgres/0034_owner_reads.sql).
-- Nothing changes in the file: the version moves so both stores keep one numbering.
SELECT 1;
