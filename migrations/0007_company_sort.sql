-- The companies list sorts by name, CNPJ, status or creation, each way, with keyset pages
-- over (value, id). The name is the one people see (display, else trade, else legal name),
-- folded like search text and kept in `sort_name` by every write that changes a name; while
-- migrations run the folding is the SQL function `armario_sort_name` (db/migrate.rs).

ALTER TABLE companies ADD COLUMN sort_name TEXT NOT NULL DEFAULT '';
UPDATE companies SET sort_name = armario_sort_name(display_name, trade_name, legal_name);

CREATE INDEX companies_sort_name_id ON companies (sort_name, id);
CREATE INDEX companies_cnpj_id ON companies (cnpj, id);
CREATE INDEX companies_created_id ON companies (created_at, id);
