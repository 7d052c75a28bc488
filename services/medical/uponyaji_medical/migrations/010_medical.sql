-- Medical's tables. Sealed values (facility, history, descriptions, notes, report content) stay
-- ciphertext here; they are unsealed in memory only for callers the field rules allow.

-- ---------------------------------------------------------------------------------------------
-- What intake told us (consumers.py): survivors, assignment, consent, closure, merge, erasure,
-- and referrals to medical.

CREATE TABLE survivors (
    survivor_id           uuid PRIMARY KEY,
    case_number           text,
    status                text NOT NULL DEFAULT 'open',    -- open | closed
    merged_into           uuid,
    erasure_requested_at  timestamptz,
    registered_at         timestamptz,
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
    referral_id  uuid PRIMARY KEY,
    survivor_id  uuid NOT NULL,
    urgency      text NOT NULL,
    status       text NOT NULL DEFAULT 'pending',            -- pending | accepted | declined
    made_at      timestamptz NOT NULL,
    answered_at  timestamptz
);
CREATE INDEX referrals_survivor ON referrals (survivor_id);

-- ---------------------------------------------------------------------------------------------
-- Read tables of our own events (projections.py); rebuildable from the store.

CREATE TABLE encounters (
    encounter_id  uuid PRIMARY KEY,
    survivor_id   uuid NOT NULL,
    kind          text NOT NULL,
    occurred_at   timestamptz NOT NULL,
    county_code   text NOT NULL,
    payload       jsonb NOT NULL,                             -- the event payload (sealed parts sealed)
    recorded_by   text NOT NULL,
    recorded_at   timestamptz NOT NULL
);
CREATE INDEX encounters_survivor ON encounters (survivor_id, occurred_at);

-- History, findings, psychological findings, diagnoses, treatments, specialist referrals and
-- follow-ups: one row per entry, its payload as recorded; corrections point both ways.
CREATE TABLE record_entries (
    entry_id       uuid PRIMARY KEY,
    survivor_id    uuid NOT NULL,
    encounter_id   uuid,
    kind           text NOT NULL,                             -- the event name
    payload        jsonb NOT NULL,
    status         text,                                      -- outcome / attendance
    grade          text,                                      -- findings: consistency level
    supersedes     uuid,
    superseded_by  uuid,
    recorded_by    text NOT NULL,
    recorded_at    timestamptz NOT NULL
);
CREATE INDEX record_entries_survivor ON record_entries (survivor_id, kind);

CREATE TABLE evaluations (
    encounter_id     uuid PRIMARY KEY,
    survivor_id      uuid NOT NULL,
    psych_level      text,
    overall_level    text,
    interpretation   text,                                    -- sealed
    recommendations  text,                                    -- sealed
    updated_at       timestamptz NOT NULL
);
CREATE INDEX evaluations_survivor ON evaluations (survivor_id);

CREATE TABLE forms_issued (
    document_id   uuid PRIMARY KEY,
    survivor_id   uuid NOT NULL,
    encounter_id  uuid NOT NULL,
    form          text NOT NULL,
    pdf_sha256    text NOT NULL,
    blank_fields  integer NOT NULL,
    issued_by     text NOT NULL,
    issued_at     timestamptz NOT NULL
);

CREATE TABLE signing_public_keys (
    key_id        uuid PRIMARY KEY,
    clinician_id  uuid NOT NULL,
    public_key    text NOT NULL,
    issued_at     timestamptz NOT NULL
);

CREATE TABLE reports (
    report_id          uuid PRIMARY KEY,
    survivor_id        uuid NOT NULL,
    encounter_id       uuid NOT NULL,
    content            text NOT NULL,                         -- sealed canonical JSON
    content_sha256     text NOT NULL,
    pdf_sha256         text NOT NULL,
    signer_id          uuid NOT NULL,
    key_id             uuid NOT NULL,
    signature          text NOT NULL,
    signed_at          timestamptz NOT NULL,
    overall_level      text,
    place_county_code  text NOT NULL
);
CREATE INDEX reports_survivor ON reports (survivor_id);

CREATE TABLE addenda (
    addendum_id     uuid PRIMARY KEY,
    report_id       uuid NOT NULL REFERENCES reports (report_id),
    survivor_id     uuid NOT NULL,
    content         text NOT NULL,                            -- sealed canonical JSON
    content_sha256  text NOT NULL,
    pdf_sha256      text NOT NULL,
    signer_id       uuid NOT NULL,
    key_id          uuid NOT NULL,
    signature       text NOT NULL,
    signed_at       timestamptz NOT NULL
);
CREATE INDEX addenda_report ON addenda (report_id);

CREATE TABLE evidence (
    evidence_id    uuid PRIMARY KEY,
    survivor_id    uuid NOT NULL,
    encounter_id   uuid,
    kind           text NOT NULL,
    media_type     text,
    size_bytes     bigint,
    sha256         text,
    captured_at    timestamptz,
    identifying    boolean NOT NULL,
    scale_present  boolean NOT NULL,
    description    text,                                      -- sealed
    holder_id      uuid NOT NULL,
    location       text NOT NULL,
    alarm          boolean NOT NULL DEFAULT false,
    recorded_by    text NOT NULL,
    recorded_at    timestamptz NOT NULL
);
CREATE INDEX evidence_survivor ON evidence (survivor_id);

CREATE TABLE custody (
    event_id       uuid PRIMARY KEY,
    evidence_id    uuid NOT NULL REFERENCES evidence (evidence_id),
    kind           text NOT NULL,                             -- captured | handed_over | accessed | alarm
    payload        jsonb NOT NULL,
    actor          text NOT NULL,
    at             timestamptz NOT NULL
);
CREATE INDEX custody_evidence ON custody (evidence_id, at);

-- ---------------------------------------------------------------------------------------------
-- Not events: secrets and file contents, behind their own interfaces.

-- Each clinician's Ed25519 private key, wrapped by the service's KEK (signing.py).
CREATE TABLE signing_keys (
    clinician_id  uuid PRIMARY KEY,
    key_id        uuid NOT NULL UNIQUE,
    wrapped       bytea NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- Step-up proofs already used (a proof signs one document once).
CREATE TABLE step_up_used (
    jti      text PRIMARY KEY,
    used_at  timestamptz NOT NULL DEFAULT now()
);

-- Evidence files sealed with the survivor's data key (storage.py). Erasure destroys the key.
CREATE TABLE evidence_blobs (
    evidence_id  uuid PRIMARY KEY,
    survivor_id  uuid NOT NULL,
    sealed       bytea NOT NULL
);
-- Ciphertext does not compress: store it out of line without trying (saves CPU on 50 MB files).
ALTER TABLE evidence_blobs ALTER COLUMN sealed SET STORAGE EXTERNAL;
