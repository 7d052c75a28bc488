-- Per-subject data keys for sealed fields (docs/sealing.md).
--
-- wrapped_key is the subject's AES-256-GCM data key wrapped by the service's key-encryption key,
-- which never enters the database. Crypto-shredding sets wrapped_key to NULL and destroyed_at; the
-- row then stays as a tombstone so that no new key is ever made for that subject.
CREATE TABLE IF NOT EXISTS sealing_keys (
    subject_id    text PRIMARY KEY,
    key_id        uuid NOT NULL UNIQUE,
    wrapped_key   bytea,
    created_at    timestamptz NOT NULL DEFAULT now(),
    destroyed_at  timestamptz,
    CONSTRAINT sealing_keys_live_or_destroyed
        CHECK ((wrapped_key IS NULL) = (destroyed_at IS NOT NULL))
);
