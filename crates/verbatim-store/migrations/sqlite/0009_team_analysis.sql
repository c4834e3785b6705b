-- 0009: the team's analysis. The consensus layer, which sources each coder
-- analysed, collection dates, structural codes and translated code names.
--
-- The consensus (the team's agreed codebook and its passages) is owned by no
-- coder. Its codes are the shared codebook's (`codes.owner IS NULL`); its
-- passages are codings whose coder is the study's one row of kind
-- 'consensus', so every read that takes a coder id reads it unchanged, and
-- the coders listed to people never include it.
ALTER TABLE coders ADD COLUMN kind TEXT NOT NULL DEFAULT 'coder'
    CHECK (kind IN ('coder', 'consensus'));

WITH r(h) AS (SELECT lower(hex(randomblob(16))))
INSERT INTO coders (guid, name, initials, colour, created_at, kind)
SELECT substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-4' || substr(h, 14, 3) || '-a'
       || substr(h, 18, 3) || '-' || substr(h, 21, 12),
       CASE WHEN EXISTS (SELECT 1 FROM coders WHERE name = 'consensus')
            THEN 'consensus (team)' ELSE 'consensus' END,
       'CS', '#3b3b3b', strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), 'consensus'
FROM r;
CREATE UNIQUE INDEX coders_one_consensus ON coders (kind) WHERE kind = 'consensus';

-- Which coders' passages a consensus passage was made from: one row per
-- contributing coder (a merged passage may come from three). No foreign key
-- on the coder's own coding: a coder may later edit their layer, and the
-- record of who supported the consensus passage must outlive it.
CREATE TABLE consensus_origins (
    id          INTEGER PRIMARY KEY,
    coding_id   INTEGER NOT NULL REFERENCES codings(id),
    coder_id    INTEGER NOT NULL REFERENCES coders(id),
    decision_id INTEGER,
    UNIQUE (coding_id, coder_id)
);
CREATE INDEX consensus_origins_by_coder ON consensus_origins (coder_id);

-- A source a coder marked as analysed even though it holds none of their
-- codings ("read it, nothing to code"). A source also counts as coded by a
-- coder when it holds one of their codings; that is computed, not stored.
CREATE TABLE source_done (
    id        INTEGER PRIMARY KEY,
    source_id INTEGER NOT NULL REFERENCES sources(id),
    coder_id  INTEGER NOT NULL REFERENCES coders(id),
    marked_at TEXT NOT NULL,
    UNIQUE (source_id, coder_id)
);

-- When the interview was held (YYYY-MM-DD): saturation walks sources in
-- this order, and a preconception counts as sealed "before the first
-- interview" against the earliest date.
ALTER TABLE sources ADD COLUMN collected_on TEXT;

-- Structural codes (interview-guide questions) are usable in queries and
-- matrices but left out of results, saturation, triangulation and IPA
-- tables unless asked for.
ALTER TABLE codes ADD COLUMN kind TEXT NOT NULL DEFAULT 'analytic'
    CHECK (kind IN ('analytic', 'structural'));

-- A code's name in another language, for reports written in it.
CREATE TABLE code_translations (
    id       INTEGER PRIMARY KEY,
    code_id  INTEGER NOT NULL REFERENCES codes(id),
    language TEXT NOT NULL,
    name     TEXT NOT NULL,
    UNIQUE (code_id, language)
);
