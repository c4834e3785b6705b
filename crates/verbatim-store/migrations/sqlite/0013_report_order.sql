-- 0013: the order a team gives its sites (Table II, prevalence by site,
-- triangulation): 1, 2, 3… as set by `verbatim sites order`; NULL sites
-- follow, by name.
ALTER TABLE sites ADD COLUMN position INTEGER;
