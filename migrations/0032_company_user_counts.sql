-- A company's user count (every list and search page shows it) and the sign-up conflicts of a
-- pending company read a company's users by status. `users_company_id` (company_id, id) found
-- them but read each user's row for its status, and the conflicts' lookup of a company's
-- pending users walked every pending user of the platform (`users_status_id`). With the status
-- beside the company in one index, the count is read from the index alone and the pending
-- users of one company are one range of it.
CREATE INDEX IF NOT EXISTS users_company_status ON users (company_id, status);
