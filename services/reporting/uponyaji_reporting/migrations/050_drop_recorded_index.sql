-- A journey is read by survivor id (the primary key's first column, ~30 rows each) and filtered
-- by recorded_at in those rows; the (survivor_id, recorded_at) index only cost every insert a
-- second random B-tree write (the rebuild benchmark: about a third of the entry-writing time).

DROP INDEX IF EXISTS journey_entries_recorded;
