-- 0004: memos name their target in words when it has no row of its own yet
-- (a participant's code, until participants get a table), and are found by
-- target quickly.

ALTER TABLE memos ADD COLUMN target_label TEXT;
CREATE INDEX memos_by_target ON memos (target_kind, target_id);
CREATE INDEX journal_links_by_entry ON journal_links (entry_id);
