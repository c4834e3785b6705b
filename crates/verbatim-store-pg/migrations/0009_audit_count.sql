-- 0009: the number of audit entries, kept in one row, so the change counter
-- the web server reads on every page costs one row rather than a count of
-- the whole log (which grows with every action). The log is append-only
-- (0002), so the number only grows, and it is SQLite's counter (the newest
-- entry's row number). A statement trigger adds each insert's rows: a copy
-- that inserts the log 500 rows a statement updates the row once per
-- statement. The row is locked from an action's audit entry (its last
-- write) to its commit, so writers of one study count in commit order.

CREATE TABLE audit_count (
    one BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
    n   BIGINT NOT NULL
);

INSERT INTO audit_count (n) SELECT count(*) FROM audit;

CREATE FUNCTION audit_counted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    added_rows BIGINT;
BEGIN
    SELECT count(*) INTO added_rows FROM added;
    EXECUTE format('UPDATE %I.audit_count SET n = n + $1', TG_TABLE_SCHEMA)
        USING added_rows;
    RETURN NULL;
END
$$;

CREATE TRIGGER audit_counts AFTER INSERT ON audit
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION audit_counted();
