-- The store's identity (epoch). Positions are unique only within one life of a store: a database
-- restored from a backup hands out positions again that its consumers already applied. The epoch
-- is tied to a fingerprint of the physical database (the cluster's system identifier, its WAL
-- timeline and the database's oid); a restore into a new cluster or database, or a point-in-time
-- recovery (a new timeline), has a new fingerprint and therefore a new epoch. The rows restored
-- with the backup name the old fingerprint and are simply not found.
CREATE TABLE IF NOT EXISTS store_epochs (
    fingerprint     text PRIMARY KEY,
    epoch           uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
    started_at      timestamptz NOT NULL DEFAULT now()
);

-- The epoch of the source a consumer last applied from (NULL: not known yet).
ALTER TABLE consumer_positions ADD COLUMN IF NOT EXISTS source_epoch uuid;
