-- A company's user count and the sign-up conflicts of a pending company read a company's users
-- by status, from this index alone (the same index as SQLite's version 32).
CREATE INDEX IF NOT EXISTS users_company_status ON users (company_id, status);
