-- Event signatures and an append-only event table (docs/security.md).
--
-- The sequencer sets position, signature and key_id once, on a committed event. Nothing else
-- about an event may ever change, and no event may be deleted: the trigger refuses it for every
-- role (the service's runtime role also lacks the privileges; only a superuser who disables
-- triggers could get past, and the signatures then give the change away).
ALTER TABLE events ADD COLUMN IF NOT EXISTS signature bytea;
ALTER TABLE events ADD COLUMN IF NOT EXISTS key_id text;

CREATE OR REPLACE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'events are append-only: DELETE refused' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF OLD.position IS NOT NULL AND NEW.position IS DISTINCT FROM OLD.position THEN
        RAISE EXCEPTION 'events are append-only: position % is already set', OLD.position
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF OLD.signature IS NOT NULL
       AND (NEW.signature, NEW.key_id) IS DISTINCT FROM (OLD.signature, OLD.key_id) THEN
        RAISE EXCEPTION 'events are append-only: the signature of event % is already set',
            OLD.event_id USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF (NEW.id, NEW.event_id, NEW.stream_type, NEW.stream_id, NEW.version, NEW.type,
        NEW.schema_version, NEW.occurred_at, NEW.recorded_at, NEW.actor_id, NEW.actor_role,
        NEW.correlation_id, NEW.causation_id, NEW.trace, NEW.payload, NEW.prev_hash, NEW.hash)
       IS DISTINCT FROM
       (OLD.id, OLD.event_id, OLD.stream_type, OLD.stream_id, OLD.version, OLD.type,
        OLD.schema_version, OLD.occurred_at, OLD.recorded_at, OLD.actor_id, OLD.actor_role,
        OLD.correlation_id, OLD.causation_id, OLD.trace, OLD.payload, OLD.prev_hash, OLD.hash) THEN
        RAISE EXCEPTION 'events are append-only: only position and signature may be set, once'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION events_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only: TRUNCATE refused' USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE OR REPLACE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_append_only();
CREATE OR REPLACE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_no_truncate();

-- What a consumer knows of each source stream's chain: the last version and hash it applied.
CREATE TABLE IF NOT EXISTS consumer_stream_heads (
    consumer        text NOT NULL,
    source          text NOT NULL,
    stream_id       text NOT NULL,
    version         integer NOT NULL,
    hash            bytea NOT NULL,
    PRIMARY KEY (consumer, source, stream_id)
);

-- Events a consumer refused because signature, hash, chain or position did not hold. They are
-- never applied; the consumer waits at that position and repairs from the source's feed.
CREATE TABLE IF NOT EXISTS integrity_alarms (
    id              bigserial PRIMARY KEY,
    consumer        text NOT NULL,
    source          text NOT NULL,
    position        bigint,
    event_id        uuid,
    event_type      text,
    path            text NOT NULL,    -- nats | feed
    reason          text NOT NULL,
    event           jsonb NOT NULL,   -- wire form as received: sealed fields stay ciphertext
    seen_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS integrity_alarms_recent ON integrity_alarms (consumer, source, id);

-- Events still waiting for their signature (unsequenced, or sequenced by an unsigned process).
CREATE INDEX IF NOT EXISTS events_unsigned ON events (position) WHERE signature IS NULL;

-- Whoever was granted the events table with the schema's default privileges (the service's
-- runtime role) keeps INSERT and SELECT, and may UPDATE only the columns the sequencer sets.
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT DISTINCT grantee FROM information_schema.role_table_grants
             WHERE table_schema = current_schema() AND table_name = 'events'
               AND privilege_type IN ('UPDATE', 'DELETE', 'TRUNCATE')
               AND grantee NOT IN ('PUBLIC', current_user) LOOP
        EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON events FROM %I', r.grantee);
        EXECUTE format('GRANT UPDATE (position, signature, key_id) ON events TO %I', r.grantee);
    END LOOP;
END $$;
