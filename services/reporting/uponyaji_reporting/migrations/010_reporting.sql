-- Reporting's projections: journey entries (what each event said about a survivor, unsealed
-- fields only), each survivor's dashboard facts, and the audit trail of every service's reads.

CREATE TABLE journey_entries (
    survivor_id  uuid        NOT NULL,
    source       text        NOT NULL,
    position     bigint      NOT NULL,
    kind         text        NOT NULL,
    at           timestamptz NOT NULL,
    occurred_at  timestamptz NOT NULL,
    recorded_at  timestamptz NOT NULL,
    data         jsonb       NOT NULL DEFAULT '{}',
    PRIMARY KEY (survivor_id, source, position)
);
CREATE INDEX journey_entries_recorded ON journey_entries (survivor_id, recorded_at);

CREATE TABLE survivor_facts (
    survivor_id      uuid PRIMARY KEY,
    case_number      text,
    team             text,
    lead_worker      text,
    county           text,
    gender           text,
    age_band         text,
    registered_on    date,
    closed_on        date,
    erased           boolean NOT NULL DEFAULT false,
    perpetrators     text[]  NOT NULL DEFAULT '{}',
    methods          text[]  NOT NULL DEFAULT '{}',
    services         text[]  NOT NULL DEFAULT '{}',
    first_service_on date,
    outcomes         jsonb   NOT NULL DEFAULT '{}',
    open_risk_flags  integer NOT NULL DEFAULT 0
);
CREATE INDEX survivor_facts_registered ON survivor_facts (registered_on);

CREATE TABLE access_records (
    source      text        NOT NULL,
    position    bigint      NOT NULL,
    staff_id    text        NOT NULL,
    role        text,
    action      text        NOT NULL,
    survivor_id uuid,
    purpose     text,
    outcome     text,
    route       text,
    at          timestamptz NOT NULL,
    PRIMARY KEY (source, position)
);
CREATE INDEX access_records_at ON access_records (at);
CREATE INDEX access_records_staff ON access_records (staff_id, at);
