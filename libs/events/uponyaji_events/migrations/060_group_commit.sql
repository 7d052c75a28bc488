-- Group commit's two statements (libs/events/uponyaji_events/groupcommit.py), as functions that
-- PostgreSQL plans for each call's own values (`SET plan_cache_mode = force_custom_plan`).
--
-- A statement the client prepares once is planned, from its sixth execution on, with one generic
-- plan costed on the table as it was then. On a store that starts empty that plan reads the whole
-- events table (a sequential scan for the heads, a hashed subplan over every event for the guard)
-- and keeps doing so as the table grows. A SQL function is planned the same way unless told not
-- to; the SET clause also keeps the planner from inlining the function into the caller's
-- statement. Planning once per call costs a fraction of a millisecond, shared by a group's events.

-- The last event of each stream named (streams without events are left out).
CREATE OR REPLACE FUNCTION events_group_heads(streams text[])
RETURNS TABLE (stream_id text, version integer, hash bytea, stream_type text)
LANGUAGE sql STABLE SET plan_cache_mode = force_custom_plan AS $fn$
    SELECT s.stream_id, h.version, h.hash, h.stream_type
    FROM unnest(streams) AS s(stream_id)
    CROSS JOIN LATERAL (SELECT e.version, e.hash, e.stream_type FROM events e
                        WHERE e.stream_id = s.stream_id ORDER BY e.version DESC LIMIT 1) AS h
$fn$;

-- One row per element of the arrays, each written only if its stream's event at the version
-- before has the row's prev_hash and stream type (version 1: prev_hash is the genesis hash) and
-- nobody wrote its version first. Returns the event ids written.
CREATE OR REPLACE FUNCTION events_group_insert(
    event_ids uuid[], stream_types text[], stream_ids text[], versions integer[], types text[],
    schema_versions integer[], occurred timestamptz[], recorded timestamptz[], actor_ids text[],
    actor_roles text[], correlation_ids uuid[], causation_ids uuid[], traces jsonb[],
    payloads jsonb[], prev_hashes bytea[], hashes bytea[])
RETURNS SETOF uuid LANGUAGE sql SET plan_cache_mode = force_custom_plan AS $fn$
    INSERT INTO events (event_id, stream_type, stream_id, version, type, schema_version,
                        occurred_at, recorded_at, actor_id, actor_role, correlation_id,
                        causation_id, trace, payload, prev_hash, hash)
    SELECT u.* FROM unnest(event_ids, stream_types, stream_ids, versions, types, schema_versions,
                           occurred, recorded, actor_ids, actor_roles, correlation_ids,
                           causation_ids, traces, payloads, prev_hashes, hashes)
        AS u(event_id, stream_type, stream_id, version, type, schema_version, occurred_at,
             recorded_at, actor_id, actor_role, correlation_id, causation_id, trace, payload,
             prev_hash, hash)
    WHERE CASE WHEN u.version = 1 THEN u.prev_hash = decode(repeat('00', 32), 'hex')
               ELSE EXISTS (SELECT 1 FROM events e WHERE e.stream_id = u.stream_id
                            AND e.version = u.version - 1 AND e.hash = u.prev_hash
                            AND e.stream_type = u.stream_type) END
    ON CONFLICT DO NOTHING
    RETURNING event_id
$fn$;
