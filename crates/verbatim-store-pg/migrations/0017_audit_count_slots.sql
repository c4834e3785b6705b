-- 0017: the audit counter (0009) in 16 rows rather than one. Every write
-- adds its entries to the counter and holds that row's lock until it
-- commits; with one row, writers of one study queued there one behind
-- another even when they touched nothing else in common, and under load a
-- writer descheduled while holding it stalled every other. Each connection
-- now adds to the row of its backend's process id modulo 16, and readers
-- sum the 16 rows. The sum read in one snapshot is still exactly the
-- number of entries that snapshot sees (each row counts only committed
-- inserts), so the counter keeps its meaning: SQLite's newest row number.
--
-- A study made before this migration keeps its count in row 0.

ALTER TABLE audit_count DROP COLUMN one;
ALTER TABLE audit_count ADD COLUMN slot SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE audit_count ADD PRIMARY KEY (slot);
ALTER TABLE audit_count ADD CHECK (slot BETWEEN 0 AND 15);
INSERT INTO audit_count (slot, n) SELECT s, 0 FROM generate_series(1, 15) s;

CREATE OR REPLACE FUNCTION audit_counted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    added_rows BIGINT;
BEGIN
    SELECT count(*) INTO added_rows FROM added;
    EXECUTE format('UPDATE %I.audit_count SET n = n + $1 WHERE slot = $2', TG_TABLE_SCHEMA)
        USING added_rows, pg_backend_pid() % 16;
    RETURN NULL;
END
$$;
