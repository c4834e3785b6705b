-- 0010: one coding written in one statement (`add_coding`'s second and last
-- round trip; see crates/verbatim-store-pg/src/one_coding.rs). The caller
-- has read the source's length, the code's codebook and any coding of the
-- same passage in one statement and checked them against the rules in
-- Rust (verbatim_store::rules, shared with SQLite); this function re-checks
-- that those facts still hold (the code locked FOR SHARE, as the
-- transaction it replaces did), inserts the coding and appends its audit
-- entry, exactly as `Recorder` would have written it. It answers the new
-- coding's id, or NULL when it wrote nothing (a fact changed meanwhile, or
-- the same passage was coded meanwhile): the caller then takes the long
-- way, one transaction that reads again and answers as before.
--
-- Both are CREATE OR REPLACE, so running this on a study that has them is
-- harmless; they live in the study's schema, found through `search_path`
-- like its tables.

-- A flat JSON object as serde_json writes it: compact, keys in byte order
-- (its map is a BTreeMap). `row_to_json` writes columns in table order, so
-- without this an audit entry written here would differ in text, though
-- not in meaning, from one the Rust recorder writes.
CREATE OR REPLACE FUNCTION verbatim_sorted_json(j json) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT '{' || coalesce(string_agg(to_json(key)::text || ':' || value::text, ','
                                      ORDER BY key COLLATE "C"), '') || '}'
    FROM json_each(j)
$$;

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
