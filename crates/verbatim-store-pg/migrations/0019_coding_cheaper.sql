-- 0019: one coding costs the database less (crates/verbatim-store-pg/src/
-- one_coding.rs; BENCHMARKS.md, issue 17). Under 20 coders, two parts of
-- each coding were parsed and planned again at every call:
--
-- * its audit entry's text was built here with `verbatim_sorted_json`, a
--   SQL function PostgreSQL 15 parses and plans at each call (a sixth of
--   the database's work per coding). The caller now sends the entry's text
--   in three pieces around the coding's id, written by serde_json as every
--   other entry is, and the function only joins them;
-- * the audit counter's trigger (0017) ran its UPDATE through EXECUTE, to
--   name the counter's schema, so it was planned at every entry (a tenth).
--   It now runs the UPDATE as a plain statement, whose plan PL/pgSQL keeps,
--   whenever the log's schema is the session's first (always, for
--   verbatim), and through EXECUTE otherwise.
--
-- The function's arguments change, so the old one is dropped; it lives in
-- the study's schema like its tables.

CREATE OR REPLACE FUNCTION audit_counted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    added_rows BIGINT;
BEGIN
    SELECT count(*) INTO added_rows FROM added;
    IF TG_TABLE_SCHEMA = current_schema() THEN
        UPDATE audit_count SET n = n + added_rows WHERE slot = pg_backend_pid() % 16;
    ELSE
        EXECUTE format('UPDATE %I.audit_count SET n = n + $1 WHERE slot = $2', TG_TABLE_SCHEMA)
            USING added_rows, pg_backend_pid() % 16;
    END IF;
    RETURN NULL;
END
$$;

DROP FUNCTION verbatim_add_coding(BIGINT, BIGINT, BIGINT, BIGINT, BIGINT, BIGINT, BIGINT,
                                  TEXT, TEXT, TEXT, TEXT, TEXT, TEXT, TEXT);

-- The audit entry's `data` is p_head || id || p_mid || id || p_tail: the
-- coding's id is where the row's "id" and the key's "id" go.
CREATE FUNCTION verbatim_add_coding(
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
    p_head    TEXT,
    p_mid     TEXT,
    p_tail    TEXT
) RETURNS BIGINT LANGUAGE plpgsql AS $$
DECLARE
    added BIGINT;
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
    -- the sequence (0018).
    PERFORM 1 FROM codings WHERE source_id = p_source AND code_id = p_code
        AND coder_id = p_coder AND start_char = p_start AND end_char = p_end;
    IF FOUND THEN
        RETURN NULL;
    END IF;
    INSERT INTO codings (guid, source_id, code_id, coder_id, start_char, end_char, memo, created_at)
        VALUES (p_guid, p_source, p_code, p_coder, p_start, p_end, p_memo, p_created)
        ON CONFLICT (source_id, code_id, coder_id, start_char, end_char) DO NOTHING
        RETURNING id INTO added;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    INSERT INTO audit (id, at, actor, action, target, data, undoable, account)
        VALUES (p_entry, p_at, p_actor, 'coding.add', 'coding:' || added,
                p_head || added || p_mid || added || p_tail,
                TRUE, NULLIF(current_setting('verbatim.account', true), ''));
    RETURN added;
END
$$;
