-- The event store. The events table is also the outbox (docs/kernel.md).
--
-- Global order: `position` is assigned AFTER commit by the sequencer (one transaction at a time,
-- serialised on the single row of event_sequencer), so positions follow commit order and a reader
-- of "everything after p" can never skip an event that commits later with a lower number.
-- Writers to different streams never wait on each other: append takes no table lock.
CREATE TABLE IF NOT EXISTS events (
    id              bigserial PRIMARY KEY,          -- insertion order, internal only
    position        bigint UNIQUE,                  -- commit order; NULL until sequenced
    event_id        uuid NOT NULL UNIQUE,
    stream_type     text NOT NULL,
    stream_id       text NOT NULL,
    version         integer NOT NULL CHECK (version >= 1),
    type            text NOT NULL,
    schema_version  integer NOT NULL,
    occurred_at     timestamptz NOT NULL,
    recorded_at     timestamptz NOT NULL,
    actor_id        text NOT NULL,
    actor_role      text NOT NULL,
    correlation_id  uuid NOT NULL,
    causation_id    uuid,
    trace           jsonb NOT NULL DEFAULT '{}'::jsonb,
    payload         jsonb NOT NULL,
    prev_hash       bytea NOT NULL,
    hash            bytea NOT NULL,
    UNIQUE (stream_id, version)
);

CREATE INDEX IF NOT EXISTS events_unsequenced ON events (id) WHERE position IS NULL;

CREATE TABLE IF NOT EXISTS event_sequencer (
    singleton       boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    last_position   bigint NOT NULL
);
INSERT INTO event_sequencer (singleton, last_position) VALUES (true, 0) ON CONFLICT DO NOTHING;

-- Outbox relay checkpoint: the last position whose publication JetStream acknowledged.
CREATE TABLE IF NOT EXISTS relay_checkpoints (
    relay           text PRIMARY KEY,
    position        bigint NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Consumers: per-source position (applied in the same transaction as the handler's writes).
CREATE TABLE IF NOT EXISTS consumer_positions (
    consumer        text NOT NULL,
    source          text NOT NULL,
    position        bigint NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, source)
);

-- Failed attempts of one event, so a poison event ends in the dead-letter table after N tries.
CREATE TABLE IF NOT EXISTS consumer_failures (
    consumer        text NOT NULL,
    source          text NOT NULL,
    position        bigint NOT NULL,
    attempts        integer NOT NULL,
    last_error      text NOT NULL,
    PRIMARY KEY (consumer, source, position)
);

CREATE TABLE IF NOT EXISTS dead_letters (
    id              bigserial PRIMARY KEY,
    consumer        text NOT NULL,
    source          text NOT NULL,
    position        bigint NOT NULL,
    event_id        uuid NOT NULL,
    event_type      text NOT NULL,
    attempts        integer NOT NULL,
    error           text NOT NULL,
    event           jsonb NOT NULL,   -- wire form: sealed fields stay ciphertext
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (consumer, source, position)
);
