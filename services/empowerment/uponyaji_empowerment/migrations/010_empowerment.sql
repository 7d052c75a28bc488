-- Empowerment's tables. Sealed values (notes, descriptions, justifications, payment references)
-- stay ciphertext here; they are unsealed in memory only for callers the field rules allow.
-- Amounts are numeric(14,2): exact KES.

-- ---------------------------------------------------------------------------------------------
-- What intake told us (consumers.py): survivors, assignment, consent, closure, merge, erasure,
-- and referrals to empowerment.

CREATE TABLE survivors (
    survivor_id           uuid PRIMARY KEY,
    case_number           text,
    county_code           text,                              -- for finance aggregates
    status                text NOT NULL DEFAULT 'open',      -- open | closed
    merged_into           uuid,
    erasure_requested_at  timestamptz,
    updated_at            timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE caseload (
    survivor_id  uuid PRIMARY KEY REFERENCES survivors (survivor_id),
    team         text NOT NULL,
    case_worker  text,
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

CREATE TABLE referrals (
    referral_id   uuid PRIMARY KEY,
    survivor_id   uuid NOT NULL,
    urgency       text NOT NULL,
    referred_at   timestamptz NOT NULL,
    status        text NOT NULL DEFAULT 'pending',           -- pending | accepted | declined | cancelled
    answered_on   date,
    answered_by   text
);
CREATE INDEX referrals_survivor ON referrals (survivor_id);
CREATE INDEX referrals_status ON referrals (status, referred_at);

-- ---------------------------------------------------------------------------------------------
-- Read tables of our own events (projections.py); rebuildable from the store.

CREATE TABLE needs_assessments (
    assessment_id           uuid PRIMARY KEY,
    survivor_id             uuid NOT NULL,
    assessed_on             date NOT NULL,
    household_size          integer NOT NULL,
    dependants              integer NOT NULL,
    earners                 integer NOT NULL,
    income_sources          text[] NOT NULL,
    monthly_income          numeric(14, 2) NOT NULL,
    housing                 text NOT NULL,
    hunger_answers          text[] NOT NULL,
    hunger_score            integer NOT NULL,
    hunger_category         text NOT NULL,
    school_age_children     integer NOT NULL,
    children_out_of_school  integer NOT NULL,
    debts                   numeric(14, 2) NOT NULL,
    skills                  text[] NOT NULL,
    barriers                text[] NOT NULL,
    notes                   text,                            -- sealed
    supersedes              uuid,
    superseded_by           uuid,
    reason                  text,                            -- sealed
    recorded_by             text NOT NULL,
    recorded_at             timestamptz NOT NULL
);
CREATE INDEX needs_survivor ON needs_assessments (survivor_id, assessed_on);

CREATE TABLE plans (
    plan_id      uuid PRIMARY KEY,
    survivor_id  uuid NOT NULL UNIQUE,
    started_on   date NOT NULL,
    recorded_by  text NOT NULL,
    recorded_at  timestamptz NOT NULL
);

CREATE TABLE plan_goals (
    goal_id      uuid PRIMARY KEY,
    plan_id      uuid NOT NULL REFERENCES plans (plan_id),
    survivor_id  uuid NOT NULL,
    kind         text NOT NULL,
    description  text NOT NULL,                              -- sealed
    target_date  date NOT NULL,
    steps        jsonb NOT NULL,                             -- [{step_id, description (sealed), done}]
    added_by     text NOT NULL,                              -- the event: plan | goal (sealing context)
    status       text NOT NULL DEFAULT 'not_started',
    added_at     timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL
);
CREATE INDEX plan_goals_survivor ON plan_goals (survivor_id);

CREATE TABLE plan_reviews (
    event_id     uuid PRIMARY KEY,
    plan_id      uuid NOT NULL REFERENCES plans (plan_id),
    survivor_id  uuid NOT NULL,
    reviewed_on  date NOT NULL,
    goals        jsonb NOT NULL,
    note         text,                                       -- sealed
    reviewed_by  text NOT NULL,
    recorded_at  timestamptz NOT NULL
);
CREATE INDEX plan_reviews_survivor ON plan_reviews (survivor_id);

-- A grant approval locks its budget line's row (SELECT … FOR UPDATE) and checks `committed`
-- against `amount` in the same transaction that records the approval and raises `committed`:
-- two approvals racing past the line cannot both commit.
CREATE TABLE budget_lines (
    budget_line_id  uuid PRIMARY KEY,
    code            text NOT NULL UNIQUE,
    period_start    date NOT NULL,
    period_end      date NOT NULL,
    amount          numeric(14, 2) NOT NULL,
    committed       numeric(14, 2) NOT NULL DEFAULT 0,
    disbursed       numeric(14, 2) NOT NULL DEFAULT 0,
    opened_by       text NOT NULL,
    opened_at       timestamptz NOT NULL,
    CHECK (committed <= amount)
);

CREATE TABLE grants (
    grant_id        uuid PRIMARY KEY,
    survivor_id     uuid NOT NULL,
    purpose         text NOT NULL,
    amount          numeric(14, 2) NOT NULL,
    budget_line_id  uuid NOT NULL REFERENCES budget_lines (budget_line_id),
    proposed_by     uuid NOT NULL,
    proposed_at     timestamptz NOT NULL,
    justification   text,                                    -- sealed
    status          text NOT NULL DEFAULT 'proposed',        -- proposed | approved | declined
    decided_by      uuid,
    decided_on      date,
    reason          text,                                    -- sealed
    disbursed       numeric(14, 2) NOT NULL DEFAULT 0,
    CHECK (disbursed <= amount)
);
CREATE INDEX grants_survivor ON grants (survivor_id);
CREATE INDEX grants_status ON grants (status, proposed_at);

CREATE TABLE disbursements (
    disbursement_id   uuid PRIMARY KEY,
    grant_id          uuid NOT NULL REFERENCES grants (grant_id),
    survivor_id       uuid NOT NULL,
    amount            numeric(14, 2) NOT NULL,
    channel           text NOT NULL,
    reference         text,                                  -- sealed
    reference_digest  text UNIQUE,                           -- a reference is used once
    items             text,                                  -- sealed
    disbursed_on      date NOT NULL,
    recorded_by       text NOT NULL,
    recorded_at       timestamptz NOT NULL
);
CREATE INDEX disbursements_survivor ON disbursements (survivor_id);

CREATE TABLE courses (
    course_id         uuid PRIMARY KEY,
    title             text NOT NULL,
    skill             text NOT NULL,
    starts_on         date NOT NULL,
    sessions_planned  integer NOT NULL,
    sessions_held     integer NOT NULL DEFAULT 0,
    opened_by         text NOT NULL,
    opened_at         timestamptz NOT NULL
);

CREATE TABLE course_attendance (
    session_id   uuid NOT NULL,
    survivor_id  uuid NOT NULL,
    course_id    uuid NOT NULL REFERENCES courses (course_id),
    held_on      date NOT NULL,
    present      boolean NOT NULL,
    PRIMARY KEY (session_id, survivor_id)
);
CREATE INDEX course_attendance_survivor ON course_attendance (survivor_id, course_id);

CREATE TABLE training_completions (
    course_id          uuid NOT NULL REFERENCES courses (course_id),
    survivor_id        uuid NOT NULL,
    completed_on       date NOT NULL,
    sessions_attended  integer NOT NULL,
    PRIMARY KEY (survivor_id, course_id)
);

CREATE TABLE follow_ups (
    follow_up_id        uuid PRIMARY KEY,
    survivor_id         uuid NOT NULL,
    milestone           text NOT NULL,
    due_on              date NOT NULL,
    held_on             date NOT NULL,
    monthly_income      numeric(14, 2) NOT NULL,
    business_operating  boolean,
    employment_status   text NOT NULL,
    hunger_answers      text[] NOT NULL,
    hunger_score        integer NOT NULL,
    hunger_category     text NOT NULL,
    notes               text,                                -- sealed
    supersedes          uuid,
    superseded_by       uuid,
    reason              text,                                -- sealed
    recorded_by         text NOT NULL,
    recorded_at         timestamptz NOT NULL
);
CREATE INDEX follow_ups_survivor ON follow_ups (survivor_id, held_on);
