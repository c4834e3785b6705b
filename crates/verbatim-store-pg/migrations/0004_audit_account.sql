-- 0004: the account behind each audit entry (team mode), as SQLite's 0020
-- adds it, so a study copied between the two keeps every column of its log.
-- NULL for entries written without an account (the command line, local mode).

ALTER TABLE audit ADD COLUMN account TEXT;
