-- 0008: an expectation can also come back reversed (the data say the
-- opposite of what the preconception expected). SQLite cannot change a
-- CHECK constraint in place, so the link table is rebuilt; no table
-- references it, and its rows keep their ids.

CREATE TABLE journal_links_v8 (
    id       INTEGER PRIMARY KEY,
    entry_id INTEGER NOT NULL REFERENCES journal(id),
    code_id  INTEGER NOT NULL REFERENCES codes(id),
    relation TEXT NOT NULL CHECK (relation IN ('expected', 'emerged', 'absent', 'reversed')),
    UNIQUE (entry_id, code_id)
);
INSERT INTO journal_links_v8 (id, entry_id, code_id, relation)
    SELECT id, entry_id, code_id, relation FROM journal_links;
DROP TABLE journal_links;
ALTER TABLE journal_links_v8 RENAME TO journal_links;
CREATE INDEX journal_links_by_entry ON journal_links (entry_id);
