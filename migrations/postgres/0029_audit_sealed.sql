-- A company's audit events keep their IP and details sealed under the company's key, as its
-- users' fields are: the columns hold bytes, clear text (UTF-8) or a sealed cell, told apart
-- by the cell's mark, like the users' e-mails and names.
ALTER TABLE audit_events ALTER COLUMN details DROP DEFAULT;
ALTER TABLE audit_events
    ALTER COLUMN ip TYPE BYTEA USING convert_to(ip, 'UTF8'),
    ALTER COLUMN details TYPE BYTEA USING convert_to(details, 'UTF8');
ALTER TABLE audit_events ALTER COLUMN details SET DEFAULT convert_to('{}', 'UTF8');
