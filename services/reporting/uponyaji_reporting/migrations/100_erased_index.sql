-- The survivors whose journey holds an erasure request, found without reading their other
-- entries: every batch (and every rebuild page) asks this of the survivors it touched, and the
-- primary key made PostgreSQL read each touched survivor's whole journey to answer it.
CREATE INDEX journey_entries_erased ON journey_entries (survivor_id)
    WHERE kind = 'erasure_requested';
