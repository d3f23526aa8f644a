-- Alerts to the platform owner: a backup failed or none succeeded for a day, a sign-up waits,
-- an application's credential expires soon, a company nears its plan's user limit, mail was
-- dead-lettered. One row per (kind, cause, day): a cause is alerted at most once a day, and a
-- failed backup once at all (its day is the day it failed). `facts` is what the message said,
-- as JSON, for the dashboard's list.
CREATE TABLE alerts (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    cause       TEXT NOT NULL,
    day         INTEGER NOT NULL,
    facts       TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (kind, cause, day)
);
CREATE INDEX alerts_created ON alerts (created_at, id);

-- The topics an owner chose not to receive by e-mail; every topic is on until switched off.
CREATE TABLE alert_optouts (
    user_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    topic    TEXT NOT NULL,
    PRIMARY KEY (user_id, topic)
);
