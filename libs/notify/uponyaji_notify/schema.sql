-- The notification outbox a service keeps in its own database (copied into its migrations).
CREATE TABLE IF NOT EXISTS notifications (
    notification_id  uuid PRIMARY KEY,            -- derived from the event that caused it
    recipient_role   text NOT NULL,
    team             text,                        -- NULL: everyone of the role
    kind             text NOT NULL,
    facts            jsonb NOT NULL DEFAULT '{}', -- what the text needs (hours); never identity
    link             text NOT NULL,               -- a path into the record, not who it is
    created_at       timestamptz NOT NULL,
    delivered_at     timestamptz,
    delivered_to     text,
    attempts         integer NOT NULL DEFAULT 0,
    last_error       text,
    recipient_staff  uuid[] NOT NULL DEFAULT '{}' -- the people it is for, when known
);
CREATE INDEX IF NOT EXISTS notifications_pending ON notifications (created_at)
    WHERE delivered_at IS NULL;
CREATE INDEX IF NOT EXISTS notifications_recipient ON notifications (recipient_role, team, created_at);
