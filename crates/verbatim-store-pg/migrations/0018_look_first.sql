-- 0018: `verbatim_add_coding` (0010) looks for the passage's coding before
-- it inserts. A store now keeps the facts a coding read (a source's length,
-- a code's codebook; crates/verbatim-store-pg/src/one_coding.rs) and codes
-- on them in one round trip, without the first read that found a passage
-- coded already; the function answers NULL for it, as for any fact that
-- moved, and the caller takes the long way. Without this check the insert's
-- ON CONFLICT would do the same but take an id from the sequence, and the
-- next coding's id would no longer be SQLite's.

CREATE OR REPLACE FUNCTION verbatim_add_coding(
    p_source  BIGINT,
    p_chars   BIGINT,
    p_code    BIGINT,
    p_owner   BIGINT,
    p_coder   BIGINT,
    p_start   BIGINT,
    p_end     BIGINT,
    p_memo    TEXT,
    p_guid    TEXT,
    p_created TEXT,
    p_entry   TEXT,
    p_at      TEXT,
    p_actor   TEXT,
    p_summary TEXT
) RETURNS BIGINT LANGUAGE plpgsql AS $$
DECLARE
    added codings;
BEGIN
    -- The code cannot be deleted or moved to another codebook while the
    -- coding is written.
    PERFORM 1 FROM codes WHERE id = p_code AND owner IS NOT DISTINCT FROM p_owner FOR SHARE;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    PERFORM 1 FROM sources WHERE id = p_source AND chars = p_chars;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    -- The passage coded already: nothing to write, and no id taken from
    -- the sequence (which INSERT … ON CONFLICT would take), so ids stay
    -- SQLite's.
    PERFORM 1 FROM codings WHERE source_id = p_source AND code_id = p_code
        AND coder_id = p_coder AND start_char = p_start AND end_char = p_end;
    IF FOUND THEN
        RETURN NULL;
    END IF;
    INSERT INTO codings (guid, source_id, code_id, coder_id, start_char, end_char, memo, created_at)
        VALUES (p_guid, p_source, p_code, p_coder, p_start, p_end, p_memo, p_created)
        ON CONFLICT (source_id, code_id, coder_id, start_char, end_char) DO NOTHING
        RETURNING * INTO added;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    -- Recorder::finish's entry: {"changes": [the row inserted], "summary"}.
    INSERT INTO audit (id, at, actor, action, target, data, undoable, account)
        VALUES (p_entry, p_at, p_actor, 'coding.add', 'coding:' || added.id,
                '{"changes":[{"after":' || verbatim_sorted_json(row_to_json(added))
                    || ',"before":null,"key":{"id":' || added.id
                    || '},"table":"codings"}],"summary":' || p_summary || '}',
                TRUE, NULLIF(current_setting('verbatim.account', true), ''));
    RETURN added.id;
END
$$;
