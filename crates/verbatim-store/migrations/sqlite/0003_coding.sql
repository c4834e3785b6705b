-- 0003: coders, codebooks (a DAG of codes per coder, plus the shared one),
-- codings, translations, memos on any target, and the reflexive journal.
-- Every table a user action changes has an integer `id` so that the audit
-- log can record and invert row changes generically.

CREATE TABLE coders (
    id         INTEGER PRIMARY KEY,
    guid       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL UNIQUE,
    initials   TEXT NOT NULL,
    colour     TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- Code levels, lowest first (idea → sub-theme → theme → meta-theme).
CREATE TABLE levels (
    id   INTEGER PRIMARY KEY,
    rank INTEGER NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE
);
INSERT INTO levels (rank, name) VALUES (1, 'idea'), (2, 'sub-theme'), (3, 'theme'), (4, 'meta-theme');

-- `owner` is the coder whose private codebook holds the code; NULL is the
-- shared codebook. `parent` is the primary parent, used for display order.
CREATE TABLE codes (
    id          INTEGER PRIMARY KEY,
    guid        TEXT NOT NULL UNIQUE,
    owner       INTEGER REFERENCES coders(id),
    name        TEXT NOT NULL,
    level       INTEGER NOT NULL,
    parent      INTEGER REFERENCES codes(id),
    position    INTEGER NOT NULL DEFAULT 0,
    colour      TEXT,
    definition  TEXT,
    inclusion   TEXT,
    exclusion   TEXT,
    example     TEXT,
    created_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX codes_unique_name ON codes (IFNULL(owner, 0), name);
CREATE INDEX codes_by_parent ON codes (parent);

-- Further parents beyond the primary one: an idea can feed two themes.
CREATE TABLE code_links (
    id     INTEGER PRIMARY KEY,
    child  INTEGER NOT NULL REFERENCES codes(id),
    parent INTEGER NOT NULL REFERENCES codes(id),
    UNIQUE (child, parent)
);

CREATE TABLE codings (
    id         INTEGER PRIMARY KEY,
    guid       TEXT NOT NULL UNIQUE,
    source_id  INTEGER NOT NULL REFERENCES sources(id),
    code_id    INTEGER NOT NULL REFERENCES codes(id),
    coder_id   INTEGER NOT NULL REFERENCES coders(id),
    start_char INTEGER NOT NULL,
    end_char   INTEGER NOT NULL,
    is_quote   INTEGER NOT NULL DEFAULT 0,
    memo       TEXT,
    created_at TEXT NOT NULL,
    CHECK (start_char < end_char),
    UNIQUE (source_id, code_id, coder_id, start_char, end_char)
);
CREATE INDEX codings_by_source ON codings (source_id, start_char);
CREATE INDEX codings_by_coder_code ON codings (coder_id, code_id, source_id);
CREATE INDEX codings_by_code ON codings (code_id);

CREATE TABLE translations (
    id        INTEGER PRIMARY KEY,
    coding_id INTEGER NOT NULL REFERENCES codings(id),
    language  TEXT NOT NULL,
    text      TEXT NOT NULL,
    UNIQUE (coding_id, language)
);

-- Memos on any target: study, source, participant, code, coding or passage.
ALTER TABLE memos ADD COLUMN target_id INTEGER;
ALTER TABLE memos ADD COLUMN coder_id INTEGER REFERENCES coders(id);

CREATE TABLE journal (
    id           INTEGER PRIMARY KEY,
    guid         TEXT NOT NULL UNIQUE,
    coder_id     INTEGER NOT NULL REFERENCES coders(id),
    kind         TEXT NOT NULL CHECK (kind IN ('note', 'preconception')),
    title        TEXT NOT NULL,
    body         TEXT NOT NULL,
    written_at   TEXT NOT NULL,
    sealed_at    TEXT,
    content_hash TEXT
);

-- A sealed entry cannot change or disappear, whatever code asks.
CREATE TRIGGER journal_sealed_no_update BEFORE UPDATE ON journal
WHEN OLD.sealed_at IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'a sealed journal entry cannot change');
END;
CREATE TRIGGER journal_sealed_no_delete BEFORE DELETE ON journal
WHEN OLD.sealed_at IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'a sealed journal entry cannot be deleted');
END;

CREATE TABLE journal_links (
    id       INTEGER PRIMARY KEY,
    entry_id INTEGER NOT NULL REFERENCES journal(id),
    code_id  INTEGER NOT NULL REFERENCES codes(id),
    relation TEXT NOT NULL CHECK (relation IN ('expected', 'emerged', 'absent')),
    UNIQUE (entry_id, code_id)
);

-- Actions whose changes can be undone, per actor, for the undo stack.
ALTER TABLE audit ADD COLUMN undoable INTEGER NOT NULL DEFAULT 0;
CREATE INDEX audit_undoable_by_actor ON audit (actor, undoable, id);

-- Codings per (code, coder, source), kept by triggers so that a theme tree
-- with counts reads thousands of rows, not every coding. Derived data: it
-- follows every insert, delete and update of `codings`, undo included.
CREATE TABLE coding_counts (
    code_id   INTEGER NOT NULL,
    coder_id  INTEGER NOT NULL,
    source_id INTEGER NOT NULL,
    n         INTEGER NOT NULL,
    PRIMARY KEY (code_id, coder_id, source_id)
) WITHOUT ROWID;

CREATE TRIGGER coding_counts_insert AFTER INSERT ON codings
BEGIN
    INSERT INTO coding_counts (code_id, coder_id, source_id, n)
    VALUES (NEW.code_id, NEW.coder_id, NEW.source_id, 1)
    ON CONFLICT (code_id, coder_id, source_id) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER coding_counts_delete AFTER DELETE ON codings
BEGIN
    UPDATE coding_counts SET n = n - 1
    WHERE code_id = OLD.code_id AND coder_id = OLD.coder_id AND source_id = OLD.source_id;
    DELETE FROM coding_counts
    WHERE code_id = OLD.code_id AND coder_id = OLD.coder_id AND source_id = OLD.source_id AND n <= 0;
END;

CREATE TRIGGER coding_counts_update AFTER UPDATE OF code_id, coder_id, source_id ON codings
BEGIN
    UPDATE coding_counts SET n = n - 1
    WHERE code_id = OLD.code_id AND coder_id = OLD.coder_id AND source_id = OLD.source_id;
    DELETE FROM coding_counts
    WHERE code_id = OLD.code_id AND coder_id = OLD.coder_id AND source_id = OLD.source_id AND n <= 0;
    INSERT INTO coding_counts (code_id, coder_id, source_id, n)
    VALUES (NEW.code_id, NEW.coder_id, NEW.source_id, 1)
    ON CONFLICT (code_id, coder_id, source_id) DO UPDATE SET n = n + 1;
END;
