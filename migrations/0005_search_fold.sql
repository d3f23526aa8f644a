-- Search ignores accents and case: each company and user keeps its searchable text folded
-- (lower case, no accents; see domain/search.rs), and a query is folded the same way before
-- `LIKE`. SQLite has no unaccent, so the folding runs in armario: while migrations run it is
-- the SQL function `armario_search_text(field, ...)` (registered by db/migrate.rs); afterwards
-- every insert and update writes the column.

ALTER TABLE companies ADD COLUMN search_fold TEXT NOT NULL DEFAULT '';
UPDATE companies SET search_fold = armario_search_text(legal_name, trade_name, slug);

ALTER TABLE users ADD COLUMN search_fold TEXT NOT NULL DEFAULT '';
UPDATE users SET search_fold = armario_search_text(name, email);
