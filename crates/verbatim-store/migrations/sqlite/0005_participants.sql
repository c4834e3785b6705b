-- 0005: participants (REFI-QDA cases) with typed attributes, sites and the
-- pseudonym scheme, speaker labels mapped to participants, consent records,
-- and versioned interview guides. Every table a user action changes has an
-- integer `id` so that the audit log can record and invert row changes.

-- Sites where data was collected, each with the short code pseudonyms use
-- ("Centre hospitalier de Valmont" -> CH).
CREATE TABLE sites (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    code TEXT NOT NULL UNIQUE COLLATE NOCASE
);

-- The study-level pseudonym template (one row).
CREATE TABLE pseudonym_scheme (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    template TEXT NOT NULL
);
INSERT INTO pseudonym_scheme (id, template) VALUES (1, '{site}{mode}-{rank}');

-- The mode code and rank style for each source kind.
CREATE TABLE modes (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL UNIQUE,
    code       TEXT NOT NULL,
    rank_style TEXT NOT NULL CHECK (rank_style IN ('letters', 'digits'))
);
INSERT INTO modes (kind, code, rank_style) VALUES
    ('interview', 'I', 'digits'),
    ('focus_group', 'FG', 'letters'),
    ('observation', 'O', 'digits'),
    ('other', 'X', 'digits');

-- `code` is NULL until a pseudonym is assigned; `label` is the roster name.
CREATE TABLE participants (
    id         INTEGER PRIMARY KEY,
    guid       TEXT NOT NULL UNIQUE,
    code       TEXT UNIQUE COLLATE NOCASE,
    label      TEXT,
    site_id    INTEGER REFERENCES sites(id),
    created_at TEXT NOT NULL,
    CHECK (code IS NOT NULL OR label IS NOT NULL)
);

-- Typed variables on participants or sources. `allowed` is a JSON array of
-- the values a category takes.
CREATE TABLE attributes (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL COLLATE NOCASE,
    applies_to TEXT NOT NULL CHECK (applies_to IN ('participant', 'source')),
    type       TEXT NOT NULL CHECK (type IN ('text', 'number', 'date', 'boolean', 'category')),
    allowed    TEXT,
    position   INTEGER NOT NULL DEFAULT 0,
    UNIQUE (applies_to, name)
);

-- Values in canonical text form: numbers as written by Rust, dates as
-- YYYY-MM-DD, booleans as true/false.
CREATE TABLE participant_values (
    id             INTEGER PRIMARY KEY,
    participant_id INTEGER NOT NULL REFERENCES participants(id),
    attribute_id   INTEGER NOT NULL REFERENCES attributes(id),
    value          TEXT NOT NULL,
    UNIQUE (participant_id, attribute_id)
);

CREATE TABLE source_values (
    id           INTEGER PRIMARY KEY,
    source_id    INTEGER NOT NULL REFERENCES sources(id),
    attribute_id INTEGER NOT NULL REFERENCES attributes(id),
    value        TEXT NOT NULL,
    UNIQUE (source_id, attribute_id)
);

-- Explicit mappings of a source's speaker label to a participant or to an
-- interviewer. Labels equal to a participant code or roster name map
-- automatically and need no row.
CREATE TABLE speaker_map (
    id             INTEGER PRIMARY KEY,
    source_id      INTEGER NOT NULL REFERENCES sources(id),
    label          TEXT NOT NULL,
    participant_id INTEGER REFERENCES participants(id),
    interviewer    INTEGER NOT NULL DEFAULT 0 CHECK (interviewer IN (0, 1)),
    UNIQUE (source_id, label),
    CHECK ((participant_id IS NULL) <> (interviewer = 0))
);
CREATE INDEX speaker_map_by_participant ON speaker_map (participant_id);

CREATE TABLE consents (
    id             INTEGER PRIMARY KEY,
    participant_id INTEGER NOT NULL REFERENCES participants(id),
    given_on       TEXT NOT NULL,
    scope          TEXT NOT NULL,
    sheet_version  TEXT,
    status         TEXT NOT NULL CHECK (status IN ('given', 'withdrawn')),
    recorded_at    TEXT NOT NULL
);

CREATE TABLE guides (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    created_at TEXT NOT NULL
);

CREATE TABLE guide_versions (
    id       INTEGER PRIMARY KEY,
    guide_id INTEGER NOT NULL REFERENCES guides(id),
    version  INTEGER NOT NULL,
    dated    TEXT,
    UNIQUE (guide_id, version)
);

-- Questions of a guide version; sub-questions have a parent.
CREATE TABLE guide_questions (
    id         INTEGER PRIMARY KEY,
    version_id INTEGER NOT NULL REFERENCES guide_versions(id),
    parent     INTEGER REFERENCES guide_questions(id),
    position   INTEGER NOT NULL,
    number     TEXT NOT NULL,
    text       TEXT NOT NULL
);

-- The guide version each source was collected with.
CREATE TABLE source_guides (
    id         INTEGER PRIMARY KEY,
    source_id  INTEGER NOT NULL UNIQUE REFERENCES sources(id),
    version_id INTEGER NOT NULL REFERENCES guide_versions(id)
);
