-- Two-person rule: sensitive account changes wait here until a second administrator approves.
-- A pending password reset keeps only the new password's sealed argon2id hash.
CREATE TABLE pending_changes (
    change_id       uuid PRIMARY KEY,
    staff_id        uuid NOT NULL,
    kind            text NOT NULL
                    CHECK (kind IN ('roles', 'team_join', 'team_leave', 'mfa_reset', 'password_reset')),
    roles           text[] NULL,
    team_id         uuid NULL,
    sealed_password text NULL,
    requested_by    uuid NOT NULL,
    requested_at    timestamptz NOT NULL DEFAULT now(),
    status          text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'approved', 'rejected')),
    decided_by      uuid NULL,
    decided_at      timestamptz NULL
);
CREATE INDEX pending_changes_open ON pending_changes (staff_id) WHERE status = 'pending';

-- What the data protection officer is told: every request and decision under the two-person rule.
CREATE TABLE dpo_notifications (
    notification_id uuid PRIMARY KEY,
    at              timestamptz NOT NULL DEFAULT now(),
    kind            text NOT NULL,
    change_id       uuid NOT NULL,
    change_kind     text NOT NULL,
    staff_id        uuid NOT NULL,
    actor_id        uuid NOT NULL
);
CREATE INDEX dpo_notifications_at ON dpo_notifications (at);
