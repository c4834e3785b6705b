-- 0006: de-identification leaves a trace without keeping what it removed.
-- The names file itself is never stored: only that it was applied, when, by
-- whom, its SHA-256 and how many replacements it made.

CREATE TABLE deidentifications (
    id           INTEGER PRIMARY KEY,
    applied_at   TEXT NOT NULL,
    actor        TEXT NOT NULL,
    names_sha256 TEXT NOT NULL,
    names        INTEGER NOT NULL,
    replacements INTEGER NOT NULL,
    scope        TEXT NOT NULL
);
