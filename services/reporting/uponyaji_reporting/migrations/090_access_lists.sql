-- Lists and searches (`<service>.SurvivorsListed`): one row for the answer itself (item 0, no
-- survivor, `results` = how many it named, `query_hash` = the keyed hash of a search's text) and
-- one row per survivor it returned (item 1..n, with on_caseload), so the audit alerts count the
-- survivors seen in lists and searches like the survivors read one by one.

ALTER TABLE access_records ADD COLUMN item integer NOT NULL DEFAULT 0;
ALTER TABLE access_records ADD COLUMN query_hash text;
ALTER TABLE access_records ADD COLUMN results integer;
ALTER TABLE access_records DROP CONSTRAINT access_records_pkey;
ALTER TABLE access_records ADD PRIMARY KEY (source, position, item);
