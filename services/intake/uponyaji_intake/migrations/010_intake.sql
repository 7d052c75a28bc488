-- Intake's read tables (projections of its own events) and its two pieces of working state:
-- the case-number counter and the blind index. Sealed values stay ciphertext here; names, phones
-- and ID numbers exist in clear only in memory while a request is served.

-- One counter per case-number prefix and year (East Africa Time). Incremented in its own short
-- transaction: numbers may skip after a failed registration, but are never given out twice.
CREATE TABLE case_number_counters (
    prefix  text    NOT NULL,
    year    integer NOT NULL,
    last    integer NOT NULL,
    PRIMARY KEY (prefix, year)
);

CREATE TABLE survivors (
    survivor_id        uuid PRIMARY KEY,
    case_number        text NOT NULL UNIQUE,
    registered_at      timestamptz NOT NULL,
    registered_by      text NOT NULL,
    county_code        text NOT NULL,
    gender             text NOT NULL,
    age_band           text NOT NULL,
    disabilities       text[] NOT NULL DEFAULT '{}',
    preferred_language text NOT NULL,
    birth_date_estimated boolean NOT NULL DEFAULT false,
    -- field name -> {"value": "sealed:v1:…", "context": "intake.SurvivorRegistered/full_name"}
    identity           jsonb NOT NULL DEFAULT '{}',
    status             text NOT NULL DEFAULT 'open',      -- open | closed | merged
    closure_reason     text,
    closed_at          timestamptz,
    merged_into        uuid,
    erasure_status     text,                              -- NULL | requested | completed
    version            integer NOT NULL,
    updated_at         timestamptz NOT NULL
);
CREATE INDEX survivors_county ON survivors (county_code);

-- Team and lead case worker per survivor: the Caseload that libs/access asks about.
CREATE TABLE caseload (
    survivor_id       uuid PRIMARY KEY REFERENCES survivors (survivor_id),
    team              text NOT NULL,                     -- team id as tokens carry it
    lead_case_worker  uuid,
    assigned_at       timestamptz NOT NULL
);
CREATE INDEX caseload_team ON caseload (team);
CREATE INDEX caseload_worker ON caseload (lead_case_worker);

-- Keyed HMAC-SHA256 digests (blind indexes) of normalised name tokens, phone and ID numbers.
CREATE TABLE survivor_blind_index (
    survivor_id  uuid  NOT NULL REFERENCES survivors (survivor_id),
    kind         text  NOT NULL,
    digest       bytea NOT NULL,
    PRIMARY KEY (kind, digest, survivor_id)
);
CREATE INDEX survivor_blind_index_survivor ON survivor_blind_index (survivor_id);

CREATE TABLE consents (
    survivor_id  uuid NOT NULL REFERENCES survivors (survivor_id),
    scope        text NOT NULL,
    status       text NOT NULL,                          -- granted | withdrawn
    method       text NOT NULL,
    given_by     text NOT NULL,
    language     text NOT NULL,
    changed_at   timestamptz NOT NULL,
    changed_by   text NOT NULL,
    PRIMARY KEY (survivor_id, scope)
);

CREATE TABLE consent_history (
    event_id      uuid PRIMARY KEY,
    survivor_id   uuid NOT NULL REFERENCES survivors (survivor_id),
    scope         text NOT NULL,
    granted       boolean NOT NULL,
    method        text NOT NULL,
    given_by      text NOT NULL,
    language      text NOT NULL,
    witness       jsonb,                                 -- {"v": sealed, "e": event type} or NULL
    reason        jsonb,
    at            timestamptz NOT NULL,                  -- when given or withdrawn
    recorded_at   timestamptz NOT NULL,
    recorded_by   text NOT NULL,
    recorded_role text NOT NULL
);
CREATE INDEX consent_history_survivor ON consent_history (survivor_id, at);

CREATE TABLE incidents (
    incident_id    uuid PRIMARY KEY,
    survivor_id    uuid NOT NULL REFERENCES survivors (survivor_id),
    documented_at  timestamptz NOT NULL,
    documented_by  text NOT NULL,
    county_code    text,
    place_type     text NOT NULL,
    perpetrators   text[] NOT NULL,
    methods        text[] NOT NULL,
    details        jsonb NOT NULL,                       -- the event payload (sealed parts as is)
    context_event  text NOT NULL                         -- event type the sealed parts belong to
);
CREATE INDEX incidents_survivor ON incidents (survivor_id, documented_at);

CREATE TABLE referrals (
    referral_id   uuid PRIMARY KEY,
    survivor_id   uuid NOT NULL REFERENCES survivors (survivor_id),
    target        text NOT NULL,
    urgency       text NOT NULL,
    status        text NOT NULL,                         -- pending | accepted | declined | …
    details       jsonb NOT NULL,                        -- {"payload": event payload, "e": type}
    status_note   jsonb,
    made_at       timestamptz NOT NULL,
    made_by       text NOT NULL,
    updated_at    timestamptz NOT NULL
);
CREATE INDEX referrals_survivor ON referrals (survivor_id, made_at);

CREATE TABLE erasure_requests (
    request_id     uuid PRIMARY KEY,
    survivor_id    uuid NOT NULL REFERENCES survivors (survivor_id),
    received_on    date NOT NULL,
    requested_at   timestamptz NOT NULL,
    requested_by   text NOT NULL,
    participants   text[] NOT NULL,
    completed_at   timestamptz
);
CREATE INDEX erasure_requests_survivor ON erasure_requests (survivor_id);

-- Each service's `<service>.DataKeyDestroyed`, as intake received it (its own from its store,
-- the others' through consumers). Not a projection of intake's events alone, so a rebuild of the
-- read tables keeps it.
CREATE TABLE erasure_confirmations (
    request_id    uuid NOT NULL,
    service       text NOT NULL,
    event_id      uuid NOT NULL,
    survivor_id   uuid NOT NULL,
    key_id        uuid,
    destroyed_at  timestamptz NOT NULL,
    received_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (request_id, service)
);

-- Teams as identity announces them (identity.TeamCreated), to resolve demo team names.
CREATE TABLE teams (
    team_id  uuid PRIMARY KEY,
    name     text NOT NULL
);
