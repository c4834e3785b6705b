-- 0018: a recording (audio or video) beside a source's transcript.
--
-- The file itself is not in the study: it is kept in the media folder beside
-- the `.vbt` (`STUDY.vbt.media/`), named by the SHA-256 of its bytes, so the
-- same recording is stored once and a detached recording can be attached
-- again by undo. This row says which file belongs to which source and what
-- was read from its container when it was attached.
CREATE TABLE media (
    id            INTEGER PRIMARY KEY,
    source_id     INTEGER NOT NULL REFERENCES sources(id),
    sha256        TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('audio', 'video')),
    container     TEXT NOT NULL,
    mime          TEXT NOT NULL,
    bytes         INTEGER NOT NULL,
    duration_ms   INTEGER,
    original_name TEXT NOT NULL,
    attached_at   TEXT NOT NULL
);
-- One recording per source.
CREATE UNIQUE INDEX media_one_per_source ON media (source_id);
