-- 0001: the study, its sources, their speaker turns, anchored notes and the audit log.
-- Offsets (start_char, end_char) count Unicode scalar values of the source text.

CREATE TABLE study (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE sources (
    id            INTEGER PRIMARY KEY,
    guid          TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL UNIQUE,
    format        TEXT NOT NULL,
    kind          TEXT NOT NULL,
    language      TEXT,
    site          TEXT,
    original_path TEXT,
    imported_at   TEXT NOT NULL,
    content_hash  TEXT NOT NULL UNIQUE,
    chars         INTEGER NOT NULL CHECK (chars >= 0),
    metadata      TEXT NOT NULL
);

-- The text lives apart from the listing columns so that listing sources never
-- reads megabytes of transcript.
CREATE TABLE source_texts (
    source_id INTEGER PRIMARY KEY REFERENCES sources(id) ON DELETE CASCADE,
    text      TEXT NOT NULL,
    offsets   BLOB NOT NULL
);

CREATE TABLE turns (
    source_id  INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    ordinal    INTEGER NOT NULL,
    speaker    TEXT NOT NULL,
    start_char INTEGER NOT NULL,
    end_char   INTEGER NOT NULL,
    begin_ms   INTEGER,
    end_ms     INTEGER,
    PRIMARY KEY (source_id, ordinal),
    CHECK (start_char <= end_char)
);

CREATE TABLE memos (
    id          INTEGER PRIMARY KEY,
    guid        TEXT NOT NULL UNIQUE,
    target_kind TEXT NOT NULL,
    source_id   INTEGER REFERENCES sources(id) ON DELETE CASCADE,
    start_char  INTEGER,
    end_char    INTEGER,
    title       TEXT,
    author      TEXT,
    written_at  TEXT,
    body        TEXT NOT NULL,
    origin      TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE audit (
    id     TEXT PRIMARY KEY,
    at     TEXT NOT NULL,
    actor  TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT,
    data   TEXT NOT NULL
);
