-- A company's audit events keep their IP and details sealed under the company's key, as its
-- users' fields are: erasing the company deletes the key, and a backup holds them already
-- sealed. Events stored before this version, or put back in clear by a restore, are listed
-- here for the server to seal at its next start; the index is empty once it has, so the
-- check at every start reads nothing. (An erased company's events keep their pseudonyms in
-- clear, with no key, and stay listed.)
CREATE INDEX IF NOT EXISTS audit_events_unsealed ON audit_events (id)
    WHERE company_id IS NOT NULL AND (typeof(details) = 'text' OR typeof(ip) = 'text');
