-- 0007: reconciliation, the step-by-step building of the shared codebook
-- from two coders' compared work. Every decision is a row (who, when, why)
-- written through the history recorder, so it can be undone.
--
-- Origins and shared codes carry no foreign key: a coder may later delete
-- or merge their own code, and the record of where a shared code came from
-- must outlive it (the origin's name is kept for that reason).

CREATE TABLE reconciliation_decisions (
    id          INTEGER PRIMARY KEY,
    guid        TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL
                CHECK (kind IN ('accept', 'merge', 'keep', 'passage_accept', 'passage_reject')),
    coder_id    INTEGER NOT NULL REFERENCES coders(id),
    decided_at  TEXT NOT NULL,
    note        TEXT,
    shared_code INTEGER,
    source_id   INTEGER,
    start_char  INTEGER,
    end_char    INTEGER,
    coding_id   INTEGER
);
CREATE INDEX reconciliation_by_time ON reconciliation_decisions (decided_at, id);

-- Which coders' codes a decision is about (one row per origin): the node
-- accepted or kept, both nodes merged, the codes a passage was coded with.
CREATE TABLE reconciliation_origins (
    id          INTEGER PRIMARY KEY,
    decision_id INTEGER NOT NULL REFERENCES reconciliation_decisions(id),
    code_id     INTEGER NOT NULL,
    code_name   TEXT NOT NULL,
    owner       INTEGER,
    shared_code INTEGER
);
CREATE INDEX reconciliation_origins_by_decision ON reconciliation_origins (decision_id);
CREATE INDEX reconciliation_origins_by_shared ON reconciliation_origins (shared_code);

-- Comparisons read every passage of one coder at once (alignment reads
-- about 57,000 per coder in the benchmark); a covering index serves them
-- from the index alone instead of one table lookup per coding.
CREATE INDEX codings_spans_by_coder ON codings (coder_id, code_id, source_id, start_char, end_char);
