-- Roles an application declares (say `technician`, `client`, `agent`), and the grants of those
-- roles to users by their company's admins. Both go with the application; a grant also goes
-- with its user and with its role, so removing a role removes its grants.

CREATE TABLE app_roles (
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    key            TEXT NOT NULL,
    name           TEXT NOT NULL,
    description    TEXT,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    PRIMARY KEY (application_id, key)
) WITHOUT ROWID;

-- The primary key serves "the roles of this user in this application" (what a token carries);
-- the second index serves "who holds this role", read when a role is removed.
CREATE TABLE user_app_roles (
    user_id        TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    role_key       TEXT NOT NULL,
    granted_at     INTEGER NOT NULL,
    PRIMARY KEY (user_id, application_id, role_key),
    FOREIGN KEY (application_id, role_key) REFERENCES app_roles (application_id, key)
        ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX user_app_roles_role ON user_app_roles (application_id, role_key);
