-- 0021: who logged in to a team server, and who tried.
--
-- One row per successful or failed login, logout and invitation use:
-- the name typed (an account's or not), the time (RFC 3339) and the
-- client's address when the server knows it. Never a password or a
-- token. Not in the audit log: a login changes nothing in the study's
-- work, cannot be undone, and one entry per login would bury the
-- history; the owner reads it with `verbatim account log`.
CREATE TABLE logins (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    name    TEXT NOT NULL,
    event   TEXT NOT NULL CHECK (event IN ('login', 'failed', 'logout', 'invitation')),
    address TEXT
);
CREATE INDEX logins_by_time ON logins (at);
