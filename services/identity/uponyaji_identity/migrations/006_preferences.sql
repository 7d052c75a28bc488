-- Each staff member's own preferences (the staff application's language), kept with the account
-- so they follow the person to any device. Not survivor data; not part of the account's events.
CREATE TABLE staff_preferences (
    staff_id    uuid PRIMARY KEY,
    language    text NOT NULL CHECK (language IN ('en', 'sw')),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
