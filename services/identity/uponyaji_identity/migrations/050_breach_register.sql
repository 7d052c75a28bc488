-- The personal data breach register (docs/data-protection.md): one row per breach, its history
-- (every step, who and when, never updated or deleted), and the notification outbox that carries
-- the 72-hour deadline's reminders to the data protection officer.
CREATE TABLE breaches (
    breach_id                uuid PRIMARY KEY,
    reference                text NOT NULL UNIQUE,          -- BR-<year>-<nnn>
    detected_at              timestamptz NOT NULL,
    aware_at                 timestamptz NOT NULL,          -- the 72 hours run from here
    summary                  text NOT NULL,                 -- no survivor's name: ids only
    nature                   text[] NOT NULL,               -- confidentiality, integrity, availability
    data_classes             text[] NOT NULL,
    people_affected          integer,                       -- approximate
    records_affected         integer,
    status                   text NOT NULL DEFAULT 'recorded'
                             CHECK (status IN ('recorded', 'assessed', 'notified', 'closed')),
    risk                     text CHECK (risk IN ('low', 'medium', 'high')),
    consequences             text,
    measures                 text,
    assessed_at              timestamptz,
    commissioner_notified_at timestamptz,
    commissioner_reference   text,
    commissioner_content     text,
    delay_reason             text,
    subjects_told            boolean,                       -- NULL: not decided yet
    subjects_told_at         timestamptz,
    subjects_count           integer,
    subjects_method          text,
    subjects_content         text,
    subjects_not_told_reason text,
    not_notified_reason      text,
    closed_at                timestamptz,
    closing_summary          text,
    recorded_by              uuid NOT NULL,
    recorded_at              timestamptz NOT NULL
);
CREATE INDEX breaches_open ON breaches (aware_at) WHERE status IN ('recorded', 'assessed');

CREATE TABLE breach_log (
    id         bigserial PRIMARY KEY,
    breach_id  uuid NOT NULL REFERENCES breaches (breach_id),
    step       text NOT NULL,
    staff_id   uuid NOT NULL,
    at         timestamptz NOT NULL,
    details    jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX breach_log_breach ON breach_log (breach_id, id);

CREATE OR REPLACE FUNCTION breach_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the breach log is append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER breach_log_append_only BEFORE UPDATE OR DELETE ON breach_log
    FOR EACH ROW EXECUTE FUNCTION breach_log_append_only();

-- The notification outbox (libs/notify's schema).
CREATE TABLE IF NOT EXISTS notifications (
    notification_id  uuid PRIMARY KEY,
    recipient_role   text NOT NULL,
    team             text,
    kind             text NOT NULL,
    facts            jsonb NOT NULL DEFAULT '{}',
    link             text NOT NULL,
    created_at       timestamptz NOT NULL,
    delivered_at     timestamptz,
    delivered_to     text,
    attempts         integer NOT NULL DEFAULT 0,
    last_error       text
);
CREATE INDEX IF NOT EXISTS notifications_pending ON notifications (created_at)
    WHERE delivered_at IS NULL;
CREATE INDEX IF NOT EXISTS notifications_recipient ON notifications (recipient_role, team, created_at);
