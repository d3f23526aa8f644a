-- Version 35 changes the PostgreSQL store only (an index of the companies' search text that
-- its company wall lets a search use; see migrations/postgres/0035_company_trigrams.sql). The
-- file has had its own since version 26 (`company_search`, FTS5 trigrams). Nothing changes in
-- the file: the version moves so both stores keep one numbering.
SELECT 1;
