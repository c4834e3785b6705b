-- 0002: the audit log is the study's history: refuse edits and deletions at
-- the database level, and index what listings filter on.

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE INDEX turns_by_speaker ON turns (speaker);
CREATE INDEX memos_by_source ON memos (source_id);
