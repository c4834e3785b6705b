-- 0005: code names unique among siblings only, as SQLite's 0019 makes
-- them (QualCoder and NVivo projects repeat a name under different
-- parents). The database keeps the rule.

DROP INDEX codes_unique_name;
CREATE UNIQUE INDEX codes_unique_name ON codes (coalesce(owner, 0), coalesce(parent, 0), name);
