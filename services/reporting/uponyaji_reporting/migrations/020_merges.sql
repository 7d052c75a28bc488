-- Merged records: the duplicate's journey is read as part of the record kept, and the duplicate
-- no longer counts on the dashboard (nothing counted twice).

CREATE TABLE merges (
    merged_id uuid PRIMARY KEY,
    kept_id   uuid NOT NULL
);
CREATE INDEX merges_kept ON merges (kept_id);

ALTER TABLE survivor_facts ADD COLUMN merged_into uuid;
