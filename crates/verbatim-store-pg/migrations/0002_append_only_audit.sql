-- 0002: the audit log is the study's history: refuse edits, deletions and
-- truncation at the database level, and index what listings filter on.

CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END
$$;

CREATE TRIGGER audit_no_update_or_delete BEFORE UPDATE OR DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();

CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();

CREATE INDEX turns_by_speaker ON turns (speaker);
CREATE INDEX memos_by_source ON memos (source_id);
CREATE INDEX audit_undoable_by_actor ON audit (actor, undoable, id);
