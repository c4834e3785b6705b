-- A code that cannot be applied to text: a category that only groups
-- codes (REFI-QDA `isCodable="false"`, as QualCoder, NVivo and ATLAS.ti
-- write their categories). Kept so that a category exchanged with another
-- tool comes back a category; codes made in verbatim stay codable.
ALTER TABLE codes ADD COLUMN codable INTEGER NOT NULL DEFAULT 1 CHECK (codable IN (0, 1));
