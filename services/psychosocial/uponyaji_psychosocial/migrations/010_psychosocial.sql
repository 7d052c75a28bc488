-- Psychosocial's tables. Sealed values (notes, descriptions, reasons) stay ciphertext here; they
-- are unsealed in memory only for callers the field rules allow.

-- ---------------------------------------------------------------------------------------------
-- What intake told us (consumers.py): survivors, assignment, consent, closure, merge, erasure.

CREATE TABLE survivors (
    survivor_id           uuid PRIMARY KEY,
    case_number           text,
    status                text NOT NULL DEFAULT 'open',    -- open | closed
    merged_into           uuid,
    erasure_requested_at  timestamptz,
    updated_at            timestamptz NOT NULL DEFAULT now()
);

-- Team and lead case worker per survivor: the Caseload that libs/access asks about.
CREATE TABLE caseload (
    survivor_id  uuid PRIMARY KEY REFERENCES survivors (survivor_id),
    team         text NOT NULL,                              -- team id as tokens carry it
    case_worker  text,                                       -- staff id (UUID text) or NULL
    assigned_at  timestamptz NOT NULL
);
CREATE INDEX caseload_team ON caseload (team);
CREATE INDEX caseload_worker ON caseload (case_worker);

CREATE TABLE consents (
    survivor_id  uuid NOT NULL REFERENCES survivors (survivor_id),
    scope        text NOT NULL,
    granted      boolean NOT NULL,
    changed_at   timestamptz NOT NULL,
    PRIMARY KEY (survivor_id, scope)
);

-- ---------------------------------------------------------------------------------------------
-- Read tables of our own events (projections.py); rebuildable from the store.

CREATE TABLE sessions (
    session_id            uuid PRIMARY KEY,
    kind                  text NOT NULL,
    held_on               date NOT NULL,
    duration_minutes      integer NOT NULL,
    approach              text NOT NULL,
    place                 text NOT NULL,
    interpreter           boolean NOT NULL,
    interpreter_language  text,
    participants          integer NOT NULL,
    recorded_by           text NOT NULL,
    recorded_at           timestamptz NOT NULL
);

CREATE TABLE session_participants (
    session_id   uuid NOT NULL REFERENCES sessions (session_id),
    survivor_id  uuid NOT NULL,
    attendance   text NOT NULL,
    notes        text,                                       -- sealed
    PRIMARY KEY (session_id, survivor_id)
);
CREATE INDEX session_participants_survivor ON session_participants (survivor_id);

CREATE TABLE assessments (
    assessment_id      uuid PRIMARY KEY,
    survivor_id        uuid NOT NULL,
    instrument         text NOT NULL,
    responses          integer[] NOT NULL,
    administered_at    timestamptz NOT NULL,
    total              text NOT NULL,                        -- exact decimal
    percentage         integer,
    subscales          jsonb NOT NULL,
    band               text NOT NULL,
    flags              text[] NOT NULL,
    caseness_cutoff    text NOT NULL,
    supersedes         uuid,
    superseded_by      uuid,
    correction_reason  text,                                 -- sealed
    event_type         text NOT NULL,
    recorded_by        text NOT NULL,
    recorded_at        timestamptz NOT NULL
);
CREATE INDEX assessments_survivor ON assessments (survivor_id, instrument, administered_at);

CREATE TABLE risk_flags (
    flag_id        uuid PRIMARY KEY,
    survivor_id    uuid NOT NULL,
    assessment_id  uuid NOT NULL,
    reason         text NOT NULL,
    item           integer NOT NULL,
    response       integer NOT NULL,
    raised_at      timestamptz NOT NULL,
    raised_by      text NOT NULL,
    status         text NOT NULL DEFAULT 'open',              -- open | resolved
    responder_id   uuid,
    actions        text[],
    referral       text,
    details        text,                                      -- sealed
    responded_at   timestamptz,
    resolved_by    text,
    resolved_at    timestamptz
);
CREATE INDEX risk_flags_status ON risk_flags (status, raised_at);
CREATE INDEX risk_flags_survivor ON risk_flags (survivor_id);

CREATE TABLE care_plan_goals (
    goal_id      uuid PRIMARY KEY,
    survivor_id  uuid NOT NULL,
    domain       text NOT NULL,
    description  text NOT NULL,                               -- sealed
    target_date  date NOT NULL,
    status       text NOT NULL DEFAULT 'not_started',
    added_by     text NOT NULL,
    added_at     timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL
);
CREATE INDEX care_plan_goals_survivor ON care_plan_goals (survivor_id);

CREATE TABLE goal_reviews (
    event_id     uuid PRIMARY KEY,
    goal_id      uuid NOT NULL REFERENCES care_plan_goals (goal_id),
    status       text NOT NULL,
    reviewed_on  date NOT NULL,
    note         text,                                        -- sealed
    reviewed_by  text NOT NULL,
    recorded_at  timestamptz NOT NULL
);
CREATE INDEX goal_reviews_goal ON goal_reviews (goal_id);
