-- 0022: each source's speaker labels with their turn counts, kept by
-- triggers on `turns`, so the lists of sources and speakers read one row
-- per label (20,000 at 10,000 sources) instead of grouping every
-- turn (1.9 million). Derived data, like `coding_counts`: it follows every
-- insert, delete and update of `turns`, undo and import included, and a
-- copy rebuilds it from the turns it writes. Turns without a speaker ('')
-- have no row. `first_ordinal` orders the labels by first appearance.
CREATE TABLE speaker_turns (
    source_id     INTEGER NOT NULL,
    speaker       TEXT NOT NULL,
    turns         INTEGER NOT NULL,
    first_ordinal INTEGER NOT NULL,
    PRIMARY KEY (source_id, speaker)
) WITHOUT ROWID;

INSERT INTO speaker_turns (source_id, speaker, turns, first_ordinal)
SELECT source_id, speaker, count(*), min(ordinal) FROM turns
WHERE speaker <> '' GROUP BY source_id, speaker;

CREATE TRIGGER speaker_turns_insert AFTER INSERT ON turns WHEN NEW.speaker <> ''
BEGIN
    INSERT INTO speaker_turns (source_id, speaker, turns, first_ordinal)
    VALUES (NEW.source_id, NEW.speaker, 1, NEW.ordinal)
    ON CONFLICT (source_id, speaker) DO UPDATE
    SET turns = turns + 1, first_ordinal = min(first_ordinal, excluded.first_ordinal);
END;

-- A label's first turn gone: its new first is looked up among the turns
-- of its source (the primary key's prefix), which the deletion left.
CREATE TRIGGER speaker_turns_delete AFTER DELETE ON turns WHEN OLD.speaker <> ''
BEGIN
    DELETE FROM speaker_turns
    WHERE source_id = OLD.source_id AND speaker = OLD.speaker AND turns <= 1;
    UPDATE speaker_turns SET turns = turns - 1,
        first_ordinal = CASE WHEN first_ordinal = OLD.ordinal THEN IFNULL(
            (SELECT min(ordinal) FROM turns WHERE source_id = OLD.source_id AND speaker = OLD.speaker),
            first_ordinal) ELSE first_ordinal END
    WHERE source_id = OLD.source_id AND speaker = OLD.speaker;
END;

-- An update is the old row leaving and the new one arriving; either order
-- of the two triggers gives the same counts.
CREATE TRIGGER speaker_turns_update_old AFTER UPDATE OF source_id, ordinal, speaker ON turns
WHEN OLD.speaker <> ''
BEGIN
    DELETE FROM speaker_turns
    WHERE source_id = OLD.source_id AND speaker = OLD.speaker AND turns <= 1;
    UPDATE speaker_turns SET turns = turns - 1,
        first_ordinal = CASE WHEN first_ordinal = OLD.ordinal THEN IFNULL(
            (SELECT min(ordinal) FROM turns WHERE source_id = OLD.source_id AND speaker = OLD.speaker),
            first_ordinal) ELSE first_ordinal END
    WHERE source_id = OLD.source_id AND speaker = OLD.speaker;
END;

CREATE TRIGGER speaker_turns_update_new AFTER UPDATE OF source_id, ordinal, speaker ON turns
WHEN NEW.speaker <> ''
BEGIN
    INSERT INTO speaker_turns (source_id, speaker, turns, first_ordinal)
    VALUES (NEW.source_id, NEW.speaker, 1, NEW.ordinal)
    ON CONFLICT (source_id, speaker) DO UPDATE
    SET turns = turns + 1, first_ordinal = min(first_ordinal, excluded.first_ordinal);
END;

-- The codings of a page of sources, counted from the kept counts.
CREATE INDEX coding_counts_by_source ON coding_counts (source_id);
