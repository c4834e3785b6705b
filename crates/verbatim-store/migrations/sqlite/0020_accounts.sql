-- 0020: the people of a team server (`verbatim serve --team`).
--
-- An account logs in with a password (an Argon2id PHC string, never the
-- password) and holds one role: owner (everything), coder (their own layer,
-- shared reading after reveal) or viewer (reads what is revealed). A coder
-- account codes as the coder of the same name. A removed account is kept,
-- disabled and without password, so the audit log's `account` column keeps
-- naming someone; adding the name again enables it.
CREATE TABLE accounts (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL CHECK (role IN ('owner', 'coder', 'viewer')),
    password_hash TEXT,
    created_at    TEXT NOT NULL,
    disabled_at   TEXT
);

-- A logged-in browser. Only the SHA-256 of the random token is kept (hex),
-- so a copy of the study lets nobody in. Times are Unix seconds: a session
-- ends after `expires_at`, or when idle since `last_seen` longer than the
-- server's idle limit.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_by_account ON sessions (account_id);

-- A one-time link (`/invite/TOKEN`) to set a password and become account
-- `name` with `role`. Hashed like sessions; `used_at` once accepted.
CREATE TABLE invitations (
    id         INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('owner', 'coder', 'viewer')),
    created_at TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    TEXT
);

-- The account behind each change made on a team server (NULL for the
-- command line and the local server, where `actor` says who).
ALTER TABLE audit ADD COLUMN account TEXT;
