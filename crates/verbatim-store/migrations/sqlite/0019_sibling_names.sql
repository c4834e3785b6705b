-- Code names unique among siblings only, as in QualCoder, NVivo, ATLAS.ti
-- and MAXQDA: "Choice" may sit under both "Programming" and "Citizenship"
-- in one codebook. A code is then named by its path (`Parent/Child`) where
-- its bare name is ambiguous (`SqliteStore::find_code`). Top-level codes
-- (parent NULL) are siblings of one another.
DROP INDEX codes_unique_name;
CREATE UNIQUE INDEX codes_unique_name ON codes (IFNULL(owner, 0), IFNULL(parent, 0), name);
