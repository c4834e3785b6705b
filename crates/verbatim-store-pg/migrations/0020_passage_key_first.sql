-- 0020: the key that makes a passage one coding (source, code, coder,
-- start, end) is kept in the order (coder, code, source, start, end), and
-- the index on (coder, code, source) it now serves is dropped.
--
-- Checking whether a passage is coded already is one lookup on that key,
-- in a plan PostgreSQL keeps for the connection's life (0010's function,
-- the prepared statements of one_coding.rs). A plan made before the table
-- has statistics (a new study: autovacuum first analyses it a minute after
-- its first 50 codings) weighed the two indexes alike and took the smaller
-- one on (coder, code, source), which reads every coding of the source by
-- that coder with that code: a coding's cost grew with its source's
-- codings (400 rows read per coding in a 20 s load run). With the key's
-- columns in this order no index leaves start and end to a filter except
-- (source, start), which finds a passage among a handful of rows. One
-- index fewer is also one fewer to write at every coding.

ALTER TABLE codings DROP CONSTRAINT codings_source_id_code_id_coder_id_start_char_end_char_key;
ALTER TABLE codings ADD CONSTRAINT codings_one_passage
    UNIQUE (coder_id, code_id, source_id, start_char, end_char);
DROP INDEX codings_by_coder_code;
